"""Registration after e-mail verification: identity, VAT set-up, billing mandate, marketplace credentials."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from facturier.accounts.links import AccountAlreadyLinked, AccountLinkedTwice, Credentials, save_credentials
from facturier.accounts.models import BillingMandate, MarketplaceConnection, Seller
from facturier.core.clock import now
from facturier.jobs.tasks import sync_seller_task
from facturier.marketplace import connectors
from facturier.marketplace.connectors import Connector
from facturier.portal.decorators import account_required, posted, seller_writable, writable
from facturier.portal.forms.company import CompanyForm, ConnectionForm, MandateForm, TermsForm, VatSetupForm
from facturier.portal.terms import MANDATE_TEMPLATE, MANDATE_VERSION, TERMS_TEMPLATE, TERMS_VERSION, pending_versions
from facturier.portal.throttle import client_ip
from facturier.sales.connection_status import marketplace_name
from facturier.sales.connections import check_connection, label
from facturier.sales.models import SyncRun

FIRST_SYNC_TRIGGER = "first"


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: Promise
    done: bool
    url_name: str


def checklist(seller: Seller) -> list[ChecklistStep]:
    """The road to the first invoices, in order. The VAT set-up has no mark of its own: it counts as done once the
    step after it (the mandate, which the VAT page leads to) is."""
    mandate = seller.mandates.exists()
    connections = seller.connections
    return [
        ChecklistStep("company", gettext_lazy("Identité de l'entreprise"), True, "portal:onboarding_company"),
        ChecklistStep("vat", gettext_lazy("Configuration TVA"), mandate, "portal:onboarding_vat"),
        ChecklistStep("mandate", gettext_lazy("Mandat de facturation"), mandate, "portal:onboarding_mandate"),
        ChecklistStep("marketplace", gettext_lazy("Connexion à la marketplace testée"),
                      connections.filter(status=MarketplaceConnection.STATUS_OK).exists(), "portal:connection"),
        ChecklistStep("first_sync", gettext_lazy("Première synchronisation"),
                      seller.sync_runs.filter(status=SyncRun.SUCCEEDED).exists(), "portal:dashboard"),
    ]  # fmt: skip


def start_first_sync(seller: Seller) -> bool:
    """Once registration is complete and a connection works, the first sync starts by itself (once)."""
    if next_step(seller) is not None or not seller.is_active or seller.sync_runs.exists():
        return False
    sync_seller_task.delay_on_commit(seller.pk, FIRST_SYNC_TRIGGER)
    return True


def next_step(seller: Seller | None) -> str | None:
    """The URL name of the first registration step still missing, None when registration is complete."""
    if seller is None:
        return "portal:onboarding_company"
    if not seller.mandates.exists():
        return "portal:onboarding_mandate"
    if not seller.connections.exists():
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
def terms_acceptance_view(request: HttpRequest) -> HttpResponse:
    """The version of the terms the seller accepted, and the current one to accept when it is newer."""
    user = request.user
    form = TermsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user.terms_version, user.terms_accepted_at = TERMS_VERSION, now()
        user.save(update_fields=["terms_version", "terms_accepted_at"])
        messages.success(request, _("Conditions générales acceptées."))
        pending = pending_versions(user, request.seller)
        return redirect("portal:onboarding_mandate" if pending.mandate else "portal:dashboard")
    return render(request, "portal/settings/terms.html", {
        "form": form, "version": TERMS_VERSION, "terms_template": TERMS_TEMPLATE,
        "accepted_version": user.terms_version, "accepted_at": user.terms_accepted_at,
    })  # fmt: skip


ALREADY_LINKED = gettext_lazy(
    "Ce compte %(marketplace)s est déjà relié à un autre compte Facturier. Un même compte ne peut être relié "
    "qu'une fois (sinon ses acheteurs recevraient deux factures) : écrivez-nous si c'est bien le vôtre."
)


def _chosen_backend(request: HttpRequest) -> type[Connector]:
    kind = request.POST.get("marketplace") or request.GET.get("marketplace") or ""
    return connectors.backend(kind if kind in connectors.kinds() else connectors.kinds()[0])


@seller_writable
def connection_view(request: HttpRequest) -> HttpResponse:
    """The seller's connections, each with its test, and a form to connect another marketplace account."""
    seller = request.seller
    backend = _chosen_backend(request)
    form = ConnectionForm(posted(request), backend=backend)
    if request.method == "POST" and pending_versions(request.user, seller).mandate:
        # The mandate on record names the marketplaces it covers: a new one needs the version naming it.
        messages.error(request, _("Acceptez d'abord la nouvelle version du mandat de facturation."))
        return redirect("portal:onboarding_mandate")
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        return redirect("portal:connection")
    return render(request, "portal/onboarding/connection.html", {
        "form": form, "marketplace_kind": backend.kind, "marketplace_name": backend.display_name,
        "credentials_help": getattr(backend, "credentials_help", ""),  # optional for a connector
        "connections": _listed(seller),
        "kinds": [(kind, connectors.display_name(kind)) for kind in connectors.kinds()],
    })  # fmt: skip


@seller_writable
def connection_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(MarketplaceConnection, pk=pk, seller=request.seller)
    backend = connectors.backend(connection.marketplace)
    form = ConnectionForm(posted(request), backend=backend, connection=connection)
    if request.method == "POST" and form.is_valid() and _saved(request, form, connection):
        return redirect("portal:connection")
    return render(request, "portal/onboarding/connection_edit.html", {
        "form": form, "marketplace_name": backend.display_name, "connection": connection,
        "credentials_help": getattr(backend, "credentials_help", ""),
    })  # fmt: skip


def _saved(request: HttpRequest, form: ConnectionForm, connection: MarketplaceConnection | None = None) -> bool:
    credentials = Credentials(marketplace=form.backend.kind, account_id=form.cleaned_data["account_id"].strip(),
                              values=form.credential_values())  # fmt: skip
    try:
        save_credentials(request.seller, credentials, connection=connection, ip_address=client_ip(request))
    except AccountAlreadyLinked:
        form.add_error("account_id", ALREADY_LINKED % {"marketplace": form.backend.display_name})
        return False
    except AccountLinkedTwice:
        form.add_error("account_id", _("Ce compte est déjà relié à votre compte Facturier."))
        return False
    messages.success(request, _("Identifiants enregistrés. Testez maintenant la connexion."))
    return True


def _listed(seller: Seller) -> list[dict]:
    return [
        {"connection": connection, "label": label(connection), "marketplace": marketplace_name(connection)}
        for connection in seller.connections.order_by("created_at", "pk")
    ]


@require_POST
@seller_writable
def test_connection_view(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(MarketplaceConnection, pk=pk, seller=request.seller)
    test, message = check_connection(connection, max_attempts=1, max_retry_seconds=5)
    if test.ok:
        messages.success(request, str(message))
        if start_first_sync(request.seller):
            messages.info(request, _("Première synchronisation lancée : vos factures apparaissent ci-dessous."))
        return redirect(next_step(request.seller) or "portal:dashboard")
    messages.error(request, _("Connexion impossible : %(message)s") % {"message": message})
    return redirect("portal:connection")
