"""Settings forms: invoicing preferences, per-SKU VAT rates, API tokens, invoice filters, resend."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.documents.logo import MAX_LOGO_BYTES, InvalidLogo, check_logo
from facturier.invoicing import series
from facturier.invoicing.finder import EMAIL_STATUS_CHOICES, InvoiceFilters
from facturier.invoicing.models import Invoice
from facturier.invoicing.numbering import InvalidPrefix, validate_prefix
from facturier.portal.forms.company import RateChoiceField
from facturier.sales import connections

MAX_CSV_BYTES = 2 * 1024 * 1024


def _prefix(value: str) -> str:
    try:
        return validate_prefix(value.strip())
    except InvalidPrefix as error:
        raise forms.ValidationError(str(error)) from None


class ChannelListField(forms.CharField):
    """Sales channel ids typed as "OCTOBE, OCTOES": stored as a list, each once, upper-cased; none = None."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str] | None:
        text = super().to_python(value) or ""
        channels = (part.strip().upper() for part in text.replace(";", ",").replace(" ", ",").split(","))
        return list(dict.fromkeys(channel for channel in channels if channel)) or None


class SettingsForm(forms.ModelForm):
    default_vat_rate = RateChoiceField()
    extra_sales_channels = ChannelListField(
        label=_("Autres canaux de vente à facturer"), required=False,
        help_text=_("Seules les commandes passées sur le site même de chaque marketplace sont facturées. Pour "
                    "facturer aussi celles d'autres canaux de vente, saisissez leurs identifiants (tels que la raison "
                    "de ces commandes les nomme), séparés par des virgules."),
    )  # fmt: skip
    logo = forms.FileField(
        label=_("Logo (PNG ou JPEG, 1 Mo au plus)"), required=False,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
    )  # fmt: skip

    class Meta:
        model = Seller
        fields = ["logo", "invoice_prefix", "credit_note_prefix", "default_vat_rate", "support_email",
                  "upload_to_marketplace", "english_translation", "extra_sales_channels"]
        labels = {
            "invoice_prefix": _("Préfixe de numérotation des factures"),
            "credit_note_prefix": _("Préfixe de numérotation des avoirs"),
            "support_email": _("E-mail du service client (réponses des acheteurs)"),
            "upload_to_marketplace": _("Déposer les factures sur leur marketplace"),
            "english_translation": _("Ajouter la traduction anglaise sur les factures"),
        }

    def clean_invoice_prefix(self) -> str:
        return _prefix(self.cleaned_data["invoice_prefix"])

    def clean_credit_note_prefix(self) -> str:
        return _prefix(self.cleaned_data["credit_note_prefix"])

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):  # no upload: the stored logo stays
            return logo
        if logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("Logo trop lourd : 1 Mo au plus."))
        try:
            check_logo(logo.read())
        except InvalidLogo:
            raise forms.ValidationError(
                _("Le logo doit être une image PNG ou JPEG lisible, de 4 mégapixels au plus.")) from None
        logo.seek(0)
        return logo

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("invoice_prefix") and cleaned.get("invoice_prefix") == cleaned.get("credit_note_prefix"):
            self.add_error("credit_note_prefix", _("Les avoirs doivent avoir un préfixe distinct des factures."))
        elif self.instance.numbering_per_marketplace and not self.errors:
            self._check_marketplace_prefixes(cleaned)
        return cleaned

    def _check_marketplace_prefixes(self, cleaned: dict) -> None:
        """Numbering per marketplace: the numbers these prefixes make with the connections' stay valid."""
        seller = Seller(invoice_prefix=cleaned["invoice_prefix"], credit_note_prefix=cleaned["credit_note_prefix"])
        prefixes = dict(
            self.instance.connections.exclude(number_prefix="").values_list("pk", "number_prefix")
        )
        for problem in dict.fromkeys(series.prefix_problems(seller, prefixes).values()):
            self.add_error("invoice_prefix", problem)


