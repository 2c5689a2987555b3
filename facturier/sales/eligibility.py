"""Which orders get an invoice, and the reason recorded for every order that does not."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_noop

from facturier.core.clock import now
from facturier.core.stored_text import Joined, Message, Moment, message, stored
from facturier.marketplace.connectors import display_name
from facturier.marketplace.dto import MAIN_CHANNEL, MalformedOrder, MarketOrder, OrderState, TextDamage
from facturier.sales.models import SalesOrder
from facturier.sales.order_rows import storable_lines

INVOICE_CURRENCY = "EUR"  # French sales are in euros; any other currency is refused, never relabelled
# Beyond these, an order is taken for a data error rather than a sale (and would overflow the invoice's columns).
MAX_LINE_QUANTITY = 100_000
MAX_UNIT_PRICE = Decimal(1_000_000)
# A marketplace clock a little ahead of ours is normal; a date further in the future is a data error.
FUTURE_TOLERANCE = timedelta(days=1)
SHORT_ID_HEAD = 47  # + "~" + 16 hex digits of the full id's hash = the column's 64 characters


@dataclass(frozen=True)
class Verdict:
    eligibility: str
    reason: str = ""


def storage_id(order_id: str) -> str:
    """The order's key in our table: its marketplace id, or, when longer than the column, a shortened form that
    stays unique (the full id is kept in full_order_id)."""
    if len(order_id) <= SalesOrder.ORDER_ID_MAX_LENGTH:
        return order_id
    return f"{order_id[:SHORT_ID_HEAD]}~{hashlib.sha256(order_id.encode()).hexdigest()[:16]}"


def content_digest(order: MarketOrder | MalformedOrder) -> str:
    """A fingerprint of the order as read (the normalized order; a malformed one by its id and reason), stored
    with the row at each read, so issuing can say on which content it failed. The dataclasses' repr leaves the raw
    payload out and is deterministic (Decimal and datetime print their exact value)."""
    content = order if isinstance(order, MarketOrder) else (order.order_id, order.reason)
    return hashlib.sha256(repr(content).encode()).hexdigest()


def date_of_supply(order: MarketOrder, first_seen_shipped_at: datetime | None) -> datetime | None:
    """When the goods left: what the marketplace's data shows (for Octopia: status events or parcels), else when
    our sync first saw the order shipped, else the ship-by deadline. Never empty for an order our sync has seen
    shipped."""
    return order.shipped_at or first_seen_shipped_at or order.ship_by


def classify(
    order: MarketOrder | MalformedOrder, *, backfill_start: datetime, extra_channels: Collection[str] = ()
) -> Verdict:
    """`extra_channels`: the sales channels the seller opted in besides the marketplace's own storefront. The
    reason is stored as a message (core.stored_text), shown in the language of the page that reads it."""
    eligibility, reason = judge(order, backfill_start=backfill_start, extra_channels=extra_channels)
    return Verdict(eligibility, stored(reason) if reason else "")


def judge(
    order: MarketOrder | MalformedOrder, *, backfill_start: datetime, extra_channels: Collection[str]
) -> tuple[str, Message | Joined | str | None]:
    damage = damaged_text_reason(order.damaged_text)
    if isinstance(order, MalformedOrder):
        parts = tuple(part for part in (damage, order.reason) if part)
        return SalesOrder.INVALID, parts[0] if len(parts) == 1 else Joined(parts)
    refusal = damage or overlong_id_reason(order.order_id) or future_dates_reason(order)
    if refusal:
        return SalesOrder.INVALID, refusal
    by_state = state_verdict(order)
    if by_state:
        return by_state
    if not invoiced_channel(order.sales_channel, extra_channels):
        return SalesOrder.OTHER_CHANNEL, other_channel_reason(order)
    placed = order.placed_at
    if placed is None:
        return SalesOrder.INVALID, message(gettext_noop("Date de commande absente."))
    if placed < backfill_start:
        return SalesOrder.BEFORE_BACKFILL, message(
            gettext_noop("Passée le %(placed)s, avant le début de la reprise (%(start)s)."),
            placed=Moment(placed), start=Moment(backfill_start),
        )  # fmt: skip
    if not order.active_lines:
        return SalesOrder.CANCELLED, message(gettext_noop("Toutes les lignes ont été annulées avant expédition."))
    if order.currency != INVOICE_CURRENCY:
        return SalesOrder.FOREIGN_CURRENCY, currency_reason(order.currency)
    implausible = implausible_lines_reason(order)
    if implausible:
        return SalesOrder.INVALID, implausible
    destination = (order.delivery_address or order.billing_address).country_code
    if destination != "FR":
        country = destination or message(gettext_noop("pays inconnu"))
        return SalesOrder.OUTSIDE_FRANCE, message(gettext_noop("Livrée hors de France (%(country)s)."), country=country)
    return SalesOrder.ELIGIBLE, None


def state_verdict(order: MarketOrder) -> tuple[str, Message] | None:
    """Cancelled, invoiced by someone else, or not shipped yet: no invoice from us, whatever the rest says."""
    if order.state == OrderState.CANCELLED:
        return SalesOrder.CANCELLED, message(
            gettext_noop("Commande au statut %(status)s sur la marketplace."), status=order.status
        )
    if order.invoiced_elsewhere:
        return SalesOrder.INVOICED_ELSEWHERE, invoiced_elsewhere_reason()
    if order.state not in OrderState.GONE_OUT:
        status = order.status or message(gettext_noop("inconnu"))
        return SalesOrder.NOT_SHIPPED, message(gettext_noop("Pas encore expédiée (statut %(status)s)."), status=status)
    return None


def damaged_text_reason(damage: tuple[TextDamage, ...]) -> Message | None:
    if not damage:
        return None
    kinds = {
        TextDamage.NUL: gettext_noop("caractère NUL"),
        TextDamage.NOT_UTF8: gettext_noop("octets qui ne sont pas de l'UTF-8"),
    }
    where = Joined(
        tuple(
            message(gettext_noop("%(what)s dans %(path)s"), what=message(kinds[item.kind]),
                    path=item.path or message(gettext_noop("la commande")))
            for item in damage
        ),
        " ; ",
    )  # fmt: skip
    return message(
        gettext_noop(
            "Texte abîmé reçu de la marketplace (%(where)s), remplacé par « %(replacement)s » pour l'enregistrement. "
            "La commande sera relue aux prochaines synchronisations."
        ),
        where=where, replacement="\ufffd",
    )  # fmt: skip


def overlong_id_reason(order_id: str) -> Message | None:
    if len(order_id) <= SalesOrder.ORDER_ID_MAX_LENGTH:
        return None
    return message(
        gettext_noop(
            "Identifiant de commande de %(length)s caractères (%(maximum)s au plus) : enregistré sous %(stored)s, "
            "l'identifiant complet est gardé dans les données reçues."
        ),
        length=len(order_id), maximum=SalesOrder.ORDER_ID_MAX_LENGTH, stored=storage_id(order_id),
    )  # fmt: skip


def future_dates_reason(order: MarketOrder) -> Message | None:
    limit = now() + FUTURE_TOLERANCE
    dates = ((gettext_noop("commande"), order.placed_at), (gettext_noop("mise à jour"), order.updated_at),
             (gettext_noop("expédition"), order.shipped_at))  # fmt: skip
    future = [
        message(gettext_noop("%(what)s %(moment)s"), what=message(name), moment=Moment(moment))
        for name, moment in dates if moment and moment > limit
    ]  # fmt: skip
    if not future:
        return None
    return message(
        gettext_noop(
            "Date invraisemblable envoyée par la marketplace : %(dates)s, dans le futur. "
            "La commande sera relue aux prochaines synchronisations."
        ),
        dates=Joined(tuple(future), ", "),
    )


def invoiced_channel(channel: str, extra_channels: Collection[str]) -> bool:
    """The marketplace's own storefront, or a channel the seller opted in (ids compared without case)."""
    return channel == MAIN_CHANNEL or channel.upper() in {extra.upper() for extra in extra_channels}


