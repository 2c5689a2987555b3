"""The FEC (fichier des écritures comptables, LPF art. A47 A-1, arrêté du 29 juillet 2013) of a seller's sales
journal over a period: one balanced entry per invoice and per credit note, in issue order.

An invoice debits the customer account with its total incl. VAT and credits revenue excl. VAT (goods and shipping
on their own accounts, one line per VAT category and rate) and VAT collected per rate; a credit note is its mirror.
Lines come from the frozen document (its lines and VAT breakdown), never recomputed, so every entry balances to
the cent and the file's totals are the documents' totals.

The format, as the text sets it: the 18 fields of its I (names on the first line), fields separated by `|`
(A47 A-1 allows the tab or `|`; a `|` inside a text is replaced by a space, so the separator stays unequivocal),
records ended by CR LF, characters in ISO 8859-15 (the text allows ASCII, ISO 8859-15 or EBCDIC; UTF-8 is not
among them), amounts with a decimal comma and no thousands separator, dates AAAAMMJJ, and the file named
<SIREN>FEC<closing date AAAAMMJJ>.txt. The journal's words are French: the accounts are kept in French.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import override

from facturier.accounts.accounting import SalesAccounts
from facturier.accounts.models import Seller
from facturier.core import vat_categories
from facturier.core.errors import FacturierError
from facturier.core.folding import fold
from facturier.core.money import ZERO, quantize
from facturier.invoicing.archive import VAT_CATEGORY_LABELS
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.marketplace.connectors import display_name
from facturier.sales.connection_status import marketplace_name
from facturier.tax.identifiers import siren_of_french_vat

COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
SEPARATOR = "|"
RECORD_END = "\r\n"
ENCODING = "iso-8859-15"
ACCOUNTING_CURRENCY = "EUR"
BATCH_SIZE = 500
AUXILIARY_MAX_LENGTH = 17

CUSTOMERS = "Clients"
ACCOUNT_LABELS = {
    InvoiceLine.KIND_GOODS: "Ventes de marchandises",
    InvoiceLine.KIND_SHIPPING: "Ports et frais accessoires facturés",
}
WHAT_IS_SOLD = {InvoiceLine.KIND_GOODS: "Marchandises", InvoiceLine.KIND_SHIPPING: "Frais de port"}
VAT_COLLECTED = "TVA collectée"
DOCUMENT_WORDS = {Invoice.KIND_INVOICE: "Facture", Invoice.KIND_CREDIT_NOTE: "Avoir"}


class FecError(FacturierError):
    """The journal cannot be written as the text requires; the message names the document."""


class UnbalancedEntry(FecError):
    pass


class ForeignCurrencyDocument(FecError):
    pass


@dataclass(frozen=True)
class Period:
    """The days whose documents the file holds; `end` is the closing date in the file's name."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * quarter - 2
        return cls(date(year, first, 1), cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass(frozen=True)
class Auxiliary:
    number: str
    label: str


@dataclass(frozen=True)
class FecLine:
    """One record of the file: a line of an entry (amounts in euros, one of debit and credit is zero)."""

    journal_code: str
    journal_label: str
    entry_number: int
    entry_date: date
    account: str
    account_label: str
    auxiliary: Auxiliary | None
    piece_ref: str
    piece_date: date
    label: str
    debit: Decimal
    credit: Decimal
    validated_on: date

    def cells(self) -> list[str]:
        auxiliary = self.auxiliary or Auxiliary("", "")
        return [
            text_cell(self.journal_code), text_cell(self.journal_label), str(self.entry_number),
            day_cell(self.entry_date), text_cell(self.account), text_cell(self.account_label),
            text_cell(auxiliary.number), text_cell(auxiliary.label), text_cell(self.piece_ref),
            day_cell(self.piece_date), text_cell(self.label), amount_cell(self.debit), amount_cell(self.credit),
            "", "", day_cell(self.validated_on), "", "",
        ]  # fmt: skip


@dataclass(frozen=True)
class _Posting:
    """A line before it is numbered: `amount` is signed, positive on the debit side."""

    account: str
    account_label: str
    label: str
    amount: Decimal
    auxiliary: Auxiliary | None = None


def text_cell(text: str) -> str:
    """A text as the file may hold it: no separator or line break inside, only ISO 8859-15 characters (others
    lose their accents, or become '?')."""
    flat = " ".join(text.replace(SEPARATOR, " ").split())
    try:
        flat.encode(ENCODING)
    except UnicodeEncodeError:
        flat = "".join(_encodable(char) for char in flat)
    return flat


def _encodable(char: str) -> str:
    try:
        char.encode(ENCODING)
        return char
    except UnicodeEncodeError:
        bare = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        if bare == char:  # no decomposition (Ł, đ, ħ...): the base letter its Unicode name gives
            bare = _latin_base_letter(char)
        return bare.encode(ENCODING, errors="replace").decode(ENCODING)


def _latin_base_letter(char: str) -> str:
    """'LATIN CAPITAL LETTER L WITH STROKE' -> 'L'; anything else stays as it is."""
    match = re.match(r"LATIN (CAPITAL|SMALL) LETTER ([A-Z]) WITH ", unicodedata.name(char, ""))
    if not match:
        return char
    return match[2] if match[1] == "CAPITAL" else match[2].lower()


def amount_cell(amount: Decimal) -> str:
    return f"{quantize(amount):.2f}".replace(".", ",")


def day_cell(day: date) -> str:
    return f"{day:%Y%m%d}"


def rate_words(rate: Decimal) -> str:
    return f"{rate.normalize():f}".replace(".", ",") + " %"


def seller_siren(seller: Seller) -> str:
    return seller.siren or siren_of_french_vat(seller.fr_vat_number) or siren_of_french_vat(seller.vat_number)


def file_name(seller: Seller, period: Period) -> str:
    """<SIREN>FEC<closing date>.txt (a seller without a SIREN gets FEC<closing date>.txt)."""
    return f"{seller_siren(seller)}FEC{period.end:%Y%m%d}.txt"


def period_documents(seller: Seller, period: Period):
    return Invoice.objects.filter(seller=seller, issue_date__gte=period.start, issue_date__lte=period.end)


def foreign_currency_documents(seller: Seller, period: Period) -> list[str]:
    """Documents not in euros: their entry needs the euro amount at the day's rate, which Facturier does not
    hold (it only issues in euros), so they are named instead of being written with a made-up amount."""
    documents = period_documents(seller, period).exclude(currency=ACCOUNTING_CURRENCY)
    return [f"{number} ({currency})" for number, currency in documents.values_list("number", "currency")]


def fec_lines(seller: Seller, period: Period, accounts: SalesAccounts) -> Iterator[FecLine]:
    """Every line of the period's entries, documents in issue order, entries numbered 1, 2, 3... in the file."""
    foreign = foreign_currency_documents(seller, period)
    if foreign:
        raise ForeignCurrencyDocument(f"Documents hors euro, sans contre-valeur en euros : {', '.join(foreign)}.")
    auxiliaries = _auxiliaries(seller) if accounts.auxiliary_per_marketplace else {}
    documents = (
        period_documents(seller, period)
        .select_related("order")
        .prefetch_related("lines")
        .order_by("issued_at", "id")
        .iterator(chunk_size=BATCH_SIZE)
    )
    for number, document in enumerate(documents, start=1):
        auxiliary = _auxiliary_of(document, auxiliaries) if accounts.auxiliary_per_marketplace else None
        yield from _entry(document, number, accounts, auxiliary)


def _auxiliaries(seller: Seller) -> dict[int, Auxiliary]:
    return {connection.pk: auxiliary_account(marketplace_name(connection)) for connection in seller.connections.all()}


def _auxiliary_of(document: Invoice, auxiliaries: dict[int, Auxiliary]) -> Auxiliary:
    order = document.order
    return auxiliaries.get(order.connection_id) or auxiliary_account(display_name(order.marketplace))


def auxiliary_account(marketplace: str) -> Auxiliary:
    """The marketplace's customer sub-account: its name in capitals and digits ('Mirakl Démo' -> MIRAKLDEMO)."""
    number = "".join(char for char in fold(marketplace).upper() if char.isascii() and char.isalnum())
    return Auxiliary(number[:AUXILIARY_MAX_LENGTH] or "MARKETPLACE", marketplace)


def _entry(document: Invoice, number: int, accounts: SalesAccounts, auxiliary: Auxiliary | None) -> list[FecLine]:
    postings = _postings(document, accounts, auxiliary)
    if sum(posting.amount for posting in postings) != ZERO:
        raise UnbalancedEntry(f"L'écriture de {document.number} ne s'équilibre pas.")
    day = document.issue_date
    return [
        FecLine(
            journal_code=accounts.journal_code, journal_label=accounts.journal_label, entry_number=number,
            entry_date=day, account=posting.account, account_label=posting.account_label,
            auxiliary=posting.auxiliary, piece_ref=document.number, piece_date=day, label=posting.label,
            debit=max(posting.amount, ZERO), credit=max(-posting.amount, ZERO),
            validated_on=day,  # an issued document is final: the entry is validated the day it is issued
        )
        for posting in postings
    ]  # fmt: skip


def _postings(document: Invoice, accounts: SalesAccounts, auxiliary: Auxiliary | None) -> list[_Posting]:
    """The entry of an invoice (customer debit, revenue and VAT credit); a credit note's is its mirror."""
    sign = Decimal(-1) if document.is_credit_note else Decimal(1)
    title = f"{DOCUMENT_WORDS.get(document.kind, document.kind)} {document.number}"
    buyer = document.buyer_name or document.order_reference
    customer = _Posting(
        accounts.customer_account, CUSTOMERS, f"{title} {buyer}", sign * document.total_gross, auxiliary
    )
    revenue = [
        _Posting(account, label, f"{title} {detail}", -sign * amount)
        for account, label, detail, amount in _revenue(document, accounts)
    ]
    vat = [
        _Posting(account, label, f"{title} TVA {rate_words(rate)}", -sign * amount)
        for account, label, rate, amount in _vat(document, accounts)
    ]
    return [customer, *revenue, *vat]


def _revenue(document: Invoice, accounts: SalesAccounts) -> Iterator[tuple[str, str, str, Decimal]]:
    """Net amounts per kind (goods, shipping), VAT category and rate, goods first, highest rate first."""
    totals: dict[tuple[str, str, Decimal], Decimal] = defaultdict(Decimal)
    for line in document.lines.all():
        kind = line.kind if line.kind in ACCOUNT_LABELS else InvoiceLine.KIND_GOODS
        totals[(kind, line.vat_category, line.vat_rate)] += line.net_amount
    with override("fr"):
        words = {code: str(word) for code, word in VAT_CATEGORY_LABELS.items()}
    for (kind, category, rate), amount in sorted(totals.items(), key=_revenue_order):
        if amount == ZERO:
            continue
        account = accounts.goods_account if kind == InvoiceLine.KIND_GOODS else accounts.shipping_account
        # One account, one label: shipping booked on the goods account takes the goods account's label.
        label = ACCOUNT_LABELS[InvoiceLine.KIND_GOODS if account == accounts.goods_account else kind]
        if category in vat_categories.CHARGED:
            detail = f"{WHAT_IS_SOLD[kind]} TVA {rate_words(rate)}"
        else:  # exempt, intra-EU, reverse charge, out of scope: the invoice's own category, no VAT line
            detail = f"{WHAT_IS_SOLD[kind]} {words.get(category, category)}"
        yield account, label, detail, amount


def _revenue_order(item) -> tuple:
    (kind, category, rate), _amount = item
    return (kind != InvoiceLine.KIND_GOODS, category, -rate)


def _vat(document: Invoice, accounts: SalesAccounts) -> Iterator[tuple[str, str, Decimal, Decimal]]:
    """VAT collected per rate, from the document's frozen VAT breakdown."""
    totals: dict[Decimal, Decimal] = defaultdict(Decimal)
    for row in document.vat_breakdown:
        totals[Decimal(row["rate"])] += Decimal(row["tax_amount"])
    for rate, amount in sorted(totals.items(), key=lambda item: -item[0]):
        if amount == ZERO:
            continue
        label = f"{VAT_COLLECTED} {rate_words(rate)}" if accounts.vat_suffix_per_rate else VAT_COLLECTED
        yield accounts.vat_account_for(rate), label, rate, amount


def fec_chunks(lines: Iterable[FecLine]) -> Iterator[bytes]:
    """The file's bytes: the header line, then the records, a chunk per entry."""
    yield (SEPARATOR.join(COLUMNS) + RECORD_END).encode(ENCODING)
    entry: list[str] = []
    current = None
    for line in lines:
        if line.entry_number != current and entry:
            yield "".join(entry).encode(ENCODING)
            entry = []
        current = line.entry_number
        entry.append(SEPARATOR.join(line.cells()) + RECORD_END)
    if entry:
        yield "".join(entry).encode(ENCODING)
