"""The API's HTTP contract fuzzed by schemathesis against a live server: a minute of one app's feedback spent on
what no single app owns, so it runs with the acceptance suite (once per `make test`: it is database independent)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from facturier.api.tests.test_api import token_for
from facturier.portal.tests.helpers import issue
from facturier.sales.models import SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.database_independent  # 30-50 s: make test runs it in its SQLite pass only
def test_schema_fuzzing_finds_no_server_error(live_server, seller_a, tmp_path):
    """schemathesis (CLI, as CI would run it) against the live server with a valid token, valid and invalid
    data for every parameter (cursors included): no 5xx, invalid input refused, only documented status codes."""
    issue(seller_a)
    SyncRun.objects.create(seller=seller_a)
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", f"{live_server.url}/api/v1/openapi.json",
         "--checks", "not_a_server_error,negative_data_rejection,status_code_conformance",
         "-H", f"Authorization: Bearer {token_for(seller_a)}", "--max-examples", "25", "--seed", "2026",
         "--request-timeout", "20", "--workers", "2"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
