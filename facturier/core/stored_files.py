"""Document files written to storage before their row commits, and never left behind by a crash.

A writer reserves a random folder per file and commits the reservation, writes the file into it, then settles the
reservation in the same transaction that attaches the file to its row. A worker killed between the write and that
commit leaves a reservation older than FACTURIER_ORPHAN_FILE_GRACE: `sweep_abandoned` deletes what is in its folder.
Nothing but reservations is ever listed, so the sweep costs nothing on a large bucket.

The writer and the sweeper lock the reservation row: a writer slower than the grace period finds its reservation
swept, attaches nothing, and the document is rendered again; a sweeper never empties a folder a row points to.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from facturier.core import clock
from facturier.core.models import PendingFolder

logger = logging.getLogger(__name__)


def reserve_folders(parents: list[str]) -> list[str]:
    """One new folder under each parent, recorded and committed before anything is written into it. The random
    segment also keeps a document's path unguessable: files are only served by permission-checked views.
    Call it outside any transaction, or the reservation would vanish with a crash."""
    folders = [f"{parent}/{secrets.token_hex(8)}" for parent in parents]
    PendingFolder.objects.bulk_create(PendingFolder(path=folder) for folder in folders)
    return folders


def reserve_folder(parent: str) -> str:
    return reserve_folders([parent])[0]


def folder_of(name: str) -> str:
    return name.rpartition("/")[0]


def claim(folders: Iterable[str]) -> set[str]:
    """Lock the reservations of these folders still held (not swept); call it in the attaching transaction and
    attach only the files in the folders it returns."""
    held = PendingFolder.objects.select_for_update().filter(path__in=list(folders))
    return set(held.values_list("path", flat=True))


def settle(folders: Iterable[str]) -> None:
    """The files in these folders now belong to committed rows (call it in the attaching transaction)."""
    PendingFolder.objects.filter(path__in=list(folders)).delete()


def discard(folders: Iterable[str]) -> None:
    """Delete what was written into these folders (a failed or duplicate write), then their reservations."""
    folders = list(folders)
    for folder in folders:
        _empty(folder)
    settle(folders)


def sweep_abandoned(*, grace: timedelta | None = None) -> int:
    """Delete the files of reservations older than the grace period (their writer died); return how many
    folders were swept. The grace period outlasts any writer's time limit, so no live write is touched."""
    grace = grace if grace is not None else timedelta(seconds=settings.FACTURIER_ORPHAN_FILE_GRACE)
    with transaction.atomic():
        # Locked while their folders are emptied: a late writer waits, then finds its reservation gone. Rows a
        # writer holds are skipped: it is settling them. A sweeper killed midway rolls back and is redone.
        stale = PendingFolder.objects.select_for_update(skip_locked=True).filter(created_at__lt=clock.now() - grace)
        stale = list(stale.values_list("path", flat=True))
        discard(stale)
    if stale:
        logger.info("abandoned document files swept", extra={"folders": len(stale)})
    return len(stale)


def _empty(folder: str) -> None:
    try:
        _directories, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return  # the writer died before writing anything
    for name in files:
        default_storage.delete(f"{folder}/{name}")
