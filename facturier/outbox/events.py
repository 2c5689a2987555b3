"""Explicit history writers: every state change of an e-mail goes through one of these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from facturier.core import clock
from facturier.outbox.models import EmailEvent, OutgoingEmail


def record_event(email: OutgoingEmail, kind: str, detail: str = "", *, at: datetime | None = None) -> EmailEvent:
    return EmailEvent.objects.create(email=email, kind=kind, detail=detail, created_at=at or clock.now())


def record_events(
    emails: Sequence[OutgoingEmail], kind: str, detail: Callable[[OutgoingEmail], str], *, at: datetime | None = None
) -> list[EmailEvent]:
    """The same kind of event for many e-mails, in one INSERT."""
    moment = at or clock.now()
    return EmailEvent.objects.bulk_create(
        EmailEvent(email=email, kind=kind, detail=detail(email), created_at=moment) for email in emails
    )
