"""Explicit history writers: every state change of an e-mail goes through one of these."""

from __future__ import annotations

from datetime import datetime

from facturier.core import clock
from facturier.outbox.models import EmailEvent, OutgoingEmail


def record_event(email: OutgoingEmail, kind: str, detail: str = "", *, at: datetime | None = None) -> EmailEvent:
    return EmailEvent.objects.create(email=email, kind=kind, detail=detail, created_at=at or clock.now())
