"""QR codes as terminal text, so a client in the room can scan a link off the screen."""

from __future__ import annotations

import io


def qr_text(data: str) -> str:
    """Half-block characters, two modules per line, with a quiet border."""
    import segno

    out = io.StringIO()
    segno.make(data, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue().rstrip("\n")
