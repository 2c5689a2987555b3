"""What the reform asks of a seller (§A1) and which of its documents go into a B2C transactions report (§A2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from facturier.accounts.models import Seller
from facturier.accounts.reform import ReformProfile

# VAT cases (facturier.tax.regimes) where the seller owes French VAT on a sale in France.
FRENCH_VAT_CASES = frozenset({"FR_DOMESTIC", "FRANCHISE", "D_STOCK_IN_FRANCE", "C_FR_REGISTERED"})
OSS_CASE = "B_OSS"
# Flux 10.3 categories (G1.68): goods with their shipping are TLB1, services TPS1.
GOODS_CATEGORY = "TLB1"
SERVICES_CATEGORY = "TPS1"
SERVICE_LINE_KINDS = frozenset({"service"})


def profile_of(seller: Seller) -> ReformProfile:
    """The seller's reform settings, created on first use from what Seller already says."""
    profile = ReformProfile.objects.filter(seller=seller).first()
    if profile is None:
        regime = ReformProfile.REGIME_FRANCHISE if seller.franchise_en_base else ReformProfile.REGIME_MONTHLY
        profile, _created = ReformProfile.objects.get_or_create(
            seller=seller, defaults={"established_in_france": seller.country == "FR", "vat_regime": regime}
        )
    return profile


def reported_vat_cases(profile: ReformProfile) -> frozenset[str]:
    return FRENCH_VAT_CASES | {OSS_CASE} if profile.report_oss_sales else FRENCH_VAT_CASES


def category_of(line_kind: str) -> str:
    return SERVICES_CATEGORY if line_kind in SERVICE_LINE_KINDS else GOODS_CATEGORY


@dataclass(frozen=True)
class Obligations:
    e_invoicing: bool
    e_reporting: bool
    start: date
    notes: tuple[str, ...]


def obligations(profile: ReformProfile) -> Obligations:
    notes = []
    if not profile.established_in_france:
        notes.append(
            _(
                "Vendeur non établi en France : e-reporting seulement. La facturation électronique ne concerne que "
                "les entreprises établies en France (CGI 289 bis), même avec un SIREN."
            )
        )
    notes.append(
        _(
            "Ventes à distance déclarées au guichet unique OSS : leur inclusion dans l'e-reporting n'est pas "
            "tranchée officiellement ; elles ne sont déclarées que si vous activez l'option."
        )
    )
    notes.append(
        _(
            "Hors périmètre de Facturier pour l'instant : e-reporting des ventes B2B internationales (flux 10.1) "
            "et des paiements (flux 10.4, services seulement)."
        )
    )
    return Obligations(
        e_invoicing=profile.established_in_france,
        e_reporting=True,
        start=profile.start,
        notes=tuple(notes),
    )
