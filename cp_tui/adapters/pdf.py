"""PDF documents with ReportLab: the only module that imports it, and only when drawing.

``render(document)`` returns the bytes of a PDF. ReportLab (about 100 ms to
import) is imported inside the functions, so starting cp-tui never pays for it.
Output is reproducible (``invariant=1``): the same document gives the same bytes.

Text is set in DejaVu Sans when the system has it (every script a client's name
may use); otherwise in Helvetica, whose WinAnsi encoding cannot show some
characters: those are replaced by close equivalents rather than drawn as boxes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cp_tui.adapters.pdf_layout import Layout, layout
from cp_tui.documents import Document

FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
)
# Characters Babel and people type that WinAnsi lacks, and what to draw instead.
SUBSTITUTES = {
    "\u202f": "\u00a0",  # narrow no-break space (fr_FR groups)
    "\u2009": " ",
    "\u2212": "-",
    "\uffe5": "\u00a5",  # fullwidth yen (ja_JP)
    "\u20a9": "KRW ",
    "\u20ab": " VND",
}


class PdfError(Exception):
    """The document could not be drawn; the message says why."""


Fonts = tuple[str, str, frozenset[int] | None]
STANDARD: Fonts = ("Helvetica", "Helvetica-Bold", None)


def _winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _fonts(page: Layout) -> Fonts:
    """Helvetica when WinAnsi can show every character (fast, nothing embedded),
    else DejaVu Sans if the system has it."""
    from reportlab import rl_config

    # Binary (zlib) streams only: ReportLab's pure-Python ASCII85 pass is slow.
    # cp-tui is this process's only user of ReportLab.
    rl_config.useA85 = 0
    texts = [
        page.title,
        page.author,
        page.document_title,
        *page.practice,
        *[x for pair in page.meta for x in pair],
        *[label + "".join(lines) for label, lines in page.parties],
        *[c.title for c in page.columns],
        *["".join(row) for row in page.rows],
        *[r.label + r.amount for r in page.totals],
        *page.notes,
        *[a + b for a, b in page.sections],
    ]
    if all(_winansi(text) for text in texts):
        return STANDARD
    return _unicode_fonts()


@lru_cache(maxsize=1)
def _unicode_fonts() -> Fonts:
    """(regular, bold, codepoints the font has or None for WinAnsi), registered once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    override = os.environ.get("CP_TUI_PDF_FONT_DIR")
    for folder in ([override] if override else []) + list(FONT_DIRS):
        regular = Path(folder) / "DejaVuSans.ttf"
        bold = Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                font = TTFont("CpSans", str(regular))
                pdfmetrics.registerFont(font)
                pdfmetrics.registerFont(TTFont("CpSans-Bold", str(bold)))
            except Exception:  # a broken font file: fall back to Helvetica
                continue
            pdfmetrics.registerFontFamily("CpSans", normal="CpSans", bold="CpSans-Bold")
            return "CpSans", "CpSans-Bold", frozenset(font.face.charToGlyph)
    return STANDARD


