"""`facturier bench portal` at a tiny size: it runs end to end on PostgreSQL and refuses SQLite clearly."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from facturier_bench.command import Command
from facturier_bench.portal import SEARCH_KINDS, SQLITE_REFUSAL, run_portal

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_portal_bench_refuses_sqlite_or_measures_postgresql(django_db_blocker) -> None:
    out = io.StringIO()
    with django_db_blocker.unblock():
        if not ON_POSTGRESQL:
            with pytest.raises(CommandError) as refused:
                call_command(Command(), "portal", "--invoices", "2000", "--zip", "100", stdout=out)
            assert str(refused.value) == SQLITE_REFUSAL
            assert out.getvalue() == ""
            return
        searches = str(2 * len(SEARCH_KINDS))
        call_command(Command(), "portal", "--invoices", "2000", "--zip", "100", "--searches", searches, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("invoices: 2000   sellers: 20   big seller: 1200 invoices")
    kinds = lines[3 : 3 + len(SEARCH_KINDS)]
    assert [line.split()[0] for line in kinds] == [kind.split()[0] for kind in SEARCH_KINDS]
    assert [line.split()[1:3] for line in lines[-2:]] == [["100", "invoices:"], ["100", "invoices:"]]


def test_portal_bench_result_counts(django_db_blocker) -> None:
    if not ON_POSTGRESQL:
        with django_db_blocker.unblock(), pytest.raises(CommandError, match="needs PostgreSQL"):
            run_portal(2000, 100, 9)
        return
    with django_db_blocker.unblock():
        result = run_portal(2000, 100, 2 * len(SEARCH_KINDS))
    assert (result.dataset.invoices, result.dataset.big_invoices) == (2000, 1200)
    assert {kind: len(times) for kind, times in result.search_seconds.items()} == dict.fromkeys(SEARCH_KINDS, 2)
    # The unfiltered first page, a deep keyset page and an exact amount always find rows.
    assert result.search_rows["no filter"] == [50, 50]
    assert result.search_rows["keyset page"] == [50, 50]
    assert min(result.search_rows["exact amount"]) >= 1
    assert min(result.search_rows["name substring"]) >= 1  # a piece of a generated name is always found
    assert [run.invoices for run in result.zips] == [100, 100]
    assert result.zips[0].bytes_out == result.zips[1].bytes_out > 0  # the same 100 invoices, byte for byte
