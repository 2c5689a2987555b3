"""Settings: preferences, per-SKU VAT rates, API tokens, TOTP; leaving: unsubscribe; Facturier's fee invoices."""

from __future__ import annotations

import hashlib
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts.models import ApiToken, SkuVatRate, User, new_api_token
from facturier.billing import lifecycle
from facturier.billing.selectors import fee_invoice_for
from facturier.core.clock import now
from facturier.portal import pricing
from facturier.portal.decorators import posted, seller_required, seller_writable
from facturier.portal.fees import fee_invoices
from facturier.portal.forms.auth import OtpForm, UnsubscribeForm
from facturier.portal.forms.settings import ApiTokenForm, NumberingForm, SettingsForm, SkuRateImportForm
from facturier.sales.orders import reclassify_sales_channels
from facturier.tax.sku_rates import parse_rate_csv


def language_view(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account too: the e-mails sent to the seller use it."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response


@seller_writable
def settings_view(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(posted(request), request.FILES or None, instance=request.seller)
    if request.method == "POST" and form.is_valid():
        seller = form.save()
        if "extra_sales_channels" in form.changed_data:
            reclassify_sales_channels(seller)
        messages.success(request, _("Réglages enregistrés."))
        return redirect("portal:settings")
    return render(request, "portal/settings/general.html", {"form": form})


@seller_writable
def numbering_view(request: HttpRequest) -> HttpResponse:
    form = NumberingForm(posted(request), seller=request.seller)
    if request.method == "POST" and form.is_valid() and form.save():
        messages.success(request, _("Numérotation enregistrée."))
        return redirect("portal:numbering")
    return render(request, "portal/settings/numbering.html", {"form": form})


@seller_writable
def sku_rates_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    form = SkuRateImportForm(posted(request), request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = parse_rate_csv(form.cleaned_data["file"])
        errors = result.problems(get_language())
        if result.rows:
            with transaction.atomic():
                if form.cleaned_data["replace"]:
                    SkuVatRate.objects.filter(seller=seller).delete()
                for key, rate in result.rows:
                    SkuVatRate.objects.update_or_create(seller=seller, key=key, defaults={"rate": rate})
            messages.success(request, _("%(count)d taux importés.") % {"count": len(result.rows)})
        if not errors:
            return redirect("portal:sku_rates")
    rates = SkuVatRate.objects.filter(seller=seller).order_by("key")[:1000]
    return render(request, "portal/settings/sku_rates.html", {"form": form, "errors": errors, "rates": rates})


@seller_writable
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(posted(request))
    created = ""
    if request.method == "POST" and form.is_valid():
        created = create_token(request.seller, form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(seller=request.seller, revoked_at=None).order_by("-created_at")
    return render(request, "portal/settings/api_tokens.html", {"form": form, "tokens": tokens, "created": created})


def create_token(seller, name: str) -> str:
    """A new token; only its SHA-256 is stored, so the clear value is shown exactly once."""
    token = new_api_token()
    ApiToken.objects.create(seller=seller, name=name, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                            prefix=token[:12])
    return token


@require_POST
@seller_writable
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, seller=request.seller, revoked_at=None)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=now())
    messages.success(request, _("Jeton révoqué."))
    return redirect("portal:api_tokens")


def totp_qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@seller_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed:
        return render(request, "portal/settings/two_factor.html", {"enabled": True, "form": OtpForm()})
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Facturier"})
    form = OtpForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Double authentification activée."))
            return redirect("portal:two_factor")
        form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."))
    return render(request, "portal/settings/two_factor.html", {
        "enabled": False, "form": form, "qr_svg": totp_qr_svg(device),
        "secret": b32encode(device.bin_key).decode(),
    })  # fmt: skip


@require_POST
@seller_required
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    form = OtpForm(request.POST)
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    if form.is_valid() and any(device.verify_token(form.cleaned_data["code"]) for device in devices):
        devices.delete()
        messages.success(request, _("Double authentification désactivée."))
    else:
        messages.error(request, _("Code incorrect : la double authentification reste active."))
    return redirect("portal:two_factor")


@seller_required
def fee_invoices_view(request: HttpRequest) -> HttpResponse:
    """Pricing in sight: the tier table, this month's count, tier and projected fee, and the fee invoices."""
    month = pricing.this_month(request.seller)
    return render(request, "portal/fee_invoices.html", {
        "fee_invoices": fee_invoices(request.seller), "month": month,
        "tiers": pricing.tier_rows(month.month, month.tier),
    })  # fmt: skip


def _fee_pdf(request: HttpRequest, pk: int, *, as_attachment: bool) -> FileResponse:
    fee = fee_invoice_for(request.seller, pk)
    if fee is None or not fee.pdf:
        raise Http404("no such fee invoice")
    return FileResponse(fee.pdf.open("rb"), as_attachment=as_attachment, filename=f"{fee.number}.pdf",
                        content_type="application/pdf")


@seller_required
def fee_invoice_download_view(request: HttpRequest, pk: int) -> FileResponse:
    return _fee_pdf(request, pk, as_attachment=True)


@seller_required
def fee_invoice_view(request: HttpRequest, pk: int) -> FileResponse:
    return _fee_pdf(request, pk, as_attachment=False)


@seller_required
def unsubscribe_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    form = UnsubscribeForm(posted(request))
    if request.method == "POST" and seller.is_active and form.is_valid():
        lifecycle.unsubscribe(seller)
        messages.success(request, _("Vous êtes désinscrit : la synchronisation est arrêtée."))
        return redirect("portal:unsubscribe")
    return render(request, "portal/account/unsubscribe.html", {"form": form, "bill": pricing.unsubscribe_bill(seller)})
