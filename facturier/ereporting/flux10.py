"""The flux 10.3 XML (DGFiP "Spécifications externes" v3.2) and its checks against the official XSD and the
Flux10 schematron, both shipped in pyfrctc. pyfrctc writes the XML; the checks run here because pyfrctc's
schematron check needs a Saxon HTTP server and skips silently without one, so saxonche runs it in-process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree
from pyfrctc.ereporting import generate_ereporting_transactions

from facturier.core.clock import PARIS
from facturier.documents.validation import errors_only, run_schematron
from facturier.ereporting.aggregate import TransactionBlock

PYFRCTC = Path(str(files("pyfrctc")))
XSD_PATH = PYFRCTC / "frr-xsd" / "ereporting.xsd"
SCHEMATRON_PATH = PYFRCTC / "frr-schematron" / "Flux10.xslt"
SCHEME_PA = "0238"  # G6.22: the sender is a plateforme agréée
SCHEME_SIREN = "0002"  # G6.26: the declarant is a SIREN
ROLE_PA = "WK"
ROLE_SELLER = "SE"
TYPE_INITIAL = "IN"
TYPE_CORRECTIVE = "RE"


@dataclass(frozen=True)
class ReportHeader:
    report_id: str  # TT-1, at most 50 characters
    issued_at: datetime  # TT-3, written in Europe/Paris time (pyfrctc 0.25 changelog)
    type_code: str  # TT-4: IN or RE
    pa_code: str
    pa_name: str
    siren: str
    seller_name: str
    start: date
    end: date


def amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def percent(rate: Decimal) -> str:
    """20.00 -> "20", 5.50 -> "5.5": the schematron compares against the French list (G1.24)."""
    return f"{rate.normalize():f}"


def render(header: ReportHeader, blocks: tuple[TransactionBlock, ...]) -> bytes:
    data = {
        "TT-1": header.report_id,
        "TT-3": header.issued_at.astimezone(PARIS),
        "TT-4": header.type_code,
        "TT-7": SCHEME_PA,
        "TT-8": header.pa_code,
        "TT-9": header.pa_name,
        "TT-10": ROLE_PA,
        "TT-12": SCHEME_SIREN,
        "TT-13": header.siren,
        "TT-14": header.seller_name,
        "TT-15": ROLE_SELLER,
        "TT-17": header.start,
        "TT-18": header.end,
        "TG-31": [_transactions(block) for block in blocks],
    }
    return generate_ereporting_transactions(data, check_xsd=False)


def _transactions(block: TransactionBlock) -> dict:
    return {
        "TT-77": block.day,
        "TT-78": block.currency,
        "TT-80": block.due_option,
        "TT-81": block.category,
        "TT-82": amount(block.taxable),
        "TT-83": amount(block.tax),
        "TG-32": [
            {"TT-86": percent(r.rate), "TT-87": amount(r.taxable), "TT-88": amount(r.tax)} for r in block.rates
        ],
    }


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(XSD_PATH))


def xsd_errors(xml: bytes) -> list[str]:
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [f"XML: {error}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"XSD ligne {e.line}: {e.message}" for e in schema.error_log]


def schematron_errors(xml: bytes) -> list[str]:
    failures = errors_only(run_schematron(SCHEMATRON_PATH, xml))
    return [" ".join(filter(None, [f.id, f.text, f"({f.location})"])) for f in failures]


def validate(xml: bytes) -> list[str]:
    """Every problem the DGFiP would see; [] when the report may leave."""
    return xsd_errors(xml) or schematron_errors(xml)
