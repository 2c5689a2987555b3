"""Which number series a seller's document takes (CGI ann. II art. 242 nonies A 7°: several series are allowed
when each stays continuous and is used consistently, invoicing-rules §1.4).

By default one series per kind (invoices, credit notes) across every marketplace. If the seller chooses, one per
marketplace connection, numbered "<invoice or credit-note prefix><connection prefix><sequence>": FAC-FNAC-000001.
The choice, and a connection's prefix, are fixed once a document of a series they concern exists. They change only
through `choose_numbering`, which holds the locks of every series of the seller while it checks and writes;
issuing holds its series' lock and reads the choice again under it, so a change and a first issue never cross.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.errors import FacturierError
from facturier.invoicing.models import Invoice, InvoiceSeries
from facturier.invoicing.numbering import MAX_NUMBER_LENGTH, NUMBER_CHARACTERS, SEQUENCE_DIGITS, lock_series, series_key
from facturier.sales.connection_status import marketplace_name

KINDS = (Invoice.KIND_INVOICE, Invoice.KIND_CREDIT_NOTE)
MODE_FIELD = "numbering_per_marketplace"


@dataclass(frozen=True)
class Series:
    key: str
    prefix: str  # everything before the sequence number
    connection_id: int | None = None  # set when the series is a connection's own
    connection_prefix: str = ""


class NumberingRefused(FacturierError):
    """A numbering change refused; `errors` says why per field: MODE_FIELD or a connection's pk."""

    def __init__(self, errors: Mapping[str | int, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


def connection_series_key(seller_id: int, kind: str, connection_id: int) -> str:
    return f"{series_key(seller_id, kind)}:connection:{connection_id}"


def kind_prefix(seller: Seller, kind: str) -> str:
    return seller.invoice_prefix if kind == Invoice.KIND_INVOICE else seller.credit_note_prefix


def document_series(seller_id: int, kind: str, connection_id: int | None) -> Series:
    """The series a document of this order's connection takes now, read from the database (not from a copy)."""
    seller = Seller.objects.only(MODE_FIELD, "invoice_prefix", "credit_note_prefix").get(pk=seller_id)
    if not seller.numbering_per_marketplace or connection_id is None:
        return Series(series_key(seller_id, kind), kind_prefix(seller, kind))
    own = MarketplaceConnection.objects.filter(pk=connection_id).values_list("number_prefix", flat=True).first() or ""
    return Series(
        connection_series_key(seller_id, kind, connection_id), kind_prefix(seller, kind) + own, connection_id, own
    )


def lock_document_series(seller_id: int, kind: str, connection_id: int | None) -> tuple[Series, InvoiceSeries]:
    """The series of the document and its counter row, locked until the issuing transaction ends. The choice is read
    again under the lock: a change committed meanwhile is seen, and one not yet made waits for this transaction."""
    wanted = document_series(seller_id, kind, connection_id)
    while True:
        row = lock_series(wanted.key, seller_id=seller_id)
        if wanted.connection_id is not None and not wanted.connection_prefix:
            _give_default_prefix(seller_id, wanted.connection_id)  # a connection linked after the choice was made
        current = document_series(seller_id, kind, connection_id)
        if current.key == wanted.key:
            return current, row
        wanted = current


def _give_default_prefix(seller_id: int, connection_id: int) -> None:
    connection = MarketplaceConnection.objects.get(pk=connection_id)
    others = connection_prefixes(seller_id, exclude=connection_id)
    prefix = default_prefix(connection, Seller.objects.get(pk=seller_id), others)
    MarketplaceConnection.objects.filter(pk=connection_id, number_prefix="").update(number_prefix=prefix)


def connection_prefixes(seller_id: int, *, exclude: int | None = None) -> set[str]:
    rows = MarketplaceConnection.objects.filter(seller_id=seller_id).exclude(pk=exclude)
    return {prefix.upper() for prefix in rows.values_list("number_prefix", flat=True) if prefix}


def default_prefix(connection: MarketplaceConnection, seller: Seller, taken: set[str]) -> str:
    """'FNAC7-': up to four letters of the marketplace's name and the connection's id (distinct per seller),
    shortened so that the longest number stays within the limit."""
    folded = unicodedata.normalize("NFKD", marketplace_name(connection)).encode("ascii", "ignore").decode()
    letters = "".join(char for char in folded.upper() if char.isalpha())[:4] or "M"
    room = _prefix_room(seller) - len(f"{connection.pk}-")
    candidate = f"{letters[: max(0, room)]}{connection.pk}-"
    while candidate.upper() in taken:
        candidate = f"{candidate[:-1]}X-"
    return candidate


def _prefix_room(seller: Seller) -> int:
    """How long a connection prefix may be: the longest number (its kind prefix, the connection's, the sequence)
    stays within BT-1's 35 characters, the number column's length."""
    return MAX_NUMBER_LENGTH - SEQUENCE_DIGITS - max(len(seller.invoice_prefix), len(seller.credit_note_prefix))


def prefix_problems(seller: Seller, prefixes: Mapping[int, str]) -> dict[int, str]:
    """{connection pk: why its prefix cannot be used} for prefixes meant for per-marketplace numbering."""
    problems: dict[int, str] = {}
    room = _prefix_room(seller)
    seen: set[str] = set()
    for pk, prefix in prefixes.items():
        if not NUMBER_CHARACTERS.match(prefix):
            problems[pk] = _("Préfixe « %(prefix)s » : seuls les lettres, chiffres et les caractères + - _ / sont "
                             "permis.") % {"prefix": prefix}  # fmt: skip
        elif prefix[-1:].isdigit():
            # "A" + 1000001 and "A1" + 000001 would give the same number.
            problems[pk] = _("Préfixe « %(prefix)s » : il doit finir par une lettre ou par l'un des caractères "
                             "+ - _ /.") % {"prefix": prefix}  # fmt: skip
        elif len(prefix) > room:
            problems[pk] = _("Préfixe « %(prefix)s » trop long : %(room)s caractères au plus avec vos préfixes de "
                             "factures et d'avoirs.") % {"prefix": prefix, "room": room}  # fmt: skip
        elif prefix.upper() in seen:
            problems[pk] = _("Préfixe « %(prefix)s » déjà pris par une autre marketplace.") % {"prefix": prefix}
        seen.add(prefix.upper())
    # An invoice prefix and another connection's credit-note prefix could still spell the same number.
    invoices = {seller.invoice_prefix + prefix: pk for pk, prefix in prefixes.items()}
    credit_notes = {seller.credit_note_prefix + prefix: pk for pk, prefix in prefixes.items()}
    for pk, prefix in prefixes.items():
        crossed = credit_notes.get(seller.invoice_prefix + prefix, pk) != pk
        if pk not in problems and (crossed or invoices.get(seller.credit_note_prefix + prefix, pk) != pk):
            problems[pk] = _("Préfixe « %(prefix)s » : ses numéros se confondraient avec ceux d'une autre "
                             "marketplace.") % {"prefix": prefix}  # fmt: skip
    return problems


def locked_series(seller: Seller) -> set[str]:
    """The keys of the seller's series that hold a document already."""
    return set(Invoice.objects.filter(seller=seller).values_list("series_key", flat=True).distinct())


def is_choice_fixed(seller: Seller) -> bool:
    return Invoice.objects.filter(seller=seller).exists()


def is_prefix_fixed(connection: MarketplaceConnection, fixed_keys: set[str]) -> bool:
    return any(connection_series_key(connection.seller_id, kind, connection.pk) in fixed_keys for kind in KINDS)


def choose_numbering(seller: Seller, *, per_marketplace: bool, prefixes: Mapping[int, str]) -> None:
    """Set the seller's numbering: one series or one per connection, and the connections' prefixes (`prefixes`
    by connection pk; a connection left out keeps its own, an empty one gets a default). Refused with the reasons
    (NumberingRefused) once a document of a concerned series exists, or for a prefix that cannot be used."""
    with transaction.atomic():
        connections = list(MarketplaceConnection.objects.filter(seller=seller).order_by("pk"))
        keys = [series_key(seller.pk, kind) for kind in KINDS]
        keys += [connection_series_key(seller.pk, kind, connection.pk) for connection in connections for kind in KINDS]
        for key in sorted(keys):  # one order for every caller: no deadlock between two changes
            lock_series(key, seller_id=seller.pk)
        current = Seller.objects.get(pk=seller.pk)
        wanted = {c.pk: (prefixes.get(c.pk, c.number_prefix) or "").strip() for c in connections}
        errors = _refusals(current, per_marketplace, connections, wanted)
        if per_marketplace:
            _fill_defaults(current, connections, wanted)
            errors = {**prefix_problems(current, wanted), **errors}
        if errors:
            raise NumberingRefused(errors)
        Seller.objects.filter(pk=seller.pk).update(numbering_per_marketplace=per_marketplace)
        for connection in connections:
            if wanted[connection.pk] != connection.number_prefix:
                MarketplaceConnection.objects.filter(pk=connection.pk).update(number_prefix=wanted[connection.pk])
    seller.numbering_per_marketplace = per_marketplace


def _refusals(
    seller: Seller, per_marketplace: bool, connections: list[MarketplaceConnection], wanted: dict[int, str]
) -> dict[str | int, str]:
    errors: dict[str | int, str] = {}
    if per_marketplace != seller.numbering_per_marketplace and is_choice_fixed(seller):
        errors[MODE_FIELD] = _("Le choix de la numérotation est définitif depuis l'émission de votre première "
                               "facture.")  # fmt: skip
    fixed = locked_series(seller)
    for connection in connections:
        if wanted[connection.pk] != connection.number_prefix and is_prefix_fixed(connection, fixed):
            errors[connection.pk] = _("Le préfixe « %(prefix)s » est définitif : des documents portent déjà des "
                                      "numéros de cette série.") % {"prefix": connection.number_prefix}  # fmt: skip
    return errors


def _fill_defaults(seller: Seller, connections: list[MarketplaceConnection], wanted: dict[int, str]) -> None:
    for connection in connections:
        if not wanted[connection.pk]:
            taken = {prefix.upper() for pk, prefix in wanted.items() if prefix and pk != connection.pk}
            wanted[connection.pk] = default_prefix(connection, seller, taken)
