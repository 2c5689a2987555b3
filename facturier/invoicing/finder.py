"""Finding a seller's invoices: search, filters and keyset pagination (shared by the portal and the API).

Every query starts from one seller and walks the (seller, -issued_at, -id) index; text search is a substring
match on the folded `search_text` column (trigram GIN index on PostgreSQL), and no page ever counts the whole
table.

A text search page (`search_page`) takes one fixed path whatever the text, chosen without asking the planner.
It first walks the recent-first index over the SEARCH_WINDOW newest invoices (after the cursor), which is fast when
matches are dense among recent invoices (a common buyer name, a recent order). Order references and numbers grow
with time, so a fragment of one selects a time slice: when an old one leaves the window short of a page, the
matches are fetched as a set through the trigram index (fenced on PostgreSQL, see `newest_matches`) and sorted.
A selective text thus costs one bounded walk more than a plan PostgreSQL would pick for it alone (a few ms),
never a walk across the seller's whole history. Every step returns exactly the rows and order of the single
query: the window is a prefix of the seller's ordering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import CharField, DateTimeField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from facturier.accounts.models import Seller
from facturier.core.folding import fold
from facturier.invoicing.email_keys import related_key_expression
from facturier.invoicing.models import Invoice, InvoiceQuerySet
from facturier.outbox.models import OutgoingEmail

EMAIL_STATUS_CHOICES = OutgoingEmail.STATE_CHOICES
MAX_PAGE_SIZE = 200
# Newest invoices a text search page walks before switching to the set of matches (a few ms on PostgreSQL).
SEARCH_WINDOW = 5000
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
# A number typed without decimals or € is taken as an amount up to this many digits (beyond: a reference).
MAX_WHOLE_AMOUNT_DIGITS = 7
# The shortest text searched anywhere inside the fields (a trigram, what PostgreSQL's pg_trgm index can use).
MIN_SUBSTRING = 3


@dataclass(frozen=True)
class InvoiceFilters:
    query: str = ""
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""
    email_status: str = ""
    upload_status: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[Invoice]
    next_cursor: str


def parse_amount(text: str) -> Decimal | None:
    """'12,50', '12.50 €' or '-12.5' as a Decimal; None when the text is not an amount."""
    cleaned = text.replace("€", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and abs(amount) < Decimal(10) ** 12 else None


class TextSearch(InvoiceQuerySet):
    """The result of a text search: remembers its seller so `keyset_page` can bound the index walk."""

    window_seller_id: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone.window_seller_id = self.window_seller_id
        return clone


def latest_email_state() -> Subquery:
    emails = OutgoingEmail.objects.filter(related_key=related_key_expression(OuterRef("pk")))
    latest = emails.order_by("-pk").values("state")[:1]
    return Subquery(latest, output_field=CharField())


def search_condition(text: str) -> Q:
    """Any part of the number, order reference, buyer (name, company, e-mail), SKU or line title, case- and
    accent-insensitive (the folded `search_text`, a trigram index on PostgreSQL), or the exact amount.
    Under MIN_SUBSTRING characters a substring selects nearly everything: only the starts of fields match."""
    text = text.strip()[:100]
    amount = parse_amount(text)
    folded = fold(text)
    if len(folded) >= MIN_SUBSTRING:
        condition = Q(search_text__contains=folded)
    else:
        condition = (
            Q(number__istartswith=text) | Q(order_reference__istartswith=text) | Q(buyer_name__istartswith=text)
        )
    if amount is not None and looks_like_amount(text):
        condition |= Q(total_gross=amount) | Q(total_gross=-amount)
    return condition


def looks_like_amount(text: str) -> bool:
    """'12,50', '12.5', '54 €' or '54', but not the 8 or more digits of an order reference: an amount OR'ed to a
    reference search would make PostgreSQL read every candidate of the trigram index without the seller's bound."""
    digits = sum(char.isdigit() for char in text)
    return any(mark in text for mark in ",.€") or digits <= MAX_WHOLE_AMOUNT_DIGITS


