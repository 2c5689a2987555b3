"""Embedded DejaVu Sans fonts for PDF/A (no standard-14 font may be used), registered once per process.

reportlab subsets a TrueType font per document, assigning codes in the order characters first appear, and
embeds every glyph of every assigned code. Here:
- every document first "pre-seeds" the same common characters, so the codes of subset 0 (ASCII + PRESEED) are
  the same in every document and everything derived from that code list is built once per process
  (_SubsetLayout: glyph data, metrics, cmap and the other font tables);
- the embedded font program carries the glyphs of the base set (printable ASCII + BASE, in every document)
  plus those of any other code the document shows (and their composite components and .notdef); the other
  glyph slots are empty, so code -> glyph and every metric stay identical. The ToUnicode CMap and /Widths
  describe exactly the embedded codes. A document printing only base characters therefore embeds
  byte-identical font objects whatever its buyer's name or address, and hits the cache below; one printing
  another character gets base + that character, cached under that key;
- the 'name' table keeps the Windows English copyright, family, style, version, PostScript name and licence URL
  records (the 9.5 KB licence text and the Macintosh duplicates are left out);
- the finished, Flate-compressed font objects are memoised by the exact set of codes embedded.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from struct import pack, unpack, unpack_from

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    SUBSETN,
    TTFont,
    TTFontMaker,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
# The base set, with printable ASCII: pre-seeded (fixed codes) and embedded in every document, so documents that
# differ only in names and addresses embed the same font objects. Latin-1 letters of French and the neighbouring
# EU languages, Polish extras, and the typography the layout and formatting print: € (amounts), «» (descriptions),
# · (line details, footer), N° / n°, U+202F (thousands separator; U+00A0 prints as the space glyph), – (periods),
# ’‘“”„ quotes, … and ᵉ (French ordinals, "3ᵉ étage").
BASE = (
    "àâäçéèêëîïôöùûüÿæœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒßáíóúñãõåøÁÍÓÚÑÅØ"
    "ìòýÌÒÝÃÕ"
    "ŁłśŚźżŻąęćń€«»’‘“”„–—…·°ᵉ\u202f"
)
# Pre-seeded (fixed codes, fast splitString) but embedded only by the documents that print them: rare on invoices,
# and ~2 KB of glyphs per font that every document would otherwise carry.
RARE = "•×²³µ§©®½ªº¡¿"
PRESEED = BASE + RARE
SUBSET_CACHE_SIZE = 256
SPLIT_CACHE_SIZE = 8192
# 'name' records kept (Windows platform only): copyright, family, subfamily, unique id, full name, version,
# PostScript name, licence URL.
NAME_IDS = frozenset({0, 1, 2, 3, 4, 5, 6, 14})
# Copied unchanged from the original font (hinting programs included, so rendering is unchanged).
COPIED_TABLES = ("OS/2", "cvt ", "fpgm", "prep")
BFCHAR_LIMIT = 100  # entries per beginbfchar block (PDF CMap limit)

_register_lock = threading.Lock()


@dataclass(frozen=True)
class _SubsetObjects:
    """Everything about one font subset in one document that does not depend on the document, ready to write."""

    first_char: int
    widths: bytes
    to_unicode: bytes  # Flate-compressed CMap
    program: bytes  # Flate-compressed TrueType subset
    program_length: int


class _SubsetLayout:
    """Built once per subset code list: the glyph slots, metrics and fixed tables of its font program."""

    def __init__(self, face, subset: tuple[int, ...]) -> None:
        self.subset = subset
        glyph_map = [0]  # new glyph index -> original glyph index (same numbering as reportlab's makeSubset)
        glyph_set = {0: 0}
        code_glyph = []
        for code in subset:
            original = face.charToGlyph.get(code, 0)
            if original not in glyph_set:
                glyph_set[original] = len(glyph_map)
                glyph_map.append(original)
            code_glyph.append(glyph_set[original])
        glyf = face.get_table("glyf")
        components: dict[int, list[int]] = {}
        raw: list[bytes] = []
        index = 0
        while index < len(glyph_map):  # composite components are appended to glyph_map as they are found
            position = face.glyphPos[glyph_map[index]]
            data = glyf[position:face.glyphPos[glyph_map[index] + 1]]
            data, parts = _remap_composite(data, glyph_set, glyph_map)
            components[index] = parts
            raw.append(data + b"\0" * (-len(data) % 4))
            index += 1
        self.glyphs = tuple(raw)
        self.code_glyphs = tuple(_closure(glyph, components) for glyph in code_glyph)
        self.widths = tuple(fp_str(face.getCharWidth(code)) for code in subset)
        self.tables = self._fixed_tables(face, glyph_map, subset, code_glyph)
        self._head = face.get_table("head")
        self._cache: OrderedDict[tuple[int, ...], _SubsetObjects] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _fixed_tables(face, glyph_map: list[int], subset: tuple[int, ...], code_glyph: list[int]) -> dict:
        tables = {tag: face.get_table(tag) for tag in COPIED_TABLES if tag in face.table}
        tables["name"] = _trimmed_name_table(face.get_table("name"))
        tables["post"] = b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16
        metrics = []
        for original in glyph_map:
            advance, lsb = face.hmetrics[original]
            metrics += [int(advance), int(lsb)]
        n = len(metrics) - 2  # trailing glyphs of equal advance keep only their lsb (as reportlab does)
        while n and metrics[n] == metrics[n - 2]:
            n -= 2
        n += 2
        metrics = metrics[:n] + metrics[n + 1::2]
        tables["hmtx"] = pack(f">{len(metrics)}H", *metrics)
        hhea = face.get_table("hhea")
        tables["hhea"] = hhea[:34] + pack(">H", n >> 1) + hhea[36:]
        maxp = face.get_table("maxp")
        tables["maxp"] = maxp[:4] + pack(">H", len(glyph_map)) + maxp[6:]
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset), *code_glyph]
        tables["cmap"] = pack(f">{len(cmap)}H", *cmap)
        return tables

    def objects(self, used: tuple[int, ...], base_font: str) -> _SubsetObjects:
        """The font objects embedding exactly the codes `used` (sorted), memoised by that tuple."""
        with self._lock:
            cached = self._cache.get(used)
            if cached is not None:
                self._cache.move_to_end(used)
                return cached
        program = self._program(used)
        first, last = used[0], used[-1]
        shown = set(used)
        widths = " ".join(self.widths[code] if code in shown else "0" for code in range(first, last + 1))
        cached = _SubsetObjects(
            first_char=first,
            widths=f"[{widths}]".encode("ascii"),
            to_unicode=zlib.compress(self._to_unicode(used, base_font).encode("ascii"), 9),
            program=zlib.compress(program, 9),
            program_length=len(program),
        )
        with self._lock:
            self._cache[used] = cached
            while len(self._cache) > SUBSET_CACHE_SIZE:
                self._cache.popitem(last=False)
        return cached

    def _program(self, used: tuple[int, ...]) -> bytes:
        needed = {0}  # .notdef stays
        for code in used:
            needed |= self.code_glyphs[code]
        offsets = []
        parts = []
        position = 0
        for index, data in enumerate(self.glyphs):
            offsets.append(position)
            if index in needed:
                parts.append(data)
                position += len(data)
        offsets.append(position)
        if position >> 1 > 0xFFFF:
            loca, loca_format = pack(f">{len(offsets)}L", *offsets), 1
        else:
            loca, loca_format = pack(f">{len(offsets)}H", *(offset >> 1 for offset in offsets)), 0
        maker = TTFontMaker()
        for tag, data in self.tables.items():
            maker.add(tag, data)
        maker.add("glyf", b"".join(parts))
        maker.add("loca", loca)
        maker.add("head", self._head[:50] + pack(">H", loca_format) + self._head[52:])
        return maker.makeStream()

    def _to_unicode(self, used: tuple[int, ...], base_font: str) -> str:
        lines = [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
            f"<< /Registry ({base_font})", f"/Ordering ({base_font})", "/Supplement 0", ">> def",
            f"/CMapName /{base_font} def", "/CMapType 2 def", "1 begincodespacerange",
            f"<00> <{len(self.subset) - 1:02X}>", "endcodespacerange",
        ]
        for start in range(0, len(used), BFCHAR_LIMIT):
            block = used[start:start + BFCHAR_LIMIT]
            lines.append(f"{len(block)} beginbfchar")
            lines += [f"<{code:02X}> <{self.subset[code]:04X}>" for code in block]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines)


def _remap_composite(data: bytes, glyph_set: dict[int, int], glyph_map: list[int]) -> tuple[bytes, list[int]]:
    """A composite glyph's component references renumbered to the subset (new components are appended)."""
    if len(data) <= 2 or unpack(">h", data[:2])[0] >= 0:
        return data, []
    buffer = bytearray(data)
    parts = []
    position = 10
    flags = GF_MORE_COMPONENTS
    while flags & GF_MORE_COMPONENTS:
        flags, original = unpack_from(">HH", buffer, position)
        if original not in glyph_set:
            glyph_set[original] = len(glyph_map)
            glyph_map.append(original)
        parts.append(glyph_set[original])
        buffer[position + 2:position + 4] = pack(">H", glyph_set[original])
        position += 8 if flags & GF_ARG_1_AND_2_ARE_WORDS else 6
        if flags & GF_WE_HAVE_A_SCALE:
            position += 2
        elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
            position += 4
        elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
            position += 8
    return bytes(buffer), parts


