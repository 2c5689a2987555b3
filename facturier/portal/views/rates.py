"""Which rate each product went out at, and why; a one-step per-SKU correction for future invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from facturier.accounts.models import SkuVatRate
from facturier.invoicing.drafting import usual_rates
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.portal.decorators import posted, seller_writable
from facturier.portal.forms.rates import SkuRateCorrectionForm
from facturier.tax import regimes
from facturier.tax.products import BOOK, PRESS, product_category

MAX_ROWS = 500
SOURCE_LABELS = {
    regimes.SOURCE_SKU: gettext_lazy("Votre taux pour ce SKU"),
    regimes.SOURCE_DEFAULT: gettext_lazy("Taux par défaut"),
    regimes.SOURCE_REGIME: gettext_lazy("Sans TVA (régime de la vente)"),
    None: gettext_lazy("Non enregistrée (facture antérieure)"),
}
INFERRED_LABELS = {
    BOOK: gettext_lazy("Déduit : livre (EAN ISBN)"),
    PRESS: gettext_lazy("Déduit : presse (EAN ISSN)"),
    None: gettext_lazy("Déduit de la catégorie du produit"),
}


@dataclass(frozen=True)
class RateUsed:
    sku: str
    ean: str
    title: str
    rate: Decimal
    source: str
    lines: int
    last_issued: date
    recorded_rate: Decimal | None

    @property
    def key(self) -> str:
        return self.sku or self.ean


@seller_writable
def rates_used_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    allowed = usual_rates(seller)
    form = SkuRateCorrectionForm(posted(request), rates=allowed)
    if request.method == "POST" and form.is_valid():
        key, rate = form.cleaned_data["key"], form.cleaned_data["rate"]
        SkuVatRate.objects.update_or_create(seller=seller, key=key, defaults={"rate": rate})
        messages.success(request, _("Taux de %(key)s enregistré pour les prochaines factures.") % {"key": key})
        return redirect("portal:rates_used")
    return render(
        request, "portal/rates/used.html", {"rows": rates_used(seller), "form": form, "allowed": allowed}
    )


def rates_used(seller) -> list[RateUsed]:
    """One row per product and rate on the seller's invoices (goods lines), most recent first."""
    goods = InvoiceLine.objects.filter(
        invoice__seller=seller, invoice__kind=Invoice.KIND_INVOICE, kind=InvoiceLine.KIND_GOODS
    )
    grouped = (
        goods.values("sku", "ean", "description", "vat_rate", "rate_source")
        .annotate(lines=Count("id"), last_issued=Max("invoice__issue_date"))
        .order_by("-last_issued", "sku", "ean")[:MAX_ROWS]
    )
    recorded = dict(SkuVatRate.objects.filter(seller=seller).values_list("key", "rate"))
    return [
        RateUsed(
            sku=row["sku"],
            ean=row["ean"],
            title=row["description"],
            rate=row["vat_rate"],
            source=str(source_label(row["rate_source"], row["ean"])),
            lines=row["lines"],
            last_issued=row["last_issued"],
            recorded_rate=recorded.get(row["sku"]) or recorded.get(row["ean"]),
        )
        for row in grouped
    ]


def source_label(source: str | None, ean: str):
    if source == regimes.SOURCE_INFERRED:
        return INFERRED_LABELS.get(product_category(ean), INFERRED_LABELS[None])
    return SOURCE_LABELS.get(source, SOURCE_LABELS[None])
