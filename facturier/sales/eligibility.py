"""Which orders get an invoice, and the reason recorded for every order that does not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facturier.core.clock import PARIS
from facturier.marketplace.dto import MalformedOrder, MarketOrder
from facturier.sales.models import SalesOrder

INVOICEABLE_STATUSES = {"Shipped", "Delivered"}
CANCELLED_STATUSES = {"Cancelled", "Refused", "Rejected"}


@dataclass(frozen=True)
class Verdict:
    eligibility: str
    reason: str = ""


def classify(order: MarketOrder | MalformedOrder, *, backfill_start: datetime) -> Verdict:
    if isinstance(order, MalformedOrder):
        return Verdict(SalesOrder.INVALID, order.reason)
    if order.status in CANCELLED_STATUSES:
        return Verdict(SalesOrder.CANCELLED, f"Commande au statut {order.status} sur la marketplace.")
    if order.status not in INVOICEABLE_STATUSES:
        return Verdict(SalesOrder.NOT_SHIPPED, f"Pas encore expédiée (statut {order.status or 'inconnu'}).")
    placed = order.purchased_at or order.created_at
    if placed is None:
        return Verdict(SalesOrder.INVALID, "Date de commande absente (purchasedAt et createdAt).")
    if placed < backfill_start:
        return Verdict(
            SalesOrder.BEFORE_BACKFILL,
            f"Passée le {placed.astimezone(PARIS):%d/%m/%Y à %H:%M}, avant le début de la reprise "
            f"({backfill_start.astimezone(PARIS):%d/%m/%Y à %H:%M}).",
        )
    if not order.active_lines:
        return Verdict(SalesOrder.CANCELLED, "Toutes les lignes ont été annulées avant expédition.")
    destination = (order.shipping_address or order.billing_address).country_code
    if destination != "FR":
        return Verdict(SalesOrder.OUTSIDE_FRANCE, f"Livrée hors de France ({destination or 'pays inconnu'}).")
    return Verdict(SalesOrder.ELIGIBLE)
