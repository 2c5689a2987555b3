"""A seller connected to a running simulator that serves the scenario orders (shared by the runtime tests)."""

from __future__ import annotations

import pytest

SCENARIO_ORDERS = 16  # one order per scenario of facturier/simulator/scenarios.py


@pytest.fixture
def simulated_seller(start_simulator, connect_to_simulator):
    return connect_to_simulator(start_simulator(seed=42, orders=SCENARIO_ORDERS))
