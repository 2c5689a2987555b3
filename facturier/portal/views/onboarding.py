"""Registration after e-mail verification: identity, VAT set-up, billing mandate, marketplace credentials."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.links import AccountAlreadyLinked, Credentials, save_credentials
from facturier.accounts.models import BillingMandate, MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.portal.decorators import account_required, posted, seller_writable, writable
from facturier.portal.forms.company import CompanyForm, ConnectionForm, MandateForm, VatSetupForm
from facturier.portal.throttle import client_ip
from facturier.sales.connector import client_for

MANDATE_VERSION = "2026-11"
MANDATE_TEMPLATE = f"portal/mandate/mandate-{MANDATE_VERSION}.txt"


def next_step(seller: Seller | None) -> str | None:
    """The URL name of the first registration step still missing, None when registration is complete."""
    if seller is None:
        return "portal:onboarding_company"
    if not seller.mandates.exists():
        return "portal:onboarding_mandate"
    if not hasattr(seller, "connection"):
        return "portal:connection"
    return None


@account_required
@writable
def company_view(request: HttpRequest) -> HttpResponse:
    creating = request.seller is None
    form = CompanyForm(posted(request), instance=request.seller)
    if request.method == "POST" and form.is_valid():
        seller = form.save(commit=False)
        if creating:
            seller.owner = request.user
            seller.support_email = request.user.email
        seller.save()
        messages.success(request, _("Identité de l'entreprise enregistrée."))
        return redirect("portal:onboarding_vat" if creating else "portal:settings")
    return render(request, "portal/onboarding/company.html", {"form": form, "creating": creating})


@seller_writable
def vat_view(request: HttpRequest) -> HttpResponse:
    form = VatSetupForm(posted(request), instance=request.seller)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Configuration TVA enregistrée."))
        return redirect(next_step(request.seller) or "portal:settings")
    return render(request, "portal/onboarding/vat.html", {"form": form})


def mandate_text(seller: Seller) -> str:
    return render_to_string(MANDATE_TEMPLATE, {"seller": seller, "version": MANDATE_VERSION})


@seller_writable
def mandate_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    text = mandate_text(seller)
    form = MandateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        BillingMandate.objects.create(
            seller=seller,
            version=MANDATE_VERSION,
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            accepted_at=now(),
            accepted_by=request.user,
            ip_address=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        messages.success(request, _("Mandat de facturation accepté."))
        return redirect(next_step(seller) or "portal:dashboard")
    accepted = seller.mandates.first()
    return render(request, "portal/onboarding/mandate.html",
                  {"form": form, "text": text, "accepted": accepted, "version": MANDATE_VERSION})


@seller_writable
def connection_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    connection = MarketplaceConnection.objects.filter(seller=seller).first()
    initial = {"client_id": connection.client_id, "marketplace_seller_id": connection.marketplace_seller_id} \
        if connection else {}
    form = ConnectionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["client_secret"] or (connection.client_secret if connection else "")
        if not secret:
            form.add_error("client_secret", _("Le client secret est obligatoire."))
        else:
            credentials = Credentials(client_id=form.cleaned_data["client_id"].strip(), client_secret=secret.strip(),
                                      marketplace_seller_id=form.cleaned_data["marketplace_seller_id"].strip())
            try:
                save_credentials(seller, credentials, ip_address=client_ip(request))
            except AccountAlreadyLinked:
                form.add_error("marketplace_seller_id", _(
                    "Ce compte Cdiscount est déjà relié à un autre compte Facturier. Un même compte ne peut être "
                    "relié qu'une fois (sinon ses acheteurs recevraient deux factures) : écrivez-nous si c'est bien "
                    "le vôtre."))
            else:
                messages.success(request, _("Identifiants enregistrés. Testez maintenant la connexion."))
                return redirect("portal:connection")
    return render(request, "portal/onboarding/connection.html", {"form": form, "connection": connection})


def connection_status_for(check) -> str:
    if check.ok:
        return MarketplaceConnection.STATUS_OK
    # TODO(lead): ConnectionCheck could carry the failure kind; until then the client's wording tells them apart.
    if check.message.startswith("Octopia could not be reached"):
        return MarketplaceConnection.STATUS_UNAVAILABLE
    return MarketplaceConnection.STATUS_REJECTED


@require_POST
@seller_writable
def test_connection_view(request: HttpRequest) -> HttpResponse:
    connection = MarketplaceConnection.objects.filter(seller=request.seller).first()
    if connection is None:
        messages.error(request, _("Enregistrez d'abord vos identifiants."))
        return redirect("portal:connection")
    with client_for(connection, max_attempts=1, max_retry_seconds=5) as client:
        check = client.test_connection()
    status = connection_status_for(check)
    MarketplaceConnection.objects.filter(pk=connection.pk).update(
        status=status, status_message=check.message, status_changed_at=now()
    )
    if check.ok:
        messages.success(request, _("Connexion réussie : %(message)s") % {"message": check.message})
        return redirect(next_step(request.seller) or "portal:dashboard")
    messages.error(request, _("Connexion impossible : %(message)s") % {"message": check.message})
    return redirect("portal:connection")
