"""Tokens, retries and errors: the real client against the real simulator, with recorded sleeps."""

import re
from datetime import UTC, datetime

import httpx
import pytest

from facturier.marketplace.auth import InProcessTokenCache
from facturier.marketplace.errors import CredentialsRejected, MarketplaceRequestError, MarketplaceUnavailable
from facturier.marketplace.octopia import OctopiaClient
from facturier.marketplace.transport import parse_retry_after
from facturier.simulator.faults import FaultConfig
from facturier.simulator.server import SimulatorServer
from facturier.simulator.tests.fixtures import RecordedSleeps, make_client

TRACE = r"\[traceId [0-9a-f]{32}\]"


def test_one_token_serves_many_calls_and_clients_sharing_a_cache(simulator):
    cache = InProcessTokenCache()
    with make_client(simulator, token_cache=cache) as first, make_client(simulator, token_cache=cache) as second:
        first.count_orders()
        first.count_orders()
        second.count_orders()

    assert simulator.token_requests == 1
    assert simulator.api_requests == 3


def test_a_separate_cache_means_a_separate_token(simulator):
    with make_client(simulator) as first, make_client(simulator) as second:
        first.count_orders()
        second.count_orders()

    assert simulator.token_requests == 2


def test_a_token_rejected_mid_run_is_refreshed_once(simulator, simulator_client):
    simulator.set_faults(token_expire_after_calls=2)

    assert simulator_client.count_orders() == 30
    assert simulator_client.count_orders() == 30
    assert simulator_client.count_orders() == 30  # third call: 401, refresh, retried

    assert simulator.token_requests == 2
    assert simulator.api_requests == 4


def test_a_401_after_the_refresh_is_terminal():
    with (
        SimulatorServer(seed=1, orders=3, token_ttl=0, faults=FaultConfig()) as server,
        make_client(server) as client,
        pytest.raises(CredentialsRejected) as caught,
    ):
        client.count_orders()

        assert server.token_requests == 2
        assert re.fullmatch(
            r"Octopia rejected the token of client 'client-98979' after a refresh \(HTTP 401 Unauthorized: "
            rf"Unauthorized: The access token is invalid or expired\. {TRACE}\)",
            str(caught.value),
        )


def test_wrong_secret_is_terminal_and_never_retried(simulator, recorded_sleeps):
    with OctopiaClient(
        simulator.api_url, simulator.auth_url, "client-98979", "wrong", "98979", sleep=recorded_sleeps
    ) as client:
        with pytest.raises(CredentialsRejected) as caught:
            client.iter_orders().__next__()
        check = client.test_connection()

    assert re.fullmatch(
        rf"Octopia refused the API credentials of client 'client-98979' \(HTTP 401\): invalid_client: "
        rf"Invalid client or Invalid client credentials {TRACE}",
        str(caught.value),
    )
    assert check.ok is False
    assert check.message.startswith("Octopia refused the API credentials of client 'client-98979' (HTTP 401)")
    assert simulator.token_requests == 2
    assert simulator.api_requests == 0
    assert recorded_sleeps == []


def test_a_seller_not_linked_to_the_client_is_refused(simulator):
    with (
        OctopiaClient(simulator.api_url, simulator.auth_url, "client-x", "secret-client-x", "11111") as client,
        pytest.raises(CredentialsRejected) as caught,
    ):
        client.count_orders()

    assert caught.value.status_code == 403
    assert str(caught.value).startswith(
        "Octopia refused access to seller 11111 for client 'client-x'; is the seller linked to these API credentials? "
        "(HTTP 403 Forbidden: Forbidden: The client is not allowed to act for seller 11111."
    )


def test_429_waits_as_long_as_retry_after_says(simulator, simulator_client, recorded_sleeps):
    simulator.set_faults(burst_429=2, retry_after="3")

    assert simulator_client.count_orders() == 30

    assert recorded_sleeps == [3.0, 3.0]
    assert simulator.api_requests == 3


def test_5xx_is_retried_with_jittered_exponential_backoff(simulator, simulator_client, recorded_sleeps):
    simulator.set_faults(error_5xx_next=3)

    assert simulator_client.count_orders() == 30

    assert len(recorded_sleeps) == 3
    caps = [0.5, 1.0, 2.0]  # full jitter: uniform in [0, 0.5 * 2**n]
    assert all(0 <= delay <= cap for delay, cap in zip(recorded_sleeps, caps, strict=True))
    assert simulator.api_requests == 4


def test_exhausted_retries_raise_unavailable_with_the_last_failure(simulator, recorded_sleeps):
    simulator.set_faults(error_5xx_next=10)
    with make_client(simulator, sleep=recorded_sleeps, max_attempts=3) as client:
        with pytest.raises(MarketplaceUnavailable) as caught:
            client.count_orders()
        check = client.test_connection()

    assert re.fullmatch(
        r"Octopia is unavailable: GET /seller/v2/orders/count failed 3 times, last: HTTP 503 Service Unavailable: "
        rf"Service Unavailable: The service is temporarily unavailable\. {TRACE}",
        str(caught.value),
    )
    assert len(recorded_sleeps) == 4  # 2 for the count, 2 for test_connection
    assert check.ok is False
    assert check.message.startswith("Octopia could not be reached: Octopia is unavailable:")


