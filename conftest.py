"""Root fixtures: personas for tenant isolation (seller_a, seller_b) and the per-app fixture modules."""

from __future__ import annotations

import itertools

import pytest

pytest_plugins = [
    "facturier.simulator.tests.fixtures",
    "facturier.outbox.tests.fixtures",
]

_counter = itertools.count(1)


@pytest.fixture
def make_seller(db):
    from facturier.accounts.tests.factories import create_seller

    def make(**overrides):
        return create_seller(index=next(_counter), **overrides)

    return make


@pytest.fixture
def seller_a(make_seller):
    return make_seller(legal_name="Alpha Commerce SAS")


@pytest.fixture
def seller_b(make_seller):
    return make_seller(legal_name="Beta Boutique SARL")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def _allow_flushing_issued_documents(request):
    """Transactional tests end with a flush (DELETE on SQLite); the immutability triggers allow deleting issued
    documents only for sellers being purged, so every seller is marked so just before the flush."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_seller SET status = 'purging'")
