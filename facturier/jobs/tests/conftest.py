"""A seller connected to a running simulator that serves the scenario orders (shared by the runtime tests)."""

from __future__ import annotations

import pytest

from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer

SCENARIO_ORDERS = 16  # one order per scenario of facturier/simulator/scenarios.py


@pytest.fixture
def scenario_server():
    server = SimulatorServer("127.0.0.1", 0, seed=42, orders=SCENARIO_ORDERS, faults=FaultConfig())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def simulated_seller(scenario_server, make_seller, settings):
    settings.OCTOPIA_API_URL = scenario_server.api_url
    settings.OCTOPIA_AUTH_URL = scenario_server.auth_url
    credentials = scenario_server.credentials("98979")
    return make_seller(
        upload_to_marketplace=False,
        connection={
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
            "marketplace_seller_id": credentials["seller_id"],
        },
    )
