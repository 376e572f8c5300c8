"""PDF documents with ReportLab: this module and its helpers ``pdf_fonts`` and ``pdf_lines``
are the only ones that import it, and only when drawing.

``render(document)`` returns the bytes of a PDF. ReportLab (about 100 ms to
import) is imported inside the functions, so starting cp-tui never pays for it.
Output is reproducible (``invariant=1``): the same document gives the same bytes.

Text is set in DejaVu Sans when the system has it (every script a client's name
may use); otherwise in Helvetica, whose WinAnsi encoding cannot show some
characters: those are replaced by close equivalents rather than drawn as boxes.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from cp_tui.adapters.pdf_fonts import fit, fonts
from cp_tui.adapters.pdf_layout import Layout, layout
from cp_tui.adapters.pdf_lines import line_table
from cp_tui.documents import Document


class PdfError(Exception):
    """The document could not be drawn; the message says why."""


def render(document: Document) -> bytes:
    """The PDF of one document."""
    try:
        return _draw(layout(document))
    except PdfError:
        raise
    except Exception as exc:  # ReportLab's own errors name internals, not the fix
        raise PdfError(f"the PDF could not be drawn: {exc}") from exc


def _draw(page: Layout) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold, glyphs = fonts(page)

    def t(text: str) -> str:
        return escape(fit(text, glyphs)).replace("\n", "<br/>")

    base = ParagraphStyle("cp", fontName=regular, fontSize=9, leading=11.5)
    small = ParagraphStyle("cp-small", parent=base, fontSize=8, leading=10)
    strong = ParagraphStyle("cp-strong", parent=base, fontName=bold)
    heading = ParagraphStyle("cp-h", parent=base, fontName=bold, fontSize=10, spaceAfter=2)
    title_style = ParagraphStyle(
        "cp-title", parent=base, fontName=bold, fontSize=20, leading=24, alignment=TA_RIGHT
    )
    name_style = ParagraphStyle("cp-name", parent=base, fontName=bold, fontSize=13, leading=16)
    rule = colors.Color(0.6, 0.6, 0.6)

    size = LETTER if page.letter else A4
    margin = 18 * mm
    width = size[0] - 2 * margin
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        # The frame pads 6 pt inside the margins: the text starts at the margin.
        leftMargin=margin - 6,
        rightMargin=margin - 6,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=fit(page.document_title or page.title, glyphs),
        author=fit(page.author, glyphs),
        creator="cp-tui",
        invariant=1,
    )
    story: list[Any] = []

    # Practice on the left; title, number and dates on the right.
    practice = [Paragraph(t(page.practice[0]), name_style)] + [
        Paragraph(t(line), base) for line in page.practice[1:]
    ]
    if page.logo:
        practice = [_logo(page.logo, width * 0.5, 20 * mm), Spacer(1, 2 * mm), *practice]
    meta = Table(
        [[fit(label, glyphs), fit(value, glyphs)] for label, value in page.meta],
        colWidths=[24 * mm, 40 * mm],
        hAlign="RIGHT",
    )
    meta.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), regular),
                ("FONTNAME", (1, 0), (1, -1), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (0, -1), colors.Color(0.35, 0.35, 0.35)),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    right_block: list[Any] = [
        Paragraph(
            t(page.title.upper()),
            title_style
            if len(page.title) <= 12
            else ParagraphStyle("cp-title-long", parent=title_style, fontSize=15, leading=19),
        ),
        Spacer(1, 3 * mm),
        meta,
    ]
    if page.stamp:
        stamp_style = ParagraphStyle(
            "cp-stamp", parent=title_style, fontSize=14, textColor=colors.Color(0.1, 0.5, 0.2)
        )
        if page.stamp == "VOID":
            stamp_style.textColor = colors.Color(0.7, 0.1, 0.1)
        right_block.append(Paragraph(t(page.stamp), stamp_style))
    top = Table([[practice, right_block]], colWidths=[width * 0.55, width * 0.45])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [top, Spacer(1, 8 * mm)]

    # Bill-to / patient / provider blocks side by side.
    if page.parties:
        cells = [
            [Paragraph(t(label), heading)]
            + [Paragraph(t(line), strong if i == 0 else base) for i, line in enumerate(lines)]
            for label, lines in page.parties
        ]
        parties = Table([cells], colWidths=[width / len(cells)] * len(cells))
        parties.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story += [parties, Spacer(1, 5 * mm)]
    for note in page.notes:
        story += [Paragraph(t(note), base), Spacer(1, 2 * mm)]
    if page.notes:
        story.append(Spacer(1, 3 * mm))

    # The lines: a table whose header row repeats on every page. Plain strings
    # draw several times faster than Paragraphs; only wrapping columns use them.
    total_weight = sum(c.weight for c in page.columns)
    widths = [width * c.weight / total_weight for c in page.columns]

    def fits(text: str, column: int, font: str) -> bool:
        # One line that fits its column (6 pt padding each side) needs no Paragraph.
        return "\n" not in text and stringWidth(text, font, 9) <= widths[column] - 12

    body: list[list[Any]] = []
    for index, row in enumerate(page.rows):
        font = bold if index in page.strong_rows else regular
        drawn: list[Any] = []
        for column, (cell, c) in enumerate(zip(row, page.columns, strict=True)):
            text = fit(cell, glyphs)
            if c.wrap and not fits(text, column, font):
                drawn.append(Paragraph(t(cell), strong if font == bold else base))
            else:
                drawn.append(text)
        body.append(drawn)
    if not body:
        body.append(["", "(nothing in this period)"] + [""] * (len(widths) - 2))
    table = line_table(
        [[fit(c.title, glyphs) for c in page.columns], *body],
        widths,
        right=[c.align == "right" for c in page.columns],
        strong_rows=page.strong_rows,
        regular=regular,
        bold=bold,
    )
    story += [table, Spacer(1, 4 * mm)]

    # Totals, right-aligned and kept together.
    if page.totals:
        totals = Table(
            [[fit(r.label, glyphs), fit(r.amount, glyphs)] for r in page.totals],
            colWidths=[width * 0.45, width * 0.2],
            hAlign="RIGHT",
        )
        strong_totals = [i for i, r in enumerate(page.totals) if r.strong]
        totals.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                    *[("FONTNAME", (0, i), (-1, i), bold) for i in strong_totals],
                    *[("LINEABOVE", (0, i), (-1, i), 0.6, rule) for i in strong_totals],
                ]
            )
        )
        story += [KeepTogether(totals), Spacer(1, 6 * mm)]

    for label, text in page.sections:
        block: list[Any] = [Paragraph(t(label), heading), Paragraph(t(text), base)]
        if label == "Pay online" and page.link:
            block.append(_qr(page.link, 30 * mm))
        story.append(KeepTogether([*block, Spacer(1, 4 * mm)]))

    if page.signature:
        sign = Table(
            [[Paragraph(t("Provider signature"), small), "", Paragraph(t("Date"), small), ""]],
            colWidths=[30 * mm, 70 * mm, 12 * mm, 35 * mm],
            hAlign="LEFT",
        )
        sign.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (1, 0), (1, 0), 0.6, rule),
                    ("LINEBELOW", (3, 0), (3, 0), 0.6, rule),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
        )
        story += [Spacer(1, 10 * mm), KeepTogether(sign)]

    footer_text = fit(f"{page.author}  ·  {page.title} {page.reference}".strip(), glyphs)

    def footer(canvas: Any, pdf: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(rule)
        canvas.drawString(margin, 10 * mm, footer_text)
        canvas.drawRightString(size[0] - margin, 10 * mm, f"Page {pdf.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _logo(content: bytes, max_width: float, max_height: float) -> Any:
    """The practice's logo, scaled to fit the header and keep its proportions."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    width, height = ImageReader(io.BytesIO(content)).getSize()
    scale = min(max_width / width, max_height / height)
    image = Image(io.BytesIO(content), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def _qr(value: str, side: float) -> Any:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.hAlign = "LEFT"
    return drawing


# The table of lines, drawn straight on the canvas when it can be. ReportLab's
