"""Root fixtures: personas for tenant isolation (seller_a, seller_b) and the per-app fixture modules."""

from __future__ import annotations

import itertools
import os

import pytest

pytest_plugins = [
    "facturier.simulator.tests.fixtures",
    "facturier.outbox.tests.fixtures",
    "facturier.core.tests.storage",
]

_counter = itertools.count(1)


@pytest.fixture
def make_seller(db):
    from facturier.accounts.tests.factories import create_seller

    def make(**overrides):
        return create_seller(index=next(_counter), **overrides)

    return make


@pytest.fixture
def connect_to_simulator(make_seller, settings):
    """A seller whose marketplace credentials point at a running simulator (seller 98979 there)."""

    def connect(server, **overrides):
        settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = server.api_url, server.auth_url
        from facturier.accounts.samples import connection_fields

        overrides.setdefault("upload_to_marketplace", False)
        # A second seller reading the same shop (a reference in a comparison) must not hold the account: a shop
        # belongs to one active seller at most.
        holds_account = overrides.pop("holds_account", True)
        overrides["connection"] = {**connection_fields(server.credentials("98979")), "holds_account": holds_account}
        return make_seller(**overrides)

    return connect


@pytest.fixture
def seller_a(make_seller):
    return make_seller(legal_name="Alpha Commerce SAS")


@pytest.fixture
def seller_b(make_seller):
    return make_seller(legal_name="Beta Boutique SARL")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


def _fee_delete_trigger() -> tuple[str, str]:
    """The SQLite statements creating and dropping the trigger that refuses deleting a fee invoice (the update
    trigger stays: a flush only deletes)."""
    from importlib import import_module

    triggers = import_module("facturier.billing.migrations.0002_immutability_triggers")
    [create] = [statement for statement in triggers.SQLITE if "feeinvoice_no_delete" in statement]
    [drop] = [statement for statement in triggers.SQLITE_DROP if "feeinvoice_no_delete" in statement]
    return create, drop


@pytest.fixture(autouse=True)
def _allow_flushing_issued_documents(request):
    """Transactional tests end with a flush (DELETE on SQLite) that the immutability triggers refuse.

    Invoices may be deleted only for sellers being purged, so every seller is marked so before the flush.
    Fee invoices may never be deleted: on SQLite their delete trigger is dropped for the flush and put back
    before the next test (PostgreSQL's flush is a TRUNCATE, which row triggers do not see).
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    create, drop = _fee_delete_trigger()
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute(create.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    yield
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_seller SET status = 'purging'")
        if sqlite:
            cursor.execute(drop)


@pytest.fixture(autouse=True)
def _default_language():
    """Django's test client leaves the language of its last request active in the thread: a test that follows an
    English page would read English messages. Each test starts in the product's default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Celery keeps "joining a result would block" in one process-wide flag that eager tasks set and restore;
    tests that run eager tasks from several threads at once can leave it set, and a later test's
    `result.get()` then refuses to run. No test runs inside a worker process, so each starts with it cleared."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(request, django_db_blocker):
    """PostgreSQL refuses to drop the test database while any session uses it; a connection left by a test's
    thread (live server, worker, concurrent issuers) must not turn a green run red at teardown."""
    request.getfixturevalue("django_db_setup")
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only need PostgreSQL's row locks and a database other processes share: on SQLite
    they are deselected (reported as such), not run. Tests marked database_independent check what no database
    changes (the API's HTTP contract): `make test` runs them in its SQLite pass only (FACTURIER_TEST_SECOND_PASS=1
    on the PostgreSQL pass deselects them)."""
    from django.conf import settings

    left_out = set()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        left_out.add("postgres_only")
    if os.environ.get("FACTURIER_TEST_SECOND_PASS") == "1":
        left_out.add("database_independent")
    selected = [item for item in items if not any(item.get_closest_marker(marker) for marker in left_out)]
    if len(selected) < len(items):
        kept = set(selected)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = selected
