"""The life of a sync run: opened with a lease, kept alive by a heartbeat, closed once; interrupted when its
process dies (the lease expires and the recovery sweeper takes it up).

A pass renews its lease as it stores pages and issues batches. A process killed with SIGKILL renews nothing
and closes nothing: past its lease, `interrupt_expired` marks the run interrupted (with a message the seller
sees) and names the seller, so a new pass starts within minutes instead of at the next scheduled sync.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_noop

from facturier.accounts.models import Seller
from facturier.core.clock import now
from facturier.core.stored_text import message
from facturier.sales.models import SyncRun


def lease() -> timedelta:
    """FACTURIER_SYNC_LEASE, 5 minutes by default: longer than the longest wait between two heartbeats (a page
    read with its retries: 30 s read timeout, 60 s retry budget; or one batch issued and rendered). A dead pass
    is taken up within the lease + the recovery sweeper's period (FACTURIER_RECOVERY_SWEEP_EVERY, one minute)."""
    return timedelta(seconds=settings.FACTURIER_SYNC_LEASE)


INTERRUPTED_MESSAGE = message(
    gettext_noop(
        "Interrompue : le traitement s'est arrêté sans se terminer (processus arrêté ou perdu). "
        "Une nouvelle synchronisation reprend là où elle en était."
    )
).stored()


def message_with(*, before: str = "", after: str = ""):
    """The run's message with one line put before it or after it (issuing adds its lines as it goes), with no
    blank line when the message was empty."""
    text = before or after
    if not text:
        return F("message")
    joined = Concat(Value(before + "\n"), F("message")) if before else Concat(F("message"), Value("\n" + after))
    return Case(When(message="", then=Value(text)), default=joined, output_field=TextField())


class LeaseLost(Exception):
    """The run was declared interrupted while this pass was still alive: a new pass has taken over."""


def has_live_run(seller_id: int) -> bool:
    """A pass of this seller is running and alive (its lease not expired): a light incremental pass then waits for
    the next turn rather than reading the same orders beside it."""
    return SyncRun.objects.filter(seller_id=seller_id, status=SyncRun.RUNNING, lease_expires_at__gte=now()).exists()


def open_run(seller: Seller, trigger: str) -> SyncRun:
    return SyncRun.objects.create(seller=seller, trigger=trigger, lease_expires_at=now() + lease())


def renew_lease(run: SyncRun) -> None:
    """The heartbeat. Raises LeaseLost if the sweeper declared the run interrupted: this pass stops, so that
    a slow pass and the one started in its place do not go on side by side."""
    if not SyncRun.objects.filter(pk=run.pk, status=SyncRun.RUNNING).update(lease_expires_at=now() + lease()):
        raise LeaseLost(run.pk)


def close_run(run: SyncRun, status: str, message: str, **counts: int) -> bool:
    """Close a running run; False if it was closed already (interrupted by the sweeper). Issuing counts
    documents and errors on the run as it goes, so the message is prepended to what is there."""
    return bool(
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.RUNNING).update(
            status=status,
            finished_at=now(),
            lease_expires_at=None,
            message=message_with(before=message),
            **counts,
        )
    )


def close_after_crash(run: SyncRun, error: BaseException) -> None:
    """An exception ends the pass (a bug, a time limit, a lost database): close the run as interrupted now if
    the database answers; if not, its lease expires and the sweeper does it."""
    with suppress(DatabaseError):
        close_run(run, SyncRun.INTERRUPTED, f"{INTERRUPTED_MESSAGE}\n{type(error).__name__} : {error}")


def interrupt_expired() -> list[int]:
    """Mark every running run whose lease expired as interrupted; return the sellers that need a new pass
    (those with no other live run).

    Each run is claimed by a conditional UPDATE, so of two sweepers running at once only one claims it and a
    seller is named once.
    """
    moment = now()
    expired = SyncRun.objects.filter(status=SyncRun.RUNNING, lease_expires_at__lt=moment)
    claimed: set[int] = set()
    for pk, seller_id in expired.values_list("pk", "seller_id"):
        if expired.filter(pk=pk).update(
            status=SyncRun.INTERRUPTED,
            finished_at=moment,
            lease_expires_at=None,
            message=message_with(before=INTERRUPTED_MESSAGE),
        ):
            claimed.add(seller_id)
    alive = SyncRun.objects.filter(status=SyncRun.RUNNING, lease_expires_at__gte=moment, seller_id__in=claimed)
    return sorted(claimed - set(alive.values_list("seller_id", flat=True)))
