"""Embedded DejaVu Sans fonts for PDF/A (no standard-14 font may be used), registered once per process.

reportlab subsets a registered TrueType font by itself: each document embeds the glyphs of the characters it
shows, with their widths and a ToUnicode map (so its text extracts as written). Every subset also copies the font's
'name' table, 15 KB in DejaVu Sans (the licence text, Macintosh duplicates): fontTools trims it once per process to
the Windows records a PDF reader may show (copyright, family, style, version, PostScript name, licence URL).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import ttLib
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
WINDOWS_PLATFORM = 3
# 'name' records kept: copyright, family, subfamily, unique id, full name, version, PostScript name, licence URL.
NAME_IDS = frozenset({0, 1, 2, 3, 4, 5, 6, 14})

_register_lock = threading.Lock()


def register_fonts() -> None:
    """Idempotent; the font files are parsed once per process."""
    with _register_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        for name, filename in FONT_FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, trimmed_font_file(FONT_DIR / filename)))


def trimmed_font_file(path: Path) -> BytesIO:
    """The font file with only the NAME_IDS records of its 'name' table; every other table as it was."""
    font = ttLib.TTFont(path, recalcBBoxes=False, recalcTimestamp=False)
    table = font["name"]
    table.names = [
        record for record in table.names if record.platformID == WINDOWS_PLATFORM and record.nameID in NAME_IDS
    ]
    trimmed = BytesIO()
    font.save(trimmed)
    trimmed.seek(0)
    return trimmed


@lru_cache(maxsize=4096)
def printable(text: str, font_name: str = REGULAR) -> str:
    """Replace characters the font lacks: PDF/A forbids showing the .notdef glyph."""
    glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
    if all(ord(char) in glyphs for char in text):
        return text
    return "".join(char if ord(char) in glyphs or char == "\u00a0" else "?" for char in text)
