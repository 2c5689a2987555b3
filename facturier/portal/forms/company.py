"""Registration forms: legal identity, VAT set-up, billing mandate, marketplace credentials."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import Seller
from facturier.tax.eu import EU_MEMBER_STATES, FRENCH_RATES
from facturier.tax.identifiers import (
    IdentifierError,
    validate_country,
    validate_siren,
    validate_siret,
    validate_vat_number,
)

# The EU member states a seller may be established in (tax/eu.py decides which), named in the page's language.
EU_COUNTRY_NAMES = {
    "AT": _("Autriche"), "BE": _("Belgique"), "BG": _("Bulgarie"), "CY": _("Chypre"), "CZ": _("Tchéquie"),
    "DE": _("Allemagne"), "DK": _("Danemark"), "EE": _("Estonie"), "ES": _("Espagne"), "FI": _("Finlande"),
    "FR": _("France"), "GR": _("Grèce"), "HR": _("Croatie"), "HU": _("Hongrie"), "IE": _("Irlande"),
    "IT": _("Italie"), "LT": _("Lituanie"), "LU": _("Luxembourg"), "LV": _("Lettonie"), "MT": _("Malte"),
    "NL": _("Pays-Bas"), "PL": _("Pologne"), "PT": _("Portugal"), "RO": _("Roumanie"), "SE": _("Suède"),
    "SI": _("Slovénie"), "SK": _("Slovaquie"),
}  # fmt: skip


def eu_country_choices() -> list[tuple[str, str]]:
    named = sorted(((code, str(name)) for code, name in EU_COUNTRY_NAMES.items() if code in EU_MEMBER_STATES),
                   key=lambda choice: accent_free_key(choice[1]))
    return [("", "—"), *named]


def accent_free_key(text: str) -> str:
    """A sort key that puts « Émirats » with the E's, without depending on the machine's locales."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


RATE_CHOICES = [(str(rate), f"{rate} %".replace(".", ",")) for rate in FRENCH_RATES]


class RateChoiceField(forms.TypedChoiceField):
    """A French VAT rate; the stored 20.00 or 5.50 pre-selects its choice ("20", "5.5")."""

    def __init__(self, **kwargs) -> None:
        super().__init__(label=_("Taux de TVA par défaut"), choices=RATE_CHOICES, coerce=Decimal, **kwargs)

    def prepare_value(self, value):
        return f"{value.normalize():f}" if isinstance(value, Decimal) else value


def identifier_error(error: IdentifierError) -> forms.ValidationError:
    language = (get_language() or "fr")[:2]
    return forms.ValidationError(error.message_en if language == "en" else error.message, code=error.code)


def checked(validator, *args) -> str:
    try:
        return validator(*args)
    except IdentifierError as error:
        raise identifier_error(error) from None


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Seller
        fields = [
            "legal_name", "legal_form", "share_capital", "address_line1", "address_line2", "postal_code", "city",
            "country", "siren", "siret", "rcs_city", "trade_register", "vat_number",
        ]  # fmt: skip
        labels = {
            "legal_name": _("Raison sociale"), "legal_form": _("Forme juridique"),
            "share_capital": _("Capital social"), "address_line1": _("Adresse"),
            "address_line2": _("Complément d'adresse"), "postal_code": _("Code postal"), "city": _("Ville"),
            "country": _("Pays d'établissement"), "siren": _("SIREN"), "siret": _("SIRET"),
            "rcs_city": _("Ville du RCS"), "trade_register": _("Registre du commerce (hors France)"),
            "vat_number": _("Numéro de TVA intracommunautaire"),
        }  # fmt: skip
        widgets = {"country": forms.Select}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A chooser rather than a free ISO code; what is posted is still checked by clean_country (EU only).
        self.fields["country"].widget.choices = eu_country_choices()

    def clean_country(self) -> str:
        return checked(validate_country, self.cleaned_data["country"])

    def clean_siren(self) -> str:
        value = self.cleaned_data["siren"].strip()
        return checked(validate_siren, value) if value else ""

    def clean_siret(self) -> str:
        value = self.cleaned_data["siret"].strip()
        return checked(validate_siret, value) if value else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        country = cleaned.get("country")
        vat = (cleaned.get("vat_number") or "").strip()
        if country and vat:
            try:
                cleaned["vat_number"] = validate_vat_number(vat, country)
            except IdentifierError as error:
                self.add_error("vat_number", identifier_error(error))
        if country == "FR" and "siren" in cleaned and not cleaned["siren"]:
            self.add_error("siren", _("Le SIREN est obligatoire pour une entreprise établie en France."))
        siret, siren = cleaned.get("siret"), cleaned.get("siren")
        if siret and siren and not siret.startswith(siren):
            self.add_error("siret", _("Le SIRET doit commencer par le SIREN."))
        return cleaned