def other_channel_reason(order: MarketOrder) -> Message:
    channel = order.sales_channel
    name = f"{order.sales_channel_name} ({channel})" if order.sales_channel_name else channel
    return message(
        gettext_noop(
            "Vendue sur le canal %(channel)s : seules les commandes passées sur %(marketplace)s même sont facturées. "
            "Pour facturer ce canal, ajoutez « %(id)s » à « Autres canaux de vente à facturer » dans Réglages."
        ),
        channel=name, marketplace=display_name(order.marketplace), id=channel,
    )  # fmt: skip


def invoiced_elsewhere_reason() -> Message:
    return message(
        gettext_noop(
            "La marketplace montre déjà une facture client pour cette commande, qui ne vient pas de Facturier "
            "(émise par la marketplace elle-même, ou déposée par vous) : Facturier n'en émet pas une seconde."
        )
    )


def currency_reason(currency: str) -> Message:
    if not currency:
        return message(
            gettext_noop("Devise de la commande absente : cette commande ne peut pas être facturée automatiquement.")
        )
    return message(
        gettext_noop(
            "Commande en %(currency)s : seules les commandes en euros (EUR) sont facturées automatiquement ; "
            "cette commande ne peut pas être facturée automatiquement."
        ),
        currency=currency,
    )


def implausible_lines_reason(order: MarketOrder) -> Joined | None:
    problems: list[Message] = []
    for position, line in enumerate(order.lines, start=1):
        if not line.is_active:
            continue
        if line.quantity == 0:
            problems.append(
                message(
                    gettext_noop("Ligne %(line)s : quantité 0, invraisemblable pour une ligne expédiée."), line=position
                )
            )
        elif line.quantity > MAX_LINE_QUANTITY:
            problems.append(message(
                gettext_noop("Ligne %(line)s : quantité %(quantity)s, au-delà de %(maximum)s : invraisemblable."),
                line=position, quantity=line.quantity, maximum=MAX_LINE_QUANTITY,
            ))  # fmt: skip
        if line.unit_price_gross > MAX_UNIT_PRICE:
            problems.append(message(
                gettext_noop("Ligne %(line)s : prix unitaire %(price)s €, au-delà de %(maximum)s € : invraisemblable."),
                line=position, price=f"{line.unit_price_gross.normalize():f}", maximum=str(MAX_UNIT_PRICE),
            ))  # fmt: skip
    if not problems and not storable_lines(order):
        problems.append(
            message(gettext_noop("Montant invraisemblable sur une ligne (au-delà de ce qu'une facture peut porter)."))
        )
    return Joined(tuple(problems)) if problems else None
