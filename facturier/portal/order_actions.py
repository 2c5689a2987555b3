"""What the seller can do about each reason an order was not invoiced, and where (a page of the portal)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from facturier.sales.models import SalesOrder
from facturier.sales.not_invoiced import NEEDS_ACTION


@dataclass(frozen=True)
class ReasonAction:
    advice: Promise
    link_label: Promise | None = None
    url_name: str = ""  # a portal page; empty: the order's own page (or nothing when link_label is None)
    anchor: str = ""

    def url(self, order: SalesOrder | None = None) -> str:
        if self.link_label is None:
            return ""
        if self.url_name:
            return reverse(self.url_name) + self.anchor
        return reverse("portal:order_detail", args=[order.pk]) if order is not None else ""


ACTIONS = {
    SalesOrder.NOT_INVOICEABLE: ReasonAction(
        _("Votre configuration TVA ne permet pas de facturer cette commande : complétez-la dans les réglages, "
          "la commande sera facturée à la prochaine synchronisation."),
        _("Ouvrir les réglages TVA"), "portal:settings", "#id_default_vat_rate"),
    SalesOrder.OTHER_CHANNEL: ReasonAction(
        _("Seules les commandes passées sur le site même de la marketplace sont facturées. Pour facturer ce canal "
          "aussi, ajoutez-le aux autres canaux de vente à facturer."),
        _("Choisir les canaux facturés"), "portal:settings", "#id_extra_sales_channels"),
    SalesOrder.INVALID: ReasonAction(
        _("La marketplace a envoyé des données incomplètes ou incohérentes : vérifiez la commande ; elle sera "
          "facturée dès que la marketplace enverra des données correctes."),
        _("Voir la commande")),
    SalesOrder.FOREIGN_CURRENCY: ReasonAction(
        _("Facturier ne facture qu'en euros : établissez vous-même la facture de cette commande."),
        _("Voir la commande")),
    SalesOrder.NOT_SHIPPED: ReasonAction(_("Rien à faire : elle sera facturée à son expédition.")),
    SalesOrder.BEFORE_BACKFILL: ReasonAction(
        _("Rien à faire : passée avant le début de la reprise, elle n'est pas facturée par Facturier.")),
    SalesOrder.OUTSIDE_FRANCE: ReasonAction(_("Rien à faire : les livraisons hors de France ne sont pas facturées.")),
    SalesOrder.CANCELLED: ReasonAction(_("Rien à faire : une commande annulée avant expédition n'est pas facturée.")),
}  # fmt: skip


def action_for(eligibility: str) -> ReasonAction | None:
    return ACTIONS.get(eligibility)


def needs_action(eligibility: str) -> bool:
    return eligibility in NEEDS_ACTION
