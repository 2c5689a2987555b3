# The two commands of the README: `make run` (embedded default) and `make test` (whole suite, SQLite + PostgreSQL).
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps lint bench

# The product, then the developer tooling kept out of its wheel (tools/bench: `facturier bench`).
$(STAMP): pyproject.toml tools/bench/pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -U pip setuptools wheel
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]'
	$(VENV)/bin/pip install -q --disable-pip-version-check -e tools/bench
	touch $(STAMP)

setup: $(STAMP) system-deps

system-deps:
	@bash scripts/system-deps.sh

run: setup
	$(VENV)/bin/facturier run

test: setup
	@bash scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: setup
	$(VENV)/bin/facturier bench --orders 2000
