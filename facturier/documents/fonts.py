"""Embedded DejaVu Sans fonts for PDF/A (no standard-14 font may be used), registered once per process.

reportlab subsets a TrueType font per document, assigning codes in the order characters first appear, and
re-subsets + re-compresses the font program every time. Two tricks make that nearly free:
- every document first "pre-seeds" the same common characters, so subset 0 is identical across documents;
- the subset font program is memoised (already Flate-compressed) by its exact character list.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
# Latin-1 letters, French/German/Nordic/Polish extras and typography used on invoices.
PRESEED = (
    "àâäçéèêëîïôöùûüÿæœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒßáíóúñãõåøÁÍÓÚÑÅØ"
    "ŁłśŚźżŻąęćń€«»’‘“”–—…•×°²³µ§©®½\u202f"
)
SUBSET_CACHE_SIZE = 64

_register_lock = threading.Lock()


@dataclass(frozen=True)
class _SubsetObjects:
    """Everything about one font subset that does not depend on the document, ready to write."""

    widths: bytes
    to_unicode: bytes  # Flate-compressed CMap
    program: bytes  # Flate-compressed TrueType subset
    program_length: int


class _CachedTTFont(TTFont):
    """A TTFont whose per-subset PDF objects are built and compressed once per character list."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._subset_cache: OrderedDict[tuple[int, tuple[int, ...]], _SubsetObjects] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _subset_objects(self, index: int, subset: list[int], base_font: str) -> _SubsetObjects:
        key = (index, tuple(subset))
        with self._cache_lock:
            cached = self._subset_cache.get(key)
            if cached is not None:
                self._subset_cache.move_to_end(key)
                return cached
        face = self.face
        program = face.makeSubset(subset)
        widths = " ".join(fp_str(face.getCharWidth(code)) for code in subset)
        cached = _SubsetObjects(
            widths=f"[{widths}]".encode("ascii"),
            to_unicode=zlib.compress(makeToUnicodeCMap(base_font, subset).encode("ascii"), 6),
            program=zlib.compress(program, 6),
            program_length=len(program),
        )
        with self._cache_lock:
            self._subset_cache[key] = cached
            while len(self._subset_cache) > SUBSET_CACHE_SIZE:
                self._subset_cache.popitem(last=False)
        return cached

    def addObjects(self, doc):  # noqa: N802 - reportlab's hook, called once per document at save time
        state = self._assignState(doc)
        state.frozen = 1
        font_resources = doc.idToObject["BasicFonts"].dict
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_font = (SUBSETN(index) + b"+" + self.face.name + self.face.subfontNameX).decode("pdfdoc")
            objects = self._subset_objects(index, subset, base_font)
            font = pdfdoc.PDFDictionary({
                "Type": "/Font",
                "Subtype": "/TrueType",
                "Name": pdfdoc.PDFName(internal_name),
                "BaseFont": pdfdoc.PDFName(base_font),
                "FirstChar": 0,
                "LastChar": len(subset) - 1,
                "Widths": objects.widths,
                "ToUnicode": doc.Reference(_flate_stream(objects.to_unicode)),
                "FontDescriptor": self._descriptor(doc, base_font, objects),
            })
            font_resources[internal_name] = doc.Reference(font, internal_name)
        del self.state[doc]

    def _descriptor(self, doc, base_font: str, objects: _SubsetObjects):
        face = self.face
        program = _flate_stream(objects.program, Length1=objects.program_length)
        return doc.Reference(pdfdoc.PDFDictionary({
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(base_font),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": doc.Reference(program),
            "MissingWidth": face.defaultWidth,
        }))


def _flate_stream(compressed: bytes, **entries: object) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (reportlab skips its own filters then)."""
    dictionary = pdfdoc.PDFDictionary({**entries, "Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])})
    return pdfdoc.PDFStream(dictionary, compressed)


def _load(name: str) -> TTFont:
    return _CachedTTFont(name, str(FONT_DIR / FONT_FILES[name]))


def register_fonts() -> None:
    """Idempotent; the font files are parsed once per process."""
    with _register_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        for name in FONT_FILES:
            if name not in registered:
                pdfmetrics.registerFont(_load(name))


def preseed(doc: pdfdoc.PDFDocument) -> None:
    """Give the common characters the same codes in every document (stable, cacheable subset 0)."""
    for name in FONT_FILES:
        pdfmetrics.getFont(name).splitString(PRESEED, doc)


@lru_cache(maxsize=4096)
def printable(text: str, font_name: str = REGULAR) -> str:
    """Replace characters the font lacks: PDF/A forbids showing the .notdef glyph."""
    glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
    if all(ord(char) in glyphs for char in text):
        return text
    return "".join(char if ord(char) in glyphs or char == "\u00a0" else "?" for char in text)
