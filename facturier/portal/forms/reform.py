"""The reform settings form: establishment, size, VAT regime, SIREN, OSS option, and the PA connection."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.tax.identifiers import IdentifierError, validate_siren


class ReformForm(forms.ModelForm):
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False,
                            help_text=_("Aussi pour les vendeurs étrangers immatriculés à la TVA française : le SIEE "
                                        "attribue un SIREN. C'est le déclarant de l'e-reporting."))
    flow_url = forms.URLField(label=_("URL du Flow Service AFNOR de votre PA"), required=False, assume_scheme="https")
    token_url = forms.URLField(label=_("URL du jeton OAuth2 de votre PA"), required=False, assume_scheme="https")
    client_id = forms.CharField(label=_("Client ID OAuth2"), required=False)
    client_secret = forms.CharField(label=_("Client secret OAuth2"), required=False, widget=forms.PasswordInput,
                                    help_text=_("Laisser vide pour garder le secret enregistré."))

    class Meta:
        model = ReformProfile
        fields = ["established_in_france", "company_size", "early_start", "vat_regime", "report_oss_sales",
                  "pa_code", "pa_name"]
        labels = {
            "established_in_france": _("Entreprise établie en France"),
            "company_size": _("Taille de l'entreprise"),
            "early_start": _("Démarrage anticipé le"),
            "vat_regime": _("Régime de TVA français"),
            "report_oss_sales": _("Déclarer aussi les ventes à distance déclarées à l'OSS"),
            "pa_code": _("Code de votre plateforme agréée (4 caractères)"),
            "pa_name": _("Nom de votre plateforme agréée"),
        }
        help_texts = {
            "report_oss_sales": _("Non tranché officiellement : désactivé par défaut. Demandez à votre conseil."),
        }
        widgets = {"early_start": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, seller: Seller, **kwargs):
        super().__init__(*args, **kwargs)
        self.seller = seller
        self.connection = PAConnection.objects.filter(seller=seller).first()
        self.fields["siren"].initial = seller.siren
        if self.connection is not None:
            for name in ("flow_url", "token_url", "client_id"):
                self.fields[name].initial = getattr(self.connection, name)

    def clean_siren(self) -> str:
        value = self.cleaned_data["siren"].strip()
        if not value:
            return ""
        try:
            return validate_siren(value)
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_pa_code(self) -> str:
        code = self.cleaned_data["pa_code"].strip()
        if code and len(code) != 4:
            raise forms.ValidationError(_("Le code d'une plateforme agréée a 4 caractères."))
        return code

    def clean(self):
        data = super().clean()
        connection_fields = [data.get(name) for name in ("flow_url", "token_url", "client_id")]
        if any(connection_fields) and not all(connection_fields):
            raise forms.ValidationError(_("Pour connecter votre PA, renseignez les deux URL et le client ID."))
        if any(connection_fields) and not (data.get("client_secret") or self.connection):
            self.add_error("client_secret", _("Le client secret est requis pour une nouvelle connexion."))
        return data

    @transaction.atomic
    def save(self, commit: bool = True) -> ReformProfile:
        profile = super().save()
        if self.cleaned_data["siren"] != self.seller.siren:
            Seller.objects.filter(pk=self.seller.pk).update(siren=self.cleaned_data["siren"])
        self._save_connection()
        return profile

    def _save_connection(self) -> None:
        data = self.cleaned_data
        if not data.get("flow_url"):
            return
        connection = self.connection or PAConnection(seller=self.seller)
        connection.flow_url, connection.token_url, connection.client_id = (
            data["flow_url"], data["token_url"], data["client_id"])
        if data.get("client_secret"):
            connection.client_secret = data["client_secret"]
        connection.status = PAConnection.STATUS_UNTESTED
        connection.status_message = ""
        connection.save()
