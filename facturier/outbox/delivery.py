"""Sending due outbox rows: atomic claim, one attempt, then sent / retrying / failed.

A row is claimed with a conditional UPDATE that must report one row. On PostgreSQL a concurrent UPDATE of
the same row waits for the first to commit, then re-checks the WHERE clause and finds the row no longer due;
SQLite serialises writers. Either way two workers never both own a row, so a message is never sent twice by
two live workers. Each outcome is committed as soon as the server answers: a worker killed mid-batch leaves at most
the message in flight `sending`, and that one alone is sent again once stale (FACTURIER_OUTBOX_STUCK_AFTER).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_noop

from facturier.core import clock
from facturier.core.stored_text import message
from facturier.outbox.errors import SendFailure, classify
from facturier.outbox.events import record_event
from facturier.outbox.message import build_message, esp_message_id, open_connection
from facturier.outbox.models import EmailEvent, OutgoingEmail

logger = logging.getLogger(__name__)

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


def stuck_after() -> timedelta:
    """A worker that crashed mid-send leaves its row in `sending`; after this long another worker takes it back."""
    return timedelta(seconds=settings.FACTURIER_OUTBOX_STUCK_AFTER)


def claimable(now: datetime) -> Q:
    due = Q(state__in=OutgoingEmail.DUE_STATES, next_attempt_at__lte=now)
    stuck = Q(state=OutgoingEmail.STATE_SENDING, sending_since__lt=now - stuck_after())
    return due | stuck


def deliver_due(*, limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Send up to `limit` due rows, oldest due first; rows another worker claimed first are skipped."""
    now = now or clock.now()
    due = OutgoingEmail.objects.filter(claimable(now)).order_by("next_attempt_at", "pk")
    return deliver_many(list(due.values_list("pk", flat=True)[:limit]), now=now)


def deliver_many(pks: list[int], *, now: datetime | None = None) -> DeliveryReport:
    """Claim the rows of `pks` that are due, send them over one connection, record each outcome as it happens.

    Each outcome is committed before the next message goes out: a worker killed mid-batch leaves every message
    the server accepted `sent`, and at most the one in flight `sending` (sent again once stale). The next
    message's `sending` clock restarts in the transaction of the previous outcome (one commit per message)."""
    now = now or clock.now()
    report = DeliveryReport()
    claimed = claim_many(pks, now)
    if not claimed:
        return report
    emails = OutgoingEmail.objects.in_bulk(claimed)
    queue = [emails[pk] for pk in claimed]
    with Sender() as sender, commits_without_flush_wait():
        with transaction.atomic():
            held = start_sending(queue[0], claimed_at=now)
        for position, email in enumerate(queue):
            following = queue[position + 1] if position + 1 < len(queue) else None
            if not held:  # stale before its turn came: another worker took it back
                with transaction.atomic():
                    held = following is not None and start_sending(following, claimed_at=now)
                continue
            failure = sender.send(email)
            with transaction.atomic():
                state = record_success(email, clock.now()) if failure is None else record_failure(email, failure, now)
                held = following is not None and start_sending(following, claimed_at=now)
            report.add(email.pk, state)
    return report


@contextmanager
def commits_without_flush_wait():
    """The batch's outcomes are committed one by one; on PostgreSQL those commits do not wait for their WAL flush
    (a disk flush per message made emailing the slowest stage). A killed worker loses nothing it committed; only
    a crash of the database server itself could lose the last fraction of a second of outcomes, whose messages
    would then be sent once more."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        # SET is transactional: inside a transaction that fails, PostgreSQL undoes it; on a broken connection,
        # nothing is left to reset.
        if not connection.needs_rollback:
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def start_sending(email: OutgoingEmail, *, claimed_at: datetime) -> bool:
    """Restart the row's `sending` clock just before its SMTP transaction, if this worker still holds it: the
    row turns stale only when this one message takes too long, however long the batch before it. Runs within
    the caller's transaction."""
    started = clock.now()
    held = OutgoingEmail.objects.filter(pk=email.pk, state=OutgoingEmail.STATE_SENDING, sending_since=claimed_at)
    if not held.update(sending_since=started):
        return False
    email.sending_since = started
    return True


