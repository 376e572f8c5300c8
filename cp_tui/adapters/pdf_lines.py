"""The line table of cp-tui's PDFs: one text object for plain rows, a LongTable otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

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


def line_table(
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
