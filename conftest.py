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
