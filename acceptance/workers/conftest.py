"""The seller of the real-worker tests: connected to a simulator that serves the scenario orders (as in
facturier/jobs/tests/conftest.py)."""

from __future__ import annotations

import pytest

from facturier.jobs.tests.conftest import SCENARIO_ORDERS


@pytest.fixture
def simulated_seller(start_simulator, connect_to_simulator):
    return connect_to_simulator(start_simulator(seed=42, orders=SCENARIO_ORDERS))
