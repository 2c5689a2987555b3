import socket
import subprocess
import sys
import time

import httpx
import pytest

from facturier.simulator.faults import FaultConfig, FaultInjector
from facturier.simulator.server import SimulatorServer


def test_faults_parse_from_a_spec_string():
    config = FaultConfig.parse("latency_ms=20, burst_429=3,retry_after=5,error_5xx_rate=0.25,malformed_orders=2")

    assert config == FaultConfig(latency_ms=20, burst_429=3, retry_after="5", error_5xx_rate=0.25, malformed_orders=2)


def test_an_unknown_fault_is_an_error():
    with pytest.raises(ValueError, match="unknown fault\\(s\\): latency"):
        FaultConfig.parse("latency=20")


def test_the_environment_variable_configures_faults(monkeypatch):
    monkeypatch.setenv("SIMULATOR_FAULTS", "error_5xx_next=2,error_status=502")

    server = SimulatorServer(orders=1)

    assert server.state.faults.config == FaultConfig(error_5xx_next=2, error_status=502)


def test_counters_are_consumed_in_order_and_rates_are_seeded():
    injector = FaultInjector(FaultConfig(timeout_next=1, burst_429=1, error_5xx_next=1, timeout_seconds=9), seed=3)

    decisions = [injector.decide() for _ in range(4)]

    assert [(d.delay_seconds, d.status) for d in decisions] == [(9.0, None), (0.0, 429), (0.0, 503), (0.0, None)]

    def statuses(seed):
        rated = FaultInjector(FaultConfig(error_5xx_rate=0.5), seed=seed)
        return [rated.decide().status for _ in range(20)]

    assert statuses(1) == statuses(1)
    assert statuses(1) != statuses(2)
    assert statuses(1).count(503) == 9


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("_case", "command"),
    [
        ("python -m facturier.simulator", ["-m", "facturier.simulator"]),
        ("django management command", ["-m", "django", "simulator", "--settings", "config.settings.test"]),
    ],
)
def test_the_command_line_serves_until_terminated(_case, command):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, *command, "--port", str(port), "--seed", "4", "--orders", "18"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        count = _count_when_up(port)
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert banner == f"Octopia simulator on http://127.0.0.1:{port} (seed 4, 18 orders per seller)\n"
    assert count == "18"
    assert process.returncode == 0


def _count_when_up(port):
    base = f"http://127.0.0.1:{port}"
    form = {"grant_type": "client_credentials", "client_id": "demo", "client_secret": "secret-demo"}
    for _ in range(50):
        try:
            token = httpx.post(f"{base}/auth/realms/maas/protocol/openid-connect/token", data=form).json()
            break
        except httpx.TransportError:
            time.sleep(0.1)
    headers = {"Authorization": f"Bearer {token['access_token']}", "SellerId": "98979"}
    return httpx.get(f"{base}/seller/v2/orders/count", headers=headers).text
