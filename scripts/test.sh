#!/usr/bin/env bash
# The whole suite: lint, import layers, then pytest against SQLite and against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --with-browser
bash scripts/services.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
PG_DB="facturier_ci_$$"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
trap 'psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true' EXIT
echo "=== pytest on SQLite"
DATABASE_URL="" .venv/bin/pytest -p no:cacheprovider "$@"
echo "=== pytest on PostgreSQL"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB" .venv/bin/pytest -p no:cacheprovider "$@"
