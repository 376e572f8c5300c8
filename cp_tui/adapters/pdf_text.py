"""One line of text in cp-tui's PDFs, drawn as a Paragraph draws it, without the Paragraph.

A Paragraph parses its text as markup and breaks it into lines each time it is
laid out; for the dozen short lines of a page header (the practice, the title,
who is billed) that was a good part of the drawing time. ``TextLine`` writes the
same text operators a one-line Paragraph writes, and hands over to a real
Paragraph whenever the text is more than one line: a line break, text wider than
the room, an alignment other than left or right, or characters whose handling
is the markup parser's to decide.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

# Below this a Paragraph's own line breaking might decide differently (it sums
# word widths one by one); such a line is left to it.
WIDTH_MARGIN = 1e-6


def markup(text: str) -> str:
    """``text`` as Paragraph markup: escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def text_line(text: str, style: Any) -> Any:
    """A flowable of ``text`` (already fit to the font) in a ParagraphStyle."""
    return _text_line_type()(text, style)


def _plain(text: str) -> bool:
    """Text the markup parser passes through as it is: printable, spaces and tabs."""
    return text.replace("\t", " ").replace("\xa0", " ").isprintable()


@lru_cache(maxsize=1)
def _text_line_type() -> type:
    """``TextLine``, defined on first use so importing this module skips ReportLab."""
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.pdfbase.pdfmetrics import stringWidth as string_width
    from reportlab.platypus import Flowable, Paragraph
    from reportlab.platypus.paragraph import split, strip

    class TextLine(Flowable):
        def __init__(self, text: str, style: Any) -> None:
            super().__init__()
            self.text = text
            self.style = style
            # The words as Paragraph splits them, rejoined by one space as it draws them.
            plain = style.alignment in (TA_LEFT, TA_RIGHT) and _plain(text)
            self._line = " ".join(split(strip(text))) if plain else ""
            self._para: Any = None
            self._extra = 0.0  # room left on the line, for right alignment
            self._fast = False  # as the last wrap() found: drawn here, not by a Paragraph

        def _paragraph(self) -> Any:
            if self._para is None:
                self._para = Paragraph(markup(self.text), self.style)
            return self._para

        def _fits(self, avail_width: float) -> bool:
            if not self._line:
                return False
            style = self.style
            room = avail_width - style.leftIndent - style.rightIndent - style.firstLineIndent
            used = string_width(self._line, style.fontName, style.fontSize)
            self._extra = room - used
            return used <= room - WIDTH_MARGIN

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            self._fast = self._fits(avail_width)
            if not self._fast:
                return tuple(self._paragraph().wrap(avail_width, avail_height))
            self.width, self.height = avail_width, self.style.leading
            return self.width, self.height

        def split(self, avail_width: float, avail_height: float) -> list[Any]:
            return list(self._paragraph().split(avail_width, avail_height))

        def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
            if self._fast:
                super().drawOn(canvas, x, y, _sW)
            else:
                self._paragraph().drawOn(canvas, x, y, _sW)

        def draw(self) -> None:
            # The operators of Paragraph.drawPara for one line of one font.
            style = self.style
            canvas = self.canv
            canvas.saveState()
            canvas.setFillColor(style.textColor)
            text = canvas.beginText(style.leftIndent, self.height - style.fontSize)
            text.setFont(style.fontName, style.fontSize, style.leading)
            offset = style.firstLineIndent
            if style.alignment == TA_RIGHT:
                offset += self._extra
            if abs(offset) > 1e-6:
                text.setXPos(offset)
            text._textOut(self._line, 1)
            if abs(offset) > 1e-6:
                text.setXPos(-offset)
            canvas.drawText(text)
            canvas.restoreState()

    return TextLine
