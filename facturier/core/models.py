"""Core tables: none of the business, only what every app needs to stay consistent after a crash."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PendingFolder(models.Model):
    """A storage folder reserved for one document's file before the file is written (see core.stored_files).

    Recorded and committed before the write, deleted in the transaction that attaches the file to its row: a
    folder still listed after the grace period belongs to a writer that died, and its content to nobody."""

    path = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.path
