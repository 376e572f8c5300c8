"""PDF documents with ReportLab: this module and its helpers ``pdf_fonts``, ``pdf_lines``
and ``pdf_text`` are the only ones that import it, and only when drawing.

``render(document)`` returns the bytes of a PDF. ReportLab (about 100 ms to
import) is imported inside the functions, so starting cp-tui never pays for it.
Output is reproducible (``invariant=1``): the same document gives the same bytes.

Text is set in DejaVu Sans when the system has it (every script a client's name
may use); otherwise in Helvetica, whose WinAnsi encoding cannot show some
characters: those are replaced by close equivalents rather than drawn as boxes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

from cp_tui.adapters.pdf_fonts import fit, fonts
from cp_tui.adapters.pdf_layout import Layout, layout
from cp_tui.adapters.pdf_lines import line_table
from cp_tui.adapters.pdf_text import markup, text_line
from cp_tui.documents import Document

FOOTER_SIZE = 7.5
CELL_PADDING = 6  # left and right of each table cell, as pdf_lines draws them


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

    def para(text: str, style: Any) -> Any:
        return text_line(fit(text, glyphs), style)

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
    practice = [para(page.practice[0], name_style)] + [
        para(line, base) for line in page.practice[1:]
    ]
    if page.logo:
        practice = [_logo(page.logo, width * 0.5, 20 * mm), Spacer(1, 2 * mm), *practice]
    meta_cells = [[fit(label, glyphs), fit(value, glyphs)] for label, value in page.meta]
    meta = Table(
        meta_cells,
        # At least the usual widths; wider when a value needs it (6 pt padding each side,
        # none right of the values, which end at the margin).
        colWidths=[
            max([24 * mm] + [_width(label, regular, glyphs) + 12 for label, _ in meta_cells]),
            max([40 * mm] + [_width(value, bold, glyphs) + 6 for _, value in meta_cells]),
        ],
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
        para(
            page.title.upper(),
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
        right_block.append(para(page.stamp, stamp_style))
    top = Table([[practice, right_block]], colWidths=[width * 0.55, width * 0.45])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # A cell places its flowables by its own ALIGN (the meta table's hAlign is
                # not asked): the numbers end at the right margin, under the title.
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [top, Spacer(1, 8 * mm)]

    # Bill-to / patient / provider blocks side by side.
    if page.parties:
        cells = [
            [para(label, heading)]
            + [para(line, strong if i == 0 else base) for i, line in enumerate(lines)]
            for label, lines in page.parties
        ]
        parties = Table([cells], colWidths=[width / len(cells)] * len(cells))
        parties.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story += [parties, Spacer(1, 5 * mm)]
    for note in page.notes:
        story += [para(note, base), Spacer(1, 2 * mm)]
    if page.notes:
        story.append(Spacer(1, 3 * mm))

    # The lines: a table whose header row repeats on every page. Plain strings
    # draw several times faster than Paragraphs; only wrapping columns use them.
    total_weight = sum(c.weight for c in page.columns)
    widths = _column_widths(
        [width * c.weight / total_weight for c in page.columns],
        page,
        glyphs,
        regular=regular,
        bold=bold,
    )

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
                drawn.append(Paragraph(markup(text), strong if font == bold else base))
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
        # A label too long for its column (a payment's long reference) wraps rather than
        # run left off the page; a long amount widens its column.
        label_width = width * 0.45
        amount_width = max(
            [width * 0.2] + [_width(r.amount, bold, glyphs) + 2 * CELL_PADDING for r in page.totals]
        )
        wrapping = {
            False: ParagraphStyle("cp-total", parent=base, alignment=TA_RIGHT),
            True: ParagraphStyle("cp-total-strong", parent=strong, alignment=TA_RIGHT),
        }

        def total_label(row: Any) -> Any:
            font = bold if row.strong else regular
            if _width(row.label, font, glyphs) + 2 * CELL_PADDING <= label_width:
                return fit(row.label, glyphs)
            return para(row.label, wrapping[row.strong])

        totals = Table(
            [[total_label(r), fit(r.amount, glyphs)] for r in page.totals],
            colWidths=[label_width, amount_width],
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
        block: list[Any] = [para(label, heading), para(text, base)]
        if label == "Pay online" and page.link:
            block.append(_qr(page.link, 30 * mm))
        story.append(KeepTogether([*block, Spacer(1, 4 * mm)]))

    if page.signature:
        sign = Table(
            [[para("Provider signature", small), "", para("Date", small), ""]],
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

    footer_text = fit(f"{page.author}  ·  {page.footer}", glyphs)
    footer_short = fit(page.footer, glyphs)

    def footer(canvas: Any, number: int, count: int) -> None:
        label = f"Page {number} of {count}"
        room = width - _width(label, regular, None) * FOOTER_SIZE / 9 - 6 * mm
        canvas.saveState()
        canvas.setFont(regular, FOOTER_SIZE)
        canvas.setFillColor(rule)
        text = _shortest(footer_text, footer_short, room, regular, glyphs)
        canvas.drawString(margin, 10 * mm, text)
        canvas.drawRightString(size[0] - margin, 10 * mm, label)
        canvas.restoreState()

    doc.build(story, canvasmaker=partial(_counting_canvas(), footer=footer))
    return buffer.getvalue()


def _column_widths(
    widths: list[float], page: Layout, glyphs: frozenset[int] | None, *, regular: str, bold: str
) -> list[float]:
    """The line table's column widths: the layout's shares of the page, except that a
    column of one-line text (dates, amounts) is widened to its longest text, taking the
    room from the wrapping columns first, then from columns wider than they need."""
    strong = page.strong_rows
    # Column by column, each text once: rows repeat their dates, units and rates.
    plain = list(zip(*(r for i, r in enumerate(page.rows) if i not in strong), strict=False))
    heavy = list(zip(*(r for i, r in enumerate(page.rows) if i in strong), strict=False))
    needs = []
    for column, c in enumerate(page.columns):
        need = _width(c.title, bold, glyphs)
        if not c.wrap:
            for texts, font in ((plain, regular), (heavy, bold)):
                if texts:
                    need = max(need, *(_width(t, font, glyphs) for t in set(texts[column])))
        need += 2 * CELL_PADDING
        # A wrapping column runs over more lines rather than go below half its share.
        needs.append(max(need, widths[column] / 2) if c.wrap else need)
    wraps = [c.wrap for c in page.columns]
    out = [w if wrap else max(w, need) for w, need, wrap in zip(widths, needs, wraps, strict=True)]
    short = sum(out) - sum(widths)
    if short <= 0:
        return widths  # the usual case: the same widths, the same bytes as ever
    for donors in (
        [i for i, wrap in enumerate(wraps) if wrap],
        [i for i, wrap in enumerate(wraps) if not wrap],
    ):
        slack = {i: out[i] - needs[i] for i in donors if out[i] > needs[i]}
        spare = sum(slack.values())
        if short <= 0 or spare <= 0:
            continue
        take = min(short, spare)
        for i, room in slack.items():
            out[i] -= take * room / spare
        short -= take
    return out


@lru_cache(maxsize=4096)
def _width(text: str, font: str, glyphs: frozenset[int] | None) -> float:
    """The width of ``text`` as the tables draw it; dates and amounts recur."""
    from reportlab.pdfbase.pdfmetrics import getFont

    return float(getFont(font).stringWidth(fit(text, glyphs), 9))


def _shortest(text: str, short: str, room: float, font: str, glyphs: frozenset[int] | None) -> str:
    """``text`` if it fits in ``room``, else ``short``, else ``short`` cut with an ellipsis."""
    scale = FOOTER_SIZE / 9
    for candidate in (text, short):
        if _width(candidate, font, glyphs) * scale <= room:
            return candidate
    while short and _width(short + "...", font, glyphs) * scale > room:
        short = short[:-1]
    return short.rstrip() + "..."


@lru_cache(maxsize=1)
def _counting_canvas() -> type:
    """A canvas that holds its pages back until the last is drawn, so that the footer
    can say "Page 2 of 3"; defined on first use, as ReportLab is imported late."""
    from reportlab.pdfgen.canvas import Canvas

    class CountingCanvas(Canvas):
        def __init__(
            self, *args: Any, footer: Callable[[Any, int, int], None], **kwargs: Any
        ) -> None:
            super().__init__(*args, **kwargs)
            self._cp_footer = footer
            self._cp_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._cp_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._cp_pages)
            for number, state in enumerate(self._cp_pages, 1):
                self.__dict__.update(state)
                self._cp_footer(self, number, count)
                super().showPage()
            super().save()

    return CountingCanvas


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