def test_a_retry_after_beyond_the_time_budget_gives_up_at_once(simulator, recorded_sleeps):
    simulator.set_faults(burst_429=1, retry_after="90")
    with (
        make_client(simulator, sleep=recorded_sleeps, max_retry_seconds=60) as client,
        pytest.raises(MarketplaceUnavailable) as caught,
    ):
        client.count_orders()

    assert recorded_sleeps == []
    assert str(caught.value).endswith("waiting 90.0s more would exceed the 60s retry budget")
    assert "HTTP 429 Too Many Requests: Too Many Requests: Rate limit exceeded, retry later." in str(caught.value)


def test_a_read_timeout_is_retried(simulator, recorded_sleeps):
    simulator.set_faults(timeout_next=1, timeout_seconds=2.0)
    fast = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
    with make_client(simulator, sleep=recorded_sleeps, timeout=fast) as client:
        assert client.count_orders() == 30

    assert len(recorded_sleeps) == 1


def test_timeouts_every_time_end_in_unavailable(simulator, recorded_sleeps):
    simulator.set_faults(timeout_next=2, timeout_seconds=2.0)
    fast = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
    with (
        make_client(simulator, sleep=recorded_sleeps, timeout=fast, max_attempts=2) as client,
        pytest.raises(MarketplaceUnavailable) as caught,
    ):
        client.count_orders()

    assert str(caught.value) == (
        "Octopia is unavailable: GET /seller/v2/orders/count failed 2 times, last: ReadTimeout (no answer in time)"
    )


def test_a_closed_port_is_unavailable(recorded_sleeps):
    server = SimulatorServer(faults=FaultConfig())
    server.start()
    server.stop()  # the port is now closed
    with (
        make_client(server, sleep=recorded_sleeps, max_attempts=2) as client,
        pytest.raises(MarketplaceUnavailable) as caught,
    ):
        client.count_orders()

    assert str(caught.value).startswith(
        f"Octopia is unavailable: POST /auth/realms/maas/protocol/openid-connect/token failed 2 times, "
        f"last: cannot connect to 127.0.0.1:{server.port}:"
    )


def test_a_4xx_problem_becomes_a_readable_request_error(simulator_client):
    with pytest.raises(MarketplaceRequestError) as caught:
        list(simulator_client.iter_orders(page_size=500))

    assert caught.value.status_code == 400
    assert caught.value.problem.errors == {"pageSize": ("pageSize must be between 1 and 100.",)}
    assert re.fullmatch(
        r"Octopia GET /orders failed: HTTP 400 Bad Request: One or more validation errors occurred: "
        rf"The request is invalid\. \(pageSize: pageSize must be between 1 and 100\.\) {TRACE}",
        str(caught.value),
    )


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2026, 9, 15, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after("Tue, 15 Sep 2026 12:02:00 GMT", now=now) == 120.0
    assert parse_retry_after("Tue, 15 Sep 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_an_http_date_retry_after_from_the_server_is_honoured(simulator, simulator_client, recorded_sleeps):
    simulator.set_faults(burst_429=1, retry_after="Thu, 01 Jan 1970 00:00:00 GMT")  # already past: retry now

    assert simulator_client.count_orders() == 30
    assert recorded_sleeps == [0.0]


def test_connection_check_success_message(simulator_client):
    check = simulator_client.test_connection()

    assert check.ok is True
    assert check.message == "Connected to Octopia as seller 98979: 30 orders."


def test_every_request_has_the_seller_header_and_a_bearer(simulator):
    with httpx.Client() as raw:
        missing_seller = raw.get(
            simulator.api_url + "/orders/count", headers={"Authorization": "Bearer " + _token(raw, simulator)}
        )
        missing_token = raw.get(simulator.api_url + "/orders/count", headers={"SellerId": "98979"})

    assert missing_seller.status_code == 400
    assert missing_seller.json()["errors"] == {"SellerId": ["The SellerId header is required."]}
    assert missing_token.status_code == 401
    assert missing_token.headers["content-type"] == "application/problem+json"


def _token(raw: httpx.Client, simulator: SimulatorServer) -> str:
    credentials = simulator.credentials()
    response = raw.post(
        simulator.auth_url,
        data={"grant_type": "client_credentials", "client_id": credentials["client_id"],
              "client_secret": credentials["client_secret"]},
    )  # fmt: skip
    return response.json()["access_token"]


def test_recorded_sleeps_is_a_callable_list():
    sleeps = RecordedSleeps()
    sleeps(1.5)
    assert sleeps == [1.5]


@pytest.mark.django_db  # the shared cache is a database table by default
def test_a_django_cache_can_hold_the_token(simulator):
    from django.core.cache import cache

    cache.clear()
    try:
        with make_client(simulator, token_cache=cache) as first, make_client(simulator, token_cache=cache) as second:
            first.count_orders()
            second.count_orders()
    finally:
        cache.clear()

    assert simulator.token_requests == 1