def _fit(text: str, glyphs: frozenset[int] | None) -> str:
    # The common case, without a look at every character.
    if glyphs is None:
        if _winansi(text):
            return text
    elif text.isascii() and text.replace("\n", "").replace("\t", "").isprintable():
        return text
    out = []
    for ch in text:
        ok = (ord(ch) in glyphs or ch in "\n\t") if glyphs is not None else _winansi(ch)
        if ok:
            out.append(ch)
        else:
            out.append(SUBSTITUTES.get(ch, "?"))
    return "".join(out)


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

    regular, bold, glyphs = _fonts(page)

    def t(text: str) -> str:
        return escape(_fit(text, glyphs)).replace("\n", "<br/>")

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
        title=_fit(page.document_title or page.title, glyphs),
        author=_fit(page.author, glyphs),
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
        [[_fit(label, glyphs), _fit(value, glyphs)] for label, value in page.meta],
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
            text = _fit(cell, glyphs)
            if c.wrap and not fits(text, column, font):
                drawn.append(Paragraph(t(cell), strong if font == bold else base))
            else:
                drawn.append(text)
        body.append(drawn)
    if not body:
        body.append(["", "(nothing in this period)"] + [""] * (len(widths) - 2))
    table = _line_table(
        [[_fit(c.title, glyphs) for c in page.columns], *body],
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
            [[_fit(r.label, glyphs), _fit(r.amount, glyphs)] for r in page.totals],
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

    footer_text = _fit(f"{page.author}  ·  {page.title} {page.reference}".strip(), glyphs)

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
# Table draws each cell through its own text object and style look-ups: for a
# ten-line invoice that was most of the drawing time. When every cell is one line
# of plain text, PlainLines draws the same rows, shading and rules with a single
# text object; when the rows do not fit where they stand, its split() hands over
# to the LongTable it stands for, so long documents still run over several pages
# with the header repeated. A cell that wraps (a Paragraph) or holds a line break
# always takes the LongTable.

FONT_SIZE = 9
LEADING = 11.5
PADDING_Y = 3
PADDING_X = 6  # ReportLab's default cell padding, left and right
ROW_HEIGHT = LEADING + 2 * PADDING_Y
SHADE = (0.93, 0.93, 0.93)  # the header row and the rules between lines
RULE = (0.6, 0.6, 0.6)  # under the header


def _line_table(
    cells: list[list[Any]],
    widths: list[float],
    *,
    right: Sequence[bool],
    strong_rows: set[int],
    regular: str,
    bold: str,
) -> Any:
    """The header row ``cells[0]`` and body rows as a flowable; ``strong_rows``
    counts body rows from 0 and sets them in ``bold``."""
    if all(isinstance(cell, str) and "\n" not in cell for row in cells for cell in row):
        return _plain_lines_type()(cells, widths, right, strong_rows, regular, bold)
    return _long_table(
        cells, widths, right=right, strong_rows=strong_rows, regular=regular, bold=bold
    )


def _long_table(
    cells: list[list[Any]],
    widths: list[float],
    *,
    right: Sequence[bool],
    strong_rows: set[int],
    regular: str,
    bold: str,
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    shade, rule = colors.Color(*SHADE), colors.Color(*RULE)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
        ("LEADING", (0, 0), (-1, -1), LEADING),
        ("FONTNAME", (0, 0), (-1, 0), bold),
        ("BACKGROUND", (0, 0), (-1, 0), shade),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, rule),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, shade),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING_Y),
    ]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, r in enumerate(right) if r]
    style += [("FONTNAME", (0, i + 1), (-1, i + 1), bold) for i in sorted(strong_rows)]
    table = LongTable(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


@lru_cache(maxsize=1)
def _plain_lines_type() -> type:
    """``PlainLines``, defined on first use so importing this module skips ReportLab."""
    from reportlab.pdfbase.pdfmetrics import stringWidth as string_width
    from reportlab.platypus import Flowable

    class PlainLines(Flowable):
        """One-line text cells, drawn as ``LongTable`` would draw them."""

        def __init__(
            self,
            cells: list[list[str]],
            widths: list[float],
            right: Sequence[bool],
            strong_rows: set[int],
            regular: str,
            bold: str,
        ) -> None:
            super().__init__()
            self._cells = cells
            self._widths = widths
            self._right = list(right)
            self._strong = strong_rows
            self._regular = regular
            self._bold = bold
            self.width = sum(widths)
            self.height = ROW_HEIGHT * len(cells)

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            # Only asked when the rows do not fit: the LongTable pages them.
            table = _long_table(
                self._cells,
                self._widths,
                right=self._right,
                strong_rows=self._strong,
                regular=self._regular,
                bold=self._bold,
            )
            return list(table.split(avail_width, avail_height))

        def draw(self) -> None:
            canvas = self.canv
            top = self.height
            canvas.saveState()
            canvas.setFillColorRGB(*SHADE)
            canvas.rect(0, top - ROW_HEIGHT, self.width, ROW_HEIGHT, stroke=0, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            text = canvas.beginText()
            lefts = [0.0]
            for w in self._widths:
                lefts.append(lefts[-1] + w)
            for index, row in enumerate(self._cells):
                font = self._bold if index == 0 or index - 1 in self._strong else self._regular
                text.setFont(font, FONT_SIZE, LEADING)
                baseline = top - ROW_HEIGHT * index - PADDING_Y - FONT_SIZE
                for column, cell in enumerate(row):
                    if not cell:
                        continue
                    if self._right[column]:
                        x = lefts[column + 1] - PADDING_X - string_width(cell, font, FONT_SIZE)
                    else:
                        x = lefts[column] + PADDING_X
                    text.setTextOrigin(x, baseline)
                    text.textOut(cell)
            canvas.drawText(text)
            canvas.setStrokeColorRGB(*SHADE)
            canvas.setLineWidth(0.25)
            canvas.lines(
                [
                    (0, top - ROW_HEIGHT * i, self.width, top - ROW_HEIGHT * i)
                    for i in range(2, len(self._cells) + 1)
                ]
            )
            canvas.setStrokeColorRGB(*RULE)
            canvas.setLineWidth(0.8)
            canvas.line(0, top - ROW_HEIGHT, self.width, top - ROW_HEIGHT)
            canvas.restoreState()

    return PlainLines