def claim_many(pks: list[int], now: datetime) -> list[int]:
    """Take the due rows among `pks` for this worker; rows another worker holds or took are skipped."""
    if not pks:
        return []
    with transaction.atomic():
        # skip_locked: two workers handed overlapping lists split them instead of waiting on each other. After
        # the other commits, its rows are `sending` and no longer claimable. SQLite serialises writers instead.
        free = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(claimable(now), pk__in=pks)
        claimed = sorted(free.values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=claimed).update(
            state=OutgoingEmail.STATE_SENDING, sending_since=now, attempts=F("attempts") + 1
        )
        OutgoingEmail.objects.filter(pk__in=claimed, first_attempt_at__isnull=True).update(first_attempt_at=now)
    return claimed


def claim(pk: int, now: datetime) -> bool:
    return claim_many([pk], now) == [pk]


class Sender:
    """One mail-backend connection for a batch; reopened after a failure so one bad message spoils no other."""

    def __enter__(self) -> Sender:
        self.connection = open_connection()
        return self

    def __exit__(self, *_exc) -> None:
        self._close()

    def send(self, email: OutgoingEmail) -> SendFailure | None:
        try:
            message = build_message(email, connection=self.connection)
            self.connection.open()  # kept open across the batch: send() closes only what it opened itself
            message.send()
        except Exception as error:  # noqa: BLE001 - every failure is classified, none may escape and lose the row
            self._close()
            return classify(error)
        email.esp_message_id = esp_message_id(message)
        return None

    def _close(self) -> None:
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close; the next send opens anew
            logger.info("mail connection did not close cleanly", exc_info=True)


SENT_FIELDS = ("state", "sent_at", "sending_since", "next_attempt_at", "last_error")


def record_success(email: OutgoingEmail, sent_at: datetime) -> str:
    esp_id = email.esp_message_id
    email.esp_message_id = esp_id if esp_id and esp_id != email.message_id else ""
    email.state, email.sent_at, email.sending_since, email.next_attempt_at, email.last_error = (
        OutgoingEmail.STATE_SENT, sent_at, None, None, ""
    )
    email.save(update_fields=[*SENT_FIELDS, "esp_message_id"])
    record_event(email, EmailEvent.KIND_SENT, message(gettext_noop("à %(to)s"), to=email.to).stored(), at=sent_at)
    return email.state


def record_failure(email: OutgoingEmail, failure: SendFailure, now: datetime) -> str:
    first_attempt = email.first_attempt_at or now
    if failure.temporary and now - first_attempt < GIVE_UP_AFTER:
        email.state = OutgoingEmail.STATE_RETRYING
        email.next_attempt_at = now + retry_delay(email.attempts)
        detail = message(gettext_noop("essai %(attempt)s : %(reason)s"), attempt=email.attempts, reason=failure.reason)
        detail = detail.stored()
        record_event(email, EmailEvent.KIND_ATTEMPT_FAILED, detail, at=now)
    else:
        email.state = OutgoingEmail.STATE_FAILED
        email.next_attempt_at = None
        given_up = message(gettext_noop("abandon après 48 h : %(reason)s"), reason=failure.reason)
        reason = given_up if failure.temporary else failure.reason
        record_event(email, EmailEvent.KIND_FAILED, reason.stored(), at=now)
    email.last_error = failure.reason.stored()
    email.sending_since = None
    email.save(update_fields=["state", "next_attempt_at", "last_error", "sending_since"])
    logger.info(
        "outbox attempt failed", extra={"email_id": email.pk, "state": email.state, "reason": str(failure.reason)}
    )
    return email.state