def search(seller: Seller, filters: InvoiceFilters) -> QuerySet[Invoice]:
    """The seller's documents matching `filters`, newest first."""
    invoices = Invoice.objects.filter(seller=seller)
    if filters.query.strip():
        invoices = TextSearch(Invoice).filter(seller=seller).filter(search_condition(filters.query))
        invoices.window_seller_id = seller.pk
    # issue_date is the Paris date of issued_at; the looser issued_at bounds (a day of margin covers any
    # offset) let PostgreSQL walk the (seller, -issued_at, -id) index over the range instead of the whole list.
    if filters.date_from:
        invoices = invoices.filter(issue_date__gte=filters.date_from, issued_at__gte=day_start(filters.date_from, -1))
    if filters.date_to:
        invoices = invoices.filter(issue_date__lte=filters.date_to, issued_at__lt=day_start(filters.date_to, 2))
    if filters.kind:
        invoices = invoices.filter(kind=filters.kind)
    if filters.upload_status:
        invoices = invoices.filter(upload_status=filters.upload_status)
    if filters.email_status:
        invoices = invoices.annotate(email_state=latest_email_state()).filter(email_state=filters.email_status)
    return invoices.order_by("-issued_at", "-id")


def day_start(day: date, shift_days: int) -> datetime:
    return datetime.combine(day + timedelta(days=shift_days), time.min, tzinfo=UTC)


def encode_cursor(invoice: Invoice) -> str:
    return f"{invoice.issued_at.isoformat()}_{invoice.pk}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    moment, _, pk = (cursor or "").rpartition("_")
    try:
        parsed = datetime.fromisoformat(moment)
        return (parsed, int(pk)) if parsed.tzinfo is not None else None
    except ValueError:
        return None


def keyset_page(invoices: QuerySet[Invoice], cursor: str = "", size: int = 50) -> Page:
    """One page after `cursor` (newest first); fetches size + 1 rows to know whether a next page exists."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    after = after_cursor(cursor)
    invoices = invoices.filter(after)
    window_seller_id = getattr(invoices, "window_seller_id", None)
    if window_seller_id is None:
        rows = list(invoices.order_by("-issued_at", "-id")[: size + 1])
    else:
        rows = search_page(invoices, window_seller_id, after, size + 1)
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return Page(rows=rows[:size], next_cursor=next_cursor)


def after_cursor(cursor: str) -> Q:
    position = decode_cursor(cursor)
    if position is None:
        return Q()
    moment, pk = position
    # The plain issued_at bound gives the index a start; the OR alone would scan from the newest row.
    return Q(Q(issued_at__lt=moment) | Q(issued_at=moment, id__lt=pk), issued_at__lte=moment)


def newest_matches(invoices: QuerySet[Invoice], limit: int):
    """The ids of the `limit` newest matches, computed as a set then sorted. On PostgreSQL the set is fenced
    (OFFSET 0): otherwise the planner, expecting matches spread over time, walks the whole table in issued_at
    order probing each row against the set, which costs seconds when the matches are old (an order reference)."""
    matching = invoices.order_by().values("id", "issued_at")
    if connection.vendor != "postgresql":
        return matching.values("id")
    sql, params = matching.query.sql_with_params()
    fenced = f"SELECT m.id FROM ({sql} OFFSET 0) AS m ORDER BY m.issued_at DESC, m.id DESC LIMIT %s"
    return RawSQL(fenced, (*params, limit))


def search_page(invoices: QuerySet[Invoice], seller_id: int, after: Q, limit: int) -> list[Invoice]:
    """The first `limit` rows of a text search (already past the cursor), newest first: see the module doc."""
    ordered = invoices.order_by("-issued_at", "-id")
    # issued_at of the SEARCH_WINDOW-th newest invoice past the cursor (any invoice, matching or not; the
    # earliest moment when the seller has fewer): rows at or after it are a prefix of the full ordering.
    window_end = (
        Invoice.objects.filter(after, seller_id=seller_id)
        .order_by("-issued_at", "-id")
        .values("issued_at")[SEARCH_WINDOW - 1 : SEARCH_WINDOW]
    )
    bound = Coalesce(Subquery(window_end), Value(EARLIEST), output_field=DateTimeField())
    rows = list(ordered.filter(issued_at__gte=bound)[:limit])
    if len(rows) == limit:
        return rows
    matches = Invoice.objects.filter(pk__in=newest_matches(invoices, limit))
    if "email_state" in invoices.query.annotations:
        matches = matches.annotate(email_state=latest_email_state())
    return list(matches.order_by("-issued_at", "-id")[:limit])

