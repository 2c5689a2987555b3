"""`facturier bench ereporting` at a tiny size: it builds a valid month report on PostgreSQL and refuses SQLite."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from facturier_bench.ereporting import run_ereporting

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_ereporting_bench_builds_a_valid_report_on_postgresql(django_db_blocker) -> None:
    with django_db_blocker.unblock():
        if not ON_POSTGRESQL:
            with pytest.raises(CommandError, match="needs PostgreSQL"):
                run_ereporting(300)
            return
        result = run_ereporting(300)
    assert (result.invoices, result.status, result.blocks) == (300, "download", 30)