class VatSetupForm(forms.ModelForm):
    default_vat_rate = RateChoiceField(initial="20")

    class Meta:
        model = Seller
        fields = ["oss_registered", "fr_vat_number", "above_distance_threshold", "franchise_en_base",
                  "default_vat_rate", "vat_on_debits", "reform_mentions_from"]
        labels = {
            "oss_registered": _("Inscrit au guichet unique OSS"),
            "fr_vat_number": _("Numéro de TVA français (si immatriculé en France)"),
            "above_distance_threshold": _("Ventes à distance dans l'UE au-delà de 10 000 € par an"),
            "franchise_en_base": _("Franchise en base de TVA (art. 293 B du CGI)"),
            "vat_on_debits": _("Option pour le paiement de la taxe d'après les débits"),
            "reform_mentions_from": _("Nouvelles mentions de la réforme à partir du"),
        }
        help_texts = {
            "reform_mentions_from": _("Laissez vide pour les imprimer dès maintenant (autorisé avant votre date "
                                      "d'entrée dans la facturation électronique)."),
        }

    def clean_fr_vat_number(self) -> str:
        value = self.cleaned_data["fr_vat_number"].strip()
        return checked(validate_vat_number, value, "FR") if value else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        country = self.instance.country
        if cleaned.get("franchise_en_base") and country != "FR":
            self.add_error("franchise_en_base", _("La franchise en base est un régime français : elle ne "
                                                  "s'applique qu'aux entreprises établies en France."))
        if country == "FR" and not cleaned.get("franchise_en_base") and not self.instance.vat_number:
            self.add_error(None, _("Sans franchise en base, indiquez votre numéro de TVA dans l'identité de "
                                   "l'entreprise."))
        if country == "FR" and "fr_vat_number" in cleaned and not cleaned["fr_vat_number"]:
            cleaned["fr_vat_number"] = self.instance.vat_number
        return cleaned


class MandateForm(forms.Form):
    accept = forms.BooleanField(
        label=_("J'ai lu et j'accepte le mandat de facturation ci-dessus."),
        error_messages={"required": _("Vous devez accepter le mandat pour que Facturier émette vos factures.")},
    )


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("J'ai lu et j'accepte cette version des conditions générales d'utilisation."),
        error_messages={"required": _("Cochez la case pour accepter cette version des conditions générales.")},
    )


class ConnectionForm(forms.Form):
    """A marketplace connection: the account id and the credential fields the chosen backend declares. Editing a
    connection, a secret left empty keeps the stored one."""

    marketplace = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, backend, connection=None):
        initial = {"marketplace": backend.kind}
        if connection is not None:
            initial["account_id"] = connection.account_id
            initial.update({f.name: connection.credentials.get(f.name, "") for f in backend.credential_fields
                            if not f.secret})  # fmt: skip
        super().__init__(data, initial=initial)
        self.backend, self.connection = backend, connection
        account = backend.account_field
        self.fields["account_id"] = forms.CharField(label=account.label, help_text=account.help_text, max_length=200)
        for credential in backend.credential_fields:
            widget = forms.PasswordInput(render_value=False) if credential.secret else None
            self.fields[credential.name] = forms.CharField(
                label=credential.label, help_text=credential.help_text, max_length=500, widget=widget,
                required=not (credential.secret and connection is not None), validators=list(credential.validators),
            )  # fmt: skip

    def clean_marketplace(self) -> str:
        if self.cleaned_data["marketplace"] != self.backend.kind:
            raise forms.ValidationError(_("Marketplace inconnue."))
        return self.backend.kind

    def credential_values(self) -> dict[str, str]:
        return {f.name: self.cleaned_data[f.name].strip() for f in self.backend.credential_fields}
