"""Fonts for cp-tui's PDFs: Helvetica when WinAnsi shows every character, else DejaVu Sans.

Helvetica embeds nothing and draws fastest; a client's name in another script
needs DejaVu Sans, when the system has it. What neither can show is replaced by
a close equivalent rather than drawn as a box.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cp_tui.adapters.pdf_layout import Layout

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


Fonts = tuple[str, str, frozenset[int] | None]
STANDARD: Fonts = ("Helvetica", "Helvetica-Bold", None)


def _winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fonts(page: Layout) -> Fonts:
    """Helvetica when WinAnsi can show every character (fast, nothing embedded),
    else DejaVu Sans if the system has it."""
    from reportlab import rl_config

    # Binary (zlib) streams only: ReportLab's pure-Python ASCII85 pass is slow.
    # cp-tui is this process's only user of ReportLab.
    rl_config.useA85 = 0
    texts = [
        page.title,
        page.footer,
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


def fit(text: str, glyphs: frozenset[int] | None) -> str:
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
