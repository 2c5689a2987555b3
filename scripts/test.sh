#!/usr/bin/env bash
# The whole suite: lint, import layers, then pytest against SQLite and against PostgreSQL, both passes at once
# (each has its own database, temporary folder and Redis databases; see facturier/core/tests/redis_dbs.py).
# Each pass runs every app's tests (facturier/, tools/, scripts/) and the cross-app acceptance suite (acceptance/:
# browser, real workers, API contract): a plain pytest collects them all from the repository root.
# Tests marked database_independent (schemathesis on the API's HTTP contract) run in the SQLite pass only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --with-browser
bash scripts/services.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
PG_DB="facturier_ci_$$"
LOGS="$(mktemp -d)"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
trap 'psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true; rm -rf "$LOGS"' EXIT
# Screenshots of the browser tests are kept as artefacts (git-ignored), one folder per pass.
rm -rf artefacts
ARTEFACTS="$PWD/artefacts"
started=$SECONDS
DATABASE_URL="" FACTURIER_TEST_REDIS_BASE=10 \
  FACTURIER_ARTEFACTS="$ARTEFACTS/sqlite" FACTURIER_SCREENSHOTS="$ARTEFACTS/sqlite/screenshots" \
  .venv/bin/pytest -p no:cacheprovider "$@" >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB" FACTURIER_TEST_REDIS_BASE=2 FACTURIER_TEST_SECOND_PASS=1 \
  FACTURIER_ARTEFACTS="$ARTEFACTS/postgres" FACTURIER_SCREENSHOTS="$ARTEFACTS/postgres/screenshots" \
  .venv/bin/pytest -p no:cacheprovider "$@" >"$LOGS/postgres.log" 2>&1 &
postgres_pid=$!
status=0
wait "$sqlite_pid" || status=1
echo "=== pytest on SQLite"
cat "$LOGS/sqlite.log"
wait "$postgres_pid" || status=1
echo "=== pytest on PostgreSQL"
cat "$LOGS/postgres.log"
echo "=== both passes in $((SECONDS - started)) s"
exit "$status"
