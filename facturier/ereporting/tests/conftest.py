from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french():
    """Messages are asserted in French, whatever language an earlier test left active in this thread."""
    with translation.override("fr"):
        yield


@pytest.fixture
def pa_simulator():
    from facturier.pa_simulator.server import PASimulator

    with PASimulator() as simulator:
        yield simulator


@pytest.fixture
def connect_pa(db):
    from facturier.accounts.reform import PAConnection

    def connect(seller, simulator, **overrides):
        return PAConnection.objects.create(seller=seller, **{**simulator.credentials(), **overrides})

    return connect
