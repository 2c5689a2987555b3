"""Every legal reference printed on a document comes from one table, tax/legal_references.py, so the CGI
citations can switch to their CIBS wording (before 1 Jan 2028) in one place."""

from __future__ import annotations

import ast
from pathlib import Path

from facturier.tax.legal_references import LEGAL_TEXTS

PACKAGE = Path(__file__).resolve().parents[2]
TABLE = PACKAGE / "tax" / "legal_references.py"
# Citations that may only be written in the table (docstrings and comments may still cite the law).
CITATIONS = ("du CGI", "(CGI art.", "Directive 2006/112/CE", "directive 2006/112/CE")


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _modules_printing_documents() -> list[Path]:
    folders = ("tax", "documents", "invoicing", "billing")
    return [
        path
        for folder in folders
        for path in (PACKAGE / folder).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path != TABLE
    ]


def test_no_document_module_writes_a_legal_text_of_its_own():
    found = {
        (str(path.relative_to(PACKAGE)), text)
        for path in _modules_printing_documents()
        for text in _string_literals(path)
        if text in LEGAL_TEXTS.values() or any(citation in text for citation in CITATIONS)
    }
    allowed = {
        # An error message shown to the seller, never printed on a document.
        ("tax/regimes.py", "La franchise en base (art. 293 B du CGI) est réservée aux vendeurs établis en France."),
        # The word of VAT category AE in the printed VAT summary (labels.EXEMPTION_WORDS): the documents layer
        # cannot read tax (independent layers) and the word is no article reference.
        ("documents/labels.py", "Autoliquidation"),
    }
    assert found - allowed == set()


def test_the_table_keeps_the_cgi_wording_invoices_may_quote_until_2028():
    assert LEGAL_TEXTS["franchise"] == "TVA non applicable, art. 293 B du CGI"
    assert LEGAL_TEXTS["reverse_charge_mention"] == "Autoliquidation : TVA due par le preneur, art. 283-1 du CGI"
    assert LEGAL_TEXTS["late_penalty"] == "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points."
