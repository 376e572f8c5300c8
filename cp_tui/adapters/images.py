"""Reading the practice's logo with Pillow (which ReportLab itself draws images with).

Imported lazily by the composition root's hook, so starting cp-tui never loads Pillow.
"""

from __future__ import annotations

import io

# The formats every PDF viewer shows and ReportLab draws without conversion.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class ImageError(Exception):
    """The file is not an image cp-tui can print; the message says why."""


def inspect_logo(content: bytes) -> tuple[str, int, int]:
    """The logo's MIME type, width and height; ImageError when it cannot be printed."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            if kind not in FORMATS:
                raise ImageError(f"the logo must be a PNG or JPEG image, this one is {kind}")
            # verify() reads the whole file, so a truncated or damaged one is refused now
            # rather than when the first invoice is drawn.
            image.verify()
            width, height = image.size
    except UnidentifiedImageError:
        raise ImageError("that file is not an image; use a PNG or JPEG logo") from None
    except ImageError:
        raise
    except Exception as exc:  # Pillow's decoders raise many kinds of errors
        raise ImageError(f"the image cannot be read ({exc}); save it again as PNG") from exc
    with Image.open(io.BytesIO(content)) as image:
        try:
            image.load()  # verify() misses some damage that decoding finds
        except Exception as exc:
            raise ImageError(f"the image cannot be read ({exc}); save it again as PNG") from exc
    return FORMATS[kind], width, height
