"""Pytest fixtures to run the Octopia simulator in tests (registered by the root conftest).

def test_sync(simulator):
    credentials = simulator.credentials("98979")   # client_id, client_secret, seller_id
    ... OctopiaClient(simulator.api_url, simulator.auth_url, **credentials) ...
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from facturier.marketplace.auth import InProcessTokenCache
from facturier.marketplace.octopia import OctopiaClient
from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer

SIMULATOR_SEED = 1234
SIMULATOR_ORDERS = 30
TEST_TIMEOUT = httpx.Timeout(connect=2.0, read=2.0, write=2.0, pool=2.0)


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    """A fresh simulator on a free 127.0.0.1 port: seed 1234, 30 orders for seller 98979, no faults."""
    server = SimulatorServer("127.0.0.1", 0, seed=SIMULATOR_SEED, orders=SIMULATOR_ORDERS, faults=FaultConfig())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RecordedSleeps(list):
    """A stand-in for time.sleep that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def recorded_sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def simulator_client(simulator: SimulatorServer, recorded_sleeps: RecordedSleeps) -> Iterator[OctopiaClient]:
    """The production client wired to `simulator` (seller 98979), own token cache, no real sleeping."""
    with make_client(simulator, sleep=recorded_sleeps) as client:
        yield client


def make_client(simulator: SimulatorServer, seller_id: str = "98979", **options: object) -> OctopiaClient:
    credentials = simulator.credentials(seller_id)
    options.setdefault("timeout", TEST_TIMEOUT)
    options.setdefault("token_cache", InProcessTokenCache())
    return OctopiaClient(
        simulator.api_url,
        simulator.auth_url,
        credentials["client_id"],
        credentials["client_secret"],
        credentials["seller_id"],
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def start_simulator() -> Iterator:
    """Start simulators with chosen seed/orders/faults; every one started is stopped after the test."""

    def make(*, seed: int, orders: int, faults: FaultConfig | None = None) -> SimulatorServer:
        return SimulatorServer("127.0.0.1", 0, seed=seed, orders=orders, faults=faults or FaultConfig())

    yield from _started_servers(make)


@pytest.fixture
def start_mirakl_simulator() -> Iterator:
    """Start Mirakl simulators (facturier/simulator/mirakl) with chosen seed/orders/faults; stopped after the test."""
    from facturier.simulator.mirakl.server import MiraklSimulatorServer

    def make(*, seed: int = 0, orders: int = 20, faults: FaultConfig | None = None, **options: object):
        return MiraklSimulatorServer(
            "127.0.0.1", 0, seed=seed, orders=orders, faults=faults or FaultConfig(), **options  # type: ignore[arg-type]
        )

    yield from _started_servers(make)


def _started_servers(make) -> Iterator:
    """Yields `start`, which makes and starts a server; every server started is stopped after the test."""
    started = []

    def start(**options):
        server = make(**options)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def mirakl_simulator(start_mirakl_simulator):
    """A Mirakl simulator with its 10 scenarios and 2 more orders, no faults (shop 2001)."""
    return start_mirakl_simulator(orders=12)