class NumberingForm(forms.Form):
    """One number series across marketplaces, or one per marketplace connection with its own prefix; the choice
    and a prefix are fixed once a document of their series exists (`invoicing.series` refuses a change, with the
    reason shown on the field)."""

    per_marketplace = forms.BooleanField(
        label=_("Une série de numéros par marketplace"), required=False,
        help_text=_("Par défaut, vos factures (et vos avoirs) suivent une seule série, toutes marketplaces "
                    "confondues. Avec une série par marketplace, chaque numéro porte en plus le préfixe de sa "
                    "marketplace (FAC-FNAC-000001). Ce choix est définitif dès votre première facture."),
    )  # fmt: skip

    def __init__(self, data=None, *, seller: Seller, **kwargs):
        super().__init__(data, initial={"per_marketplace": seller.numbering_per_marketplace}, **kwargs)
        self.seller = seller
        self.connection_fields: dict[str, int] = {}
        for connection in MarketplaceConnection.objects.filter(seller=seller).order_by("created_at", "pk"):
            name = f"prefix_{connection.pk}"
            self.connection_fields[name] = connection.pk
            self.fields[name] = forms.CharField(
                label=_("Préfixe des numéros %(connection)s") % {"connection": connections.label(connection)},
                required=False, max_length=20, initial=connection.number_prefix,
                help_text=_("Vide : un préfixe est choisi pour vous (lettres de la marketplace et un numéro)."),
            )  # fmt: skip

    def save(self) -> bool:
        """Apply the choice through invoicing.series; False (and the reasons on the fields) when refused."""
        prefixes = {pk: self.cleaned_data[name] for name, pk in self.connection_fields.items()}
        try:
            series.choose_numbering(
                self.seller, per_marketplace=self.cleaned_data["per_marketplace"], prefixes=prefixes
            )
        except series.NumberingRefused as refusal:
            names = {pk: name for name, pk in self.connection_fields.items()}
            for key, message in refusal.errors.items():
                field = "per_marketplace" if key == series.MODE_FIELD else names.get(key)
                self.add_error(field, message)
            return False
        return True


class SkuRateImportForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV (sku;taux)"), validators=[FileExtensionValidator(["csv", "txt"])])
    replace = forms.BooleanField(label=_("Remplacer tous les taux existants"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("Fichier trop lourd : 2 Mo au plus."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("Encodage illisible : enregistrez le fichier en UTF-8."))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100, initial="API")


class ResendForm(forms.Form):
    to = forms.EmailField(label=_("Adresse corrigée (facultatif)"), required=False)


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False, max_length=100)
    date_from = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Tous"))] + Invoice.KIND_CHOICES)
    email_status = forms.ChoiceField(label=_("E-mail"), required=False,
                                     choices=[("", _("Tous"))] + EMAIL_STATUS_CHOICES)
    upload_status = forms.ChoiceField(label=_("Dépôt marketplace"), required=False,
                                      choices=[("", _("Tous"))] + Invoice.UPLOAD_CHOICES)
    # Shown when the seller holds several connections: the documents of the orders read through one of them.
    marketplace = forms.ChoiceField(label=_("Marketplace"), required=False)

    def __init__(self, data=None, *, connections: list[tuple[int, str]] = (), **kwargs):
        """connections: (connection id, the name the seller knows it by) of the seller's connections."""
        super().__init__(data, **kwargs)
        if len(connections) < 2:
            del self.fields["marketplace"]
        else:
            self.fields["marketplace"].choices = [("", _("Toutes"))] + [(str(pk), name) for pk, name in connections]

    def connection_id(self) -> int | None:
        value = self.cleaned_data.get("marketplace") if self.is_valid() else ""
        return int(value) if value else None

    def filters(self) -> InvoiceFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return InvoiceFilters(
            query=data.get("q") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            kind=data.get("kind") or "",
            email_status=data.get("email_status") or "",
            upload_status=data.get("upload_status") or "",
        )
