"""Dashboard, orders not invoiced, sync runs, "sync now" and its progress endpoint."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core import stored_text
from facturier.core.clock import PARIS, now, today_in_paris
from facturier.invoicing.email_keys import invoice_id_of
from facturier.invoicing.models import Invoice
from facturier.jobs.tasks import sync_seller_task
from facturier.outbox.models import OutgoingEmail
from facturier.portal.decorators import seller_required, seller_writable
from facturier.portal.fees import projected_fee
from facturier.portal.terms import pending_versions
from facturier.portal.views.onboarding import checklist, next_step
from facturier.sales.connections import label
from facturier.sales.models import SalesOrder, SyncRun
from facturier.sales.not_invoiced import EXPECTED, NEEDS_ACTION, counts_by_reason

ATTENTION_LIMIT = 10
RECENT_INVOICES = 5
EMAILS_WAITING = (
    OutgoingEmail.STATE_HELD, OutgoingEmail.STATE_QUEUED, OutgoingEmail.STATE_SENDING, OutgoingEmail.STATE_RETRYING,
)


def next_scheduled_sync(moment: datetime) -> datetime | None:
    """The next of the FACTURIER_SYNC_TIMES (Paris time) after `moment`."""
    local = moment.astimezone(PARIS)
    candidates = []
    for text in settings.FACTURIER_SYNC_TIMES:
        hour, _sep, minute = text.partition(":")
        for day in (local.date(), local.date() + timedelta(days=1)):
            candidates.append(datetime.combine(day, time(int(hour), int(minute or 0)), tzinfo=PARIS))
    upcoming = [candidate for candidate in candidates if candidate > local]
    return min(upcoming) if upcoming else None


def attention(seller: Seller) -> dict:
    emails = OutgoingEmail.objects.filter(seller=seller, state__in=OutgoingEmail.PROBLEM_STATES)
    counts = counts_by_reason(seller)
    labels = dict(SalesOrder.ELIGIBILITY_CHOICES)
    return {
        # Only what the seller can act on; the expected exclusions are counted apart.
        "orders": SalesOrder.objects.filter(seller=seller, eligibility__in=NEEDS_ACTION)
        .order_by("-last_seen_at", "-id")[:ATTENTION_LIMIT],
        "orders_needing_action": sum(counts.get(reason, 0) for reason in NEEDS_ACTION),
        "expected_exclusions": [
            {"reason": reason, "label": labels[reason], "count": counts[reason]}
            for reason in EXPECTED if counts.get(reason)
        ],
        "emails": [
            {"email": email, "invoice_id": invoice_id_of(email.related_key)}
            for email in emails.order_by("-created_at")[:ATTENTION_LIMIT]
        ],
        "uploads": Invoice.objects.filter(seller=seller, upload_status=Invoice.UPLOAD_FAILURE)[:ATTENTION_LIMIT],
        "connections": [
            {"connection": connection, "label": label(connection)}
            for connection in seller.connections.exclude(
                status__in=[MarketplaceConnection.STATUS_OK, MarketplaceConnection.STATUS_UNTESTED]
            )
        ],
    }


@seller_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    moment = now()
    projection = projected_fee(seller)
    steps = checklist(seller)
    return render(request, "portal/dashboard.html", {
        "checklist": steps if not all(step.done for step in steps) else [],
        "recent_invoices": Invoice.objects.filter(seller=seller).order_by("-issued_at", "-id")[:RECENT_INVOICES],
        "issued_this_month": projection.invoice_count,
        "fee": projection.tier,
        "last_run": SyncRun.objects.filter(seller=seller).first(),
        "next_sync": next_scheduled_sync(moment) if seller.is_active else None,
        "attention": attention(seller),
        "missing_step": next_step(seller),
        "pending_versions": pending_versions(request.user, seller),
        "today": today_in_paris(),
    })  # fmt: skip


@seller_required
def sync_runs_view(request: HttpRequest) -> HttpResponse:
    runs = SyncRun.objects.filter(seller=request.seller)[:100]
    return render(request, "portal/sync_runs.html", {"runs": runs})


@require_POST
@seller_writable
def sync_now_view(request: HttpRequest) -> HttpResponse:
    missing = next_step(request.seller)
    if missing is not None:
        messages.error(request, _("Terminez d'abord votre inscription."))
        return redirect(missing)
    sync_seller_task.delay_on_commit(request.seller.pk, "manual")
    messages.info(request, _("Synchronisation lancée."))
    return redirect("portal:dashboard")


def live_counts(run: SyncRun) -> dict:
    """What a run has done so far: orders read (stored page by page), documents issued (counted as issued) and
    the e-mails sent since it started; a running run's own counters are only written when it ends."""
    emails = OutgoingEmail.objects.filter(seller_id=run.seller_id, created_at__gte=run.started_at)
    orders_read = run.orders_seen
    if run.status == SyncRun.RUNNING:
        orders_read = SalesOrder.objects.filter(seller_id=run.seller_id, last_seen_at__gte=run.started_at).count()
    return {
        "orders_read": orders_read,
        "emails_sent": emails.filter(state=OutgoingEmail.STATE_SENT).count(),
        "emails_waiting": emails.filter(state__in=EMAILS_WAITING).count(),
    }


def progress_text(orders_read: int, invoices_issued: int, emails_sent: int) -> str:
    """"3 commandes lues, 1 facture émise, 0 e-mail envoyé" in the language of the request."""
    return ", ".join([
        ngettext("%(count)s commande lue", "%(count)s commandes lues", orders_read) % {"count": orders_read},
        ngettext("%(count)s facture émise", "%(count)s factures émises", invoices_issued) % {"count": invoices_issued},
        ngettext("%(count)s e-mail envoyé", "%(count)s e-mails envoyés", emails_sent) % {"count": emails_sent},
    ])  # fmt: skip


def run_json(run: SyncRun | None) -> dict:
    if run is None:
        return {"status": "none"}
    counts = live_counts(run)
    return {
        **counts,
        "progress": progress_text(counts["orders_read"], run.invoices_issued, counts["emails_sent"]),
        "id": run.pk, "status": run.status, "status_label": run.get_status_display(), "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "orders_seen": run.orders_seen, "invoices_issued": run.invoices_issued,
        "credit_notes_issued": run.credit_notes_issued, "message": stored_text.render(run.message),
    }  # fmt: skip


@seller_required
def sync_status_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(run_json(SyncRun.objects.filter(seller=request.seller).first()))