def _closure(glyph: int, components: dict[int, list[int]]) -> frozenset[int]:
    found = {glyph}
    pending = [glyph]
    while pending:
        for part in components.get(pending.pop(), ()):
            if part not in found:
                found.add(part)
                pending.append(part)
    return frozenset(found)


def _trimmed_name_table(data: bytes) -> bytes:
    _, count, storage = unpack_from(">HHH", data)
    records = []
    for index in range(count):
        platform, encoding, language, name_id, length, offset = unpack_from(">6H", data, 6 + 12 * index)
        if platform == 3 and name_id in NAME_IDS:
            records.append((platform, encoding, language, name_id,
                            data[storage + offset:storage + offset + length]))
    records.sort()
    header = pack(">HHH", 0, len(records), 6 + 12 * len(records))
    directory, strings, position = [], [], 0
    for platform, encoding, language, name_id, text in records:
        directory.append(pack(">6H", platform, encoding, language, name_id, len(text), position))
        strings.append(text)
        position += len(text)
    return header + b"".join(directory) + b"".join(strings)


class _SubsetTTFont(TTFont):
    """A TTFont that embeds, per document, only the glyphs of the codes the document shows."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._layouts: dict[tuple[int, ...], _SubsetLayout] = {}
        self._seeded_codes: dict[int, int] | None = None
        self._base_codes: frozenset[int] = frozenset()  # subset 0 codes embedded in every document
        self._split_cache: dict[str, list[tuple[int, bytes]]] = {}
        self._layout_lock = threading.Lock()

    def _layout(self, subset: tuple[int, ...]) -> _SubsetLayout:
        with self._layout_lock:
            layout = self._layouts.get(subset)
            if layout is None:
                if len(self._layouts) >= SUBSET_CACHE_SIZE:
                    self._layouts.clear()
                layout = self._layouts[subset] = _SubsetLayout(self.face, subset)
            return layout

    def preseed(self, doc) -> None:
        """Assign the common characters their fixed codes without counting them as shown."""
        TTFont.splitString(self, PRESEED, doc)
        state = self.state[doc]
        state.seeded = True
        if self._seeded_codes is None:  # the same in every document: ASCII + PRESEED, all in subset 0
            seeded = {code: n for code, n in state.assignments.items() if n < 256}
            rare = {ord(char) for char in RARE}
            # set before _seeded_codes: a thread that sees the codes seeded also sees the base set
            self._base_codes = frozenset(n for code, n in seeded.items() if 32 <= code != 127 and code not in rare)
            self._seeded_codes = seeded

    def _seeded_split(self, text: str) -> list[tuple[int, bytes]] | None:
        """splitString's answer for text made only of pre-seeded characters (most strings), memoised."""
        chunks = self._split_cache.get(text)
        if chunks is None:
            codes = self._seeded_codes
            try:
                chunks = [(0, bytes(codes[32 if char == "\u00a0" else ord(char)] for char in text))] if text else []
            except KeyError:
                return None
            if len(self._split_cache) >= SPLIT_CACHE_SIZE:
                self._split_cache.clear()
            self._split_cache[text] = chunks
        return chunks

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 - reportlab's API
        state = self.state.get(doc)
        chunks = None
        if state is not None and getattr(state, "seeded", False) and isinstance(text, str):
            chunks = self._seeded_split(text)
        if chunks is None:
            chunks = TTFont.splitString(self, text, doc, encoding)
            state = self.state[doc]
        shown = state.__dict__.setdefault("shown", {})
        for subset, codes in chunks:
            if subset in shown:
                shown[subset].update(codes)
            else:
                shown[subset] = set(codes)
        return chunks

    def addObjects(self, doc):  # noqa: N802 - reportlab's hook, called once per document at save time
        state = self._assignState(doc)
        state.frozen = 1
        shown = getattr(state, "shown", {})
        font_resources = doc.idToObject["BasicFonts"].dict
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_font = (SUBSETN(index) + b"+" + self.face.name + self.face.subfontNameX).decode("pdfdoc")
            embedded = shown.get(index, set())
            if index == 0 and getattr(state, "seeded", False):
                embedded = embedded | self._base_codes
            used = tuple(sorted(embedded or {32}))
            objects = self._layout(tuple(subset)).objects(used, base_font)
            program = doc.Reference(flate_stream(objects.program, Length1=objects.program_length))
            descriptor = doc.Reference(_Preformatted(self._descriptor_parts(base_font), program))
            to_unicode = doc.Reference(flate_stream(objects.to_unicode))
            font = _Preformatted((
                f"<<\n/Type /Font /Subtype /TrueType /Name {pdfdoc.PDFName(internal_name)} "
                f"/BaseFont {pdfdoc.PDFName(base_font)} /FirstChar {objects.first_char} /LastChar {used[-1]}"
                "\n/FontDescriptor ".encode("ascii"),
                b" /ToUnicode ",
                b"\n/Widths " + objects.widths + b"\n>>",
            ), descriptor, to_unicode)
            font_resources[internal_name] = doc.Reference(font, internal_name)
        del self.state[doc]

    @lru_cache(maxsize=16)  # noqa: B019 - two fonts per process, never freed anyway
    def _descriptor_parts(self, base_font: str) -> tuple[bytes, bytes]:
        face = self.face
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        return (
            f"<<\n/Type /FontDescriptor /FontName {pdfdoc.PDFName(base_font)} /Flags {flags} "
            f"/FontBBox [ {fp_str(*face.bbox)} ] /ItalicAngle {fp_str(face.italicAngle)} "
            f"/Ascent {fp_str(face.ascent)} /Descent {fp_str(face.descent)} /CapHeight {fp_str(face.capHeight)} "
            f"/StemV {fp_str(face.stemV)} /MissingWidth {fp_str(face.defaultWidth)}\n/FontFile2 ".encode("ascii"),
            b"\n>>",
        )


