"""The delivery tasks retry transient database errors only: an integrity error would fail the same way again."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, OperationalError

from facturier.outbox import delivery
from facturier.outbox.delivery import DeliveryReport
from facturier.outbox.tasks import deliver_emails_task


def failing_first(monkeypatch, error: Exception) -> list[list[int]]:
    calls: list[list[int]] = []

    def deliver_many(pks: list[int]) -> DeliveryReport:
        calls.append(pks)
        if len(calls) == 1:
            raise error
        return DeliveryReport()

    monkeypatch.setattr(delivery, "deliver_many", deliver_many)
    return calls


def run_as_a_worker(pks: list[int]) -> int:
    """Eagerly, but with a failure handled as a worker does (retried or recorded) rather than raised at once."""
    return deliver_emails_task.apply(args=(pks,), throw=False).get()


def test_a_lost_connection_is_retried(monkeypatch):
    calls = failing_first(monkeypatch, OperationalError("server closed the connection unexpectedly"))

    assert run_as_a_worker([7]) == 0
    assert calls == [[7], [7]]


def test_an_integrity_error_is_not_retried(monkeypatch):
    calls = failing_first(monkeypatch, IntegrityError("duplicate key value violates unique constraint"))

    with pytest.raises(IntegrityError):
        run_as_a_worker([7])
    assert calls == [[7]]
