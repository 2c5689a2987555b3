"""The same faults through each connector backend, by the connector interface alone, against its simulator over
HTTP (both simulators inject them alike, simulator.faults): throttling, server errors and timeouts are retried, too
many of them make the marketplace unavailable, a refused key stops at once, and an order that cannot be read is
shown with its reason while every other order is read."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from facturier.accounts.samples import connection_fields, mirakl_connection_fields
from facturier.marketplace import connectors
from facturier.marketplace.connectors import ConnectionFailure
from facturier.marketplace.dto import MalformedOrder, MarketOrder
from facturier.marketplace.errors import CredentialsRejected, MarketplaceUnavailable
from facturier.simulator.faults import FaultConfig
from facturier.simulator.tests.fixtures import RecordedSleeps

pytestmark = pytest.mark.django_db  # Octopia's tokens are shared through the database cache

ORDERS = 12


@dataclass
class Account:
    """A marketplace account on a running simulator, reached only through `connectors`."""

    kind: str
    simulator: object
    fields: dict
    wrong_secret: dict

    @contextmanager
    def connector(self, *, wrong_secret: bool = False, **options: object):
        credentials = {**self.fields["credentials"], **(self.wrong_secret if wrong_secret else {})}
        with connectors.connector_for(self.kind, self.fields["account_id"], credentials, **options) as connector:
            yield connector


@pytest.fixture(params=["octopia", "mirakl"])
def account_with(request, start_simulator, start_mirakl_simulator, settings):
    def start(faults: FaultConfig) -> Account:
        if request.param == "octopia":
            simulator = start_simulator(seed=11, orders=ORDERS, faults=faults)
            settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
            fields = connection_fields(simulator.credentials("98979"))
            return Account("octopia", simulator, fields, {"client_secret": "wrong-secret"})
        simulator = start_mirakl_simulator(orders=ORDERS, faults=faults)
        return Account("mirakl", simulator, mirakl_connection_fields(simulator.credentials()), {"api_key": "wrong"})

    return start


def read_all(account: Account, **options: object) -> list[MarketOrder | MalformedOrder]:
    with account.connector(**options) as connector:
        return list(connector.iter_orders())


def test_throttling_server_errors_and_a_timeout_are_retried_and_every_order_is_read(account_with):
    account = account_with(FaultConfig(burst_429=2, retry_after="0", error_5xx_next=1, timeout_next=1,
                                       timeout_seconds=3))  # fmt: skip
    sleeps = RecordedSleeps()

    orders = read_all(account, max_attempts=6, sleep=sleeps, timeout=1.0)

    assert len(orders) == ORDERS and all(isinstance(order, MarketOrder) for order in orders)
    assert {order.marketplace for order in orders} == {account.kind}
    assert len(sleeps) == 4  # one wait before each retry: a timeout, two 429, one 503


def test_server_errors_beyond_the_attempts_make_the_marketplace_unavailable(account_with):
    account = account_with(FaultConfig(error_5xx_next=10))

    with pytest.raises(MarketplaceUnavailable):
        read_all(account, max_attempts=3, sleep=RecordedSleeps())


def test_a_refused_key_stops_the_listing_at_once_and_the_connection_test_says_so(account_with):
    account = account_with(FaultConfig())
    sleeps = RecordedSleeps()

    with pytest.raises(CredentialsRejected), account.connector(wrong_secret=True, sleep=sleeps) as connector:
        list(connector.iter_orders())
    with account.connector(wrong_secret=True, sleep=sleeps) as connector:
        test = connector.test_connection()

    assert sleeps == []  # never retried
    assert (test.ok, test.failure) == (False, ConnectionFailure.CREDENTIALS_REFUSED)


def test_an_order_that_cannot_be_read_is_shown_with_its_reason_and_the_others_are_read(account_with):
    account = account_with(FaultConfig(malformed_orders=1))

    orders = read_all(account)

    [malformed] = [order for order in orders if isinstance(order, MalformedOrder)]
    assert malformed.order_id and malformed.marketplace == account.kind and malformed.reason
    assert sum(isinstance(order, MarketOrder) for order in orders) == ORDERS - 1
