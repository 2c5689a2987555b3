"""The one-step correction of a product's VAT rate for future invoices (rates page)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.tax.eu import format_rate_fr


class SkuRateCorrectionForm(forms.Form):
    key = forms.CharField(label=_("SKU ou EAN"), max_length=100)
    rate = forms.TypedChoiceField(label=_("Taux"), coerce=Decimal)

    def __init__(self, *args, rates: tuple[Decimal, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate"].choices = [(str(rate), f"{format_rate_fr(rate)} %") for rate in rates]
        self.fields["rate"].error_messages["invalid_choice"] = _(
            "Taux « %(value)s » non autorisé pour vos ventes."
        )

    def clean_key(self) -> str:
        return self.cleaned_data["key"].strip()
