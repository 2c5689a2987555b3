"""A seller's logo is accepted by its content, not its name: a PNG or JPEG that Pillow decodes, within bounds."""

from __future__ import annotations

import io
import warnings

from PIL import Image

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4_000_000
LOGO_FORMATS = frozenset({"PNG", "JPEG"})


class InvalidLogo(ValueError):
    pass


def check_logo(data: bytes) -> None:
    """Raise InvalidLogo unless `data` is a whole PNG or JPEG image of at most MAX_LOGO_PIXELS pixels."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidLogo(f"{len(data)} bytes, more than {MAX_LOGO_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS)) as image:
                width, height = image.size
                # The size is read from the header: refuse before decoding a single pixel.
                if width * height > MAX_LOGO_PIXELS:
                    raise InvalidLogo(f"{width}x{height} pixels, more than {MAX_LOGO_PIXELS}")
                image.load()
    except InvalidLogo:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidLogo(str(error) or type(error).__name__) from None


def usable_logo(data: bytes | None) -> bytes | None:
    """The logo if it can be drawn, else None (the document is then drawn without a logo)."""
    if data is None:
        return None
    try:
        check_logo(data)
    except InvalidLogo:
        return None
    return data
