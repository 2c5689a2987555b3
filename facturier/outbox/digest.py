"""The daily digest telling each seller which of its buyers' e-mails failed or bounced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import ngettext, override

from facturier.accounts.models import Seller
from facturier.core import clock
from facturier.core.stored_text import render
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.queueing import enqueue

DIGEST_PREFIX = "digest:"


@dataclass(frozen=True)
class DigestLine:
    subject: str
    to: str
    state_label: str
    reason: str
    related_key: str


def problems_since(since: datetime) -> dict[Seller, list[DigestLine]]:
    """Failed or bounced e-mails (not digests, not already resent) with such an event since `since`."""
    emails = (
        OutgoingEmail.objects.filter(
            state__in=OutgoingEmail.PROBLEM_STATES,
            events__kind__in=[EmailEvent.KIND_FAILED, EmailEvent.KIND_BOUNCED],
            events__created_at__gte=since,
            resends__isnull=True,
        )
        .exclude(related_key__startswith=DIGEST_PREFIX)
        .select_related("seller", "seller__owner")
        .distinct()
        .order_by("seller_id", "created_at", "pk")
    )
    grouped: dict[Seller, list[DigestLine]] = {}
    for email in emails:
        with override(seller_language(email.seller)):
            line = DigestLine(
                email.subject, email.to, str(email.get_state_display()), render(email.last_error), email.related_key
            )
        grouped.setdefault(email.seller, []).append(line)
    return grouped


def seller_language(seller: Seller) -> str:
    """The language the seller chose in the portal: the digest is written in it."""
    return seller.owner.preferred_language or "fr"


def send_digest(seller: Seller, lines: list[DigestLine], since: datetime, digest_key: str) -> None:
    context = {"seller": seller, "lines": lines, "since": since, "site_url": settings.SITE_URL}
    count = len(lines)
    with override(seller_language(seller)):
        subject = ngettext(
            "Facturier : %(count)s e-mail de facture non remis",
            "Facturier : %(count)s e-mails de facture non remis",
            count,
        ) % {"count": count}
        text_body = render_to_string("outbox/failed_digest.txt", context)
        html_body = render_to_string("outbox/failed_digest.html", context)
    enqueue(
        seller=seller,
        to=seller.support_email or seller.owner.email,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        reply_to=settings.FACTURIER_OPERATOR["email"],
        from_name="Facturier",
        related_key=digest_key,
    )


def failed_digest(*, since: datetime) -> int:
    """Queue one digest per seller with failed or bounced e-mails since `since`; return how many were queued.

    Idempotent per `since` day: a task retried after a crash does not send a second digest.
    """
    digest_key = f"{DIGEST_PREFIX}{clock.paris_date(since).isoformat()}"
    queued = 0
    for seller, lines in problems_since(since).items():
        if OutgoingEmail.objects.filter(seller=seller, related_key=digest_key).exists():
            continue
        send_digest(seller, lines, since, digest_key)
        queued += 1
    return queued
