"""The accounting page's forms: the accounts of the sales journal, and the period of an FEC export."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from facturier.accounts.accounting import AccountingSettings
from facturier.invoicing.fec import Period

# A first financial year may last up to 24 months; a file spans one year at most beyond that.
MAX_PERIOD_DAYS = 731
MONTH_CHOICES = list(MONTHS.items())  # Django's month names, in the page's language
QUARTERS = [(1, _("1er trimestre")), (2, _("2e trimestre")), (3, _("3e trimestre")), (4, _("4e trimestre"))]


class AccountingSettingsForm(forms.ModelForm):
    class Meta:
        model = AccountingSettings
        fields = ["journal_code", "journal_label", "customer_account", "customer_auxiliary", "goods_account",
                  "shipping_account", "vat_account", "vat_suffix_per_rate"]  # fmt: skip
        labels = {
            "journal_code": _("Code du journal des ventes"),
            "journal_label": _("Libellé du journal"),
            "customer_account": _("Compte clients (collectif)"),
            "customer_auxiliary": _("Comptes auxiliaires clients"),
            "goods_account": _("Compte de ventes de marchandises"),
            "shipping_account": _("Compte des frais de port refacturés"),
            "vat_account": _("Compte de TVA collectée"),
            "vat_suffix_per_rate": _("Un sous-compte de TVA par taux (suffixe : 200 pour 20 %, 055 pour 5,5 %)"),
        }
        help_texts = {
            "customer_account": _("Chiffres seulement, par exemple 411 ou 411000."),
            "goods_account": _("Par exemple 707 ; les ventes de chaque taux et catégorie de TVA y sont ventilées."),
            "shipping_account": _("Par exemple 7085 ; le même compte que les marchandises est accepté."),
        }

    def clean_journal_code(self) -> str:
        return self.cleaned_data["journal_code"].strip().upper()

    def clean_journal_label(self) -> str:
        label = " ".join(self.cleaned_data["journal_label"].replace("|", " ").split())
        if not label:
            raise forms.ValidationError(_("Donnez un libellé au journal."))
        return label


class FecPeriodForm(forms.Form):
    MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"

    period = forms.ChoiceField(label=_("Période"), choices=[
        (MONTH, _("Un mois")), (QUARTER, _("Un trimestre")), (YEAR, _("Une année civile")),
        (CUSTOM, _("Dates au choix (exercice décalé)")),
    ])  # fmt: skip
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(label=_("Mois"), choices=MONTH_CHOICES, coerce=int, required=False)
    quarter = forms.TypedChoiceField(label=_("Trimestre"), choices=QUARTERS, coerce=int, required=False)
    date_from = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Au (date de clôture)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    @classmethod
    def initial_for(cls, today: date) -> dict:
        """Last month, the export an accountant asks for most."""
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return {"period": cls.MONTH, "year": year, "month": month, "quarter": (month + 2) // 3}

    def clean(self) -> dict:
        cleaned = super().clean()
        kind = cleaned.get("period")
        if kind == self.CUSTOM:
            self._check_dates(cleaned)
        elif kind:
            self._require(cleaned, "year", *({self.MONTH: ["month"], self.QUARTER: ["quarter"]}.get(kind, [])))
        return cleaned

    def _require(self, cleaned: dict, *names: str) -> None:
        for name in names:
            if cleaned.get(name) in (None, ""):
                self.add_error(name, _("Ce champ est obligatoire pour cette période."))

    def _check_dates(self, cleaned: dict) -> None:
        self._require(cleaned, "date_from", "date_to")
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("La date de clôture précède le début de la période."))
        elif start and end and (end - start).days >= MAX_PERIOD_DAYS:
            self.add_error("date_to", _("Une période couvre 24 mois au plus (un exercice)."))

    def chosen_period(self) -> Period:
        data = self.cleaned_data
        kind = data["period"]
        if kind == self.MONTH:
            return Period.month(data["year"], data["month"])
        if kind == self.QUARTER:
            return Period.quarter(data["year"], data["quarter"])
        if kind == self.YEAR:
            return Period.year(data["year"])
        return Period(data["date_from"], data["date_to"])
