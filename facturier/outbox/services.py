"""The outbox's public API: queue, release, resend, send, track and report e-mails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from facturier.outbox.delivery import DeliveryReport, deliver_due, deliver_many
from facturier.outbox.digest import failed_digest
from facturier.outbox.events import record_event
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.queueing import (
    NO_ADDRESS,
    display_name_for,
    enqueue,
    new_email,
    release,
    release_many,
    resend,
    store_many,
)

__all__ = [
    "NO_ADDRESS",
    "DeliveryReport",
    "EmailStatus",
    "HistoryEntry",
    "deliver_due",
    "deliver_many",
    "display_name_for",
    "enqueue",
    "failed_digest",
    "find_by_message_id",
    "history",
    "mark_bounced",
    "new_email",
    "record_tracking",
    "release",
    "release_many",
    "resend",
    "status_for",
    "store_many",
]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    label: str
    detail: str
    to: str
    message_id: str


@dataclass(frozen=True)
class EmailStatus:
    state: str
    label: str
    to: str
    attempts: int
    last_error: str
    sent_at: datetime | None
    email_id: int


def find_by_message_id(message_id: str) -> OutgoingEmail | None:
    """Match our Message-ID (with or without angle brackets) or the id the ESP's API returned."""
    raw = (message_id or "").strip()
    if not raw:
        return None
    bracketed = raw if raw.startswith("<") else f"<{raw}>"
    return (
        OutgoingEmail.objects.filter(message_id=bracketed).first()
        or OutgoingEmail.objects.filter(esp_message_id=raw).first()
    )


def mark_bounced(*, message_id: str, reason: str) -> bool:
    """Mark the matching e-mail bounced; an unknown id is ignored (returns False)."""
    email = find_by_message_id(message_id)
    if email is None:
        return False
    with transaction.atomic():
        if email.state == OutgoingEmail.STATE_BOUNCED and email.last_error == reason:
            return True  # the ESP repeated its webhook
        OutgoingEmail.objects.filter(pk=email.pk).update(
            state=OutgoingEmail.STATE_BOUNCED, last_error=reason, next_attempt_at=None
        )
        record_event(email, EmailEvent.KIND_BOUNCED, reason)
    return True


def record_tracking(*, message_id: str, event_type: str, description: str) -> bool:
    """Apply a normalised ESP tracking event (anymail's event_type) to the matching e-mail."""
    if event_type in ("bounced", "rejected"):
        return mark_bounced(message_id=message_id, reason=description or event_type)
    kinds = {"delivered": EmailEvent.KIND_DELIVERED, "complained": EmailEvent.KIND_COMPLAINED}
    email = find_by_message_id(message_id) if event_type in kinds else None
    if email is None:
        return False
    record_event(email, kinds[event_type], description)
    return True


def history(related_key: str) -> list[HistoryEntry]:
    """Every event of every e-mail about `related_key` (including resends), oldest first."""
    events = EmailEvent.objects.filter(email__related_key=related_key).select_related("email")
    return [
        HistoryEntry(
            at=event.created_at,
            kind=event.kind,
            label=event.get_kind_display(),
            detail=event.detail,
            to=event.email.to,
            message_id=event.email.message_id,
        )
        for event in events.order_by("created_at", "pk")
    ]


def status_for(related_keys: Iterable[str]) -> dict[str, EmailStatus]:
    """The state of the latest e-mail for each key that has one."""
    statuses: dict[str, EmailStatus] = {}
    emails = OutgoingEmail.objects.filter(related_key__in=list(related_keys)).order_by("related_key", "-pk")
    for email in emails:
        if email.related_key not in statuses:
            statuses[email.related_key] = EmailStatus(
                state=email.state,
                label=email.get_state_display(),
                to=email.to,
                attempts=email.attempts,
                last_error=email.last_error,
                sent_at=email.sent_at,
                email_id=email.pk,
            )
    return statuses
