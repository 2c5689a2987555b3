"""Sending due outbox rows: atomic claim, one attempt, then sent / retrying / failed.

A row is claimed with a conditional UPDATE that must report one row. On PostgreSQL a concurrent UPDATE of
the same row waits for the first to commit, then re-checks the WHERE clause and finds the row no longer due;
SQLite serialises writers. Either way two workers never both own a row, so a message is never sent twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q

from facturier.core import clock
from facturier.outbox.errors import SendFailure, classify
from facturier.outbox.events import record_event
from facturier.outbox.message import build_message, esp_message_id, open_connection
from facturier.outbox.models import EmailEvent, OutgoingEmail

logger = logging.getLogger(__name__)

# A worker that crashed mid-send leaves its row in `sending`; after this long another worker takes it back.
STUCK_AFTER = timedelta(minutes=10)
FIRST_RETRY_DELAY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=48)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    states: dict[int, str] = field(default_factory=dict)

    def add(self, pk: int, state: str) -> None:
        self.claimed += 1
        self.states[pk] = state
        if state == OutgoingEmail.STATE_SENT:
            self.sent += 1
        elif state == OutgoingEmail.STATE_RETRYING:
            self.retrying += 1
        elif state == OutgoingEmail.STATE_FAILED:
            self.failed += 1


def retry_delay(attempts: int) -> timedelta:
    """1 min after the first failed attempt, then 2, 4, 8 … capped at 1 h."""
    doublings = min(max(attempts - 1, 0), 16)  # bounded: timedelta overflows long before 2**attempts does
    return min(FIRST_RETRY_DELAY * 2**doublings, MAX_RETRY_DELAY)


def claimable(now: datetime) -> Q:
    due = Q(state__in=OutgoingEmail.DUE_STATES, next_attempt_at__lte=now)
    stuck = Q(state=OutgoingEmail.STATE_SENDING, sending_since__lt=now - STUCK_AFTER)
    return due | stuck


def claim(pk: int, now: datetime) -> bool:
    updated = OutgoingEmail.objects.filter(claimable(now), pk=pk).update(
        state=OutgoingEmail.STATE_SENDING, sending_since=now, attempts=F("attempts") + 1
    )
    if updated == 1:
        OutgoingEmail.objects.filter(pk=pk, first_attempt_at__isnull=True).update(first_attempt_at=now)
    return updated == 1


def deliver(message_id_or_pk: int | str, *, now: datetime | None = None) -> str:
    """Try to send one row if it is due; return its state afterwards."""
    now = now or clock.now()
    lookup = {"pk": message_id_or_pk} if isinstance(message_id_or_pk, int) else {"message_id": message_id_or_pk}
    pk = OutgoingEmail.objects.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None:
        return ""
    if claim(pk, now):
        return attempt(pk, now)
    return OutgoingEmail.objects.values_list("state", flat=True).get(pk=pk)


def deliver_due(*, limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Send up to `limit` due rows, oldest due first; rows another worker claimed first are skipped."""
    now = now or clock.now()
    report = DeliveryReport()
    due = OutgoingEmail.objects.filter(claimable(now)).order_by("next_attempt_at", "pk")
    candidates = list(due.values_list("pk", flat=True)[:limit])
    for pk in candidates:
        if claim(pk, now):
            report.add(pk, attempt(pk, now))
    return report


def attempt(pk: int, now: datetime) -> str:
    """Send a row this worker has claimed and record the outcome."""
    email = OutgoingEmail.objects.get(pk=pk)
    try:
        message = build_message(email, connection=open_connection())
        message.send()
    except Exception as error:  # noqa: BLE001 - every failure is classified, none may escape and lose the row
        return record_failure(email, classify(error), now)
    return record_success(email, esp_message_id(message), clock.now())


def record_success(email: OutgoingEmail, esp_id: str, sent_at: datetime) -> str:
    email.state = OutgoingEmail.STATE_SENT
    email.sent_at = sent_at
    email.sending_since = None
    email.next_attempt_at = None
    email.last_error = ""
    email.esp_message_id = esp_id if esp_id and esp_id != email.message_id else ""
    email.save(update_fields=["state", "sent_at", "sending_since", "next_attempt_at", "last_error", "esp_message_id"])
    record_event(email, EmailEvent.KIND_SENT, f"à {email.to}", at=sent_at)
    return email.state


def record_failure(email: OutgoingEmail, failure: SendFailure, now: datetime) -> str:
    first_attempt = email.first_attempt_at or now
    if failure.temporary and now - first_attempt < GIVE_UP_AFTER:
        email.state = OutgoingEmail.STATE_RETRYING
        email.next_attempt_at = now + retry_delay(email.attempts)
        detail = f"essai {email.attempts} : {failure.reason}"
        record_event(email, EmailEvent.KIND_ATTEMPT_FAILED, detail, at=now)
    else:
        email.state = OutgoingEmail.STATE_FAILED
        email.next_attempt_at = None
        reason = failure.reason if not failure.temporary else f"abandon après 48 h : {failure.reason}"
        record_event(email, EmailEvent.KIND_FAILED, reason, at=now)
    email.last_error = failure.reason
    email.sending_since = None
    email.save(update_fields=["state", "next_attempt_at", "last_error", "sending_since"])
    logger.info("outbox attempt failed", extra={"email_id": email.pk, "state": email.state, "reason": failure.reason})
    return email.state