class _Preformatted(pdfdoc.PDFObject):
    """A dictionary written once as bytes around its indirect references (reportlab's generic formatter
    costs tens of microseconds per dictionary)."""

    def __init__(self, parts: tuple[bytes, ...], *references: pdfdoc.PDFObjectReference) -> None:
        self.parts = parts
        self.references = references

    def format(self, document) -> bytes:
        out = [self.parts[0]]
        for reference, part in zip(self.references, self.parts[1:], strict=True):
            out.append(reference.format(document))
            out.append(part)
        return b"".join(out)


def flate_stream(compressed: bytes, **entries: object) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (reportlab skips its own filters then)."""
    dictionary = pdfdoc.PDFDictionary({**entries, "Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])})
    return pdfdoc.PDFStream(dictionary, compressed)


def _load(name: str) -> TTFont:
    return _SubsetTTFont(name, str(FONT_DIR / FONT_FILES[name]))


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
        pdfmetrics.getFont(name).preseed(doc)


@lru_cache(maxsize=4096)
def printable(text: str, font_name: str = REGULAR) -> str:
    """Replace characters the font lacks: PDF/A forbids showing the .notdef glyph."""
    glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
    if all(ord(char) in glyphs for char in text):
        return text
    return "".join(char if ord(char) in glyphs or char == "\u00a0" else "?" for char in text)
