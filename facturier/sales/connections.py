"""A seller's marketplace connections meet the connector registry here: the connector of a stored connection,
the connections a sync reads, a connection test recorded on the connection."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.stored_text import Message
from facturier.marketplace import connectors
from facturier.marketplace.connectors import ConnectionFailure, ConnectionTest, Connector
from facturier.sales import connection_status
from facturier.sales.models import SalesOrder


def connector_for(connection: MarketplaceConnection, **options: object) -> Connector:
    return connectors.connector_for(connection.marketplace, connection.account_id, connection.credentials, **options)


def active_connections(seller: Seller) -> QuerySet[MarketplaceConnection]:
    """The connections a sync reads and uploads through: all but those whose credentials were refused."""
    return seller.connections.exclude(status=MarketplaceConnection.STATUS_REJECTED).order_by("created_at", "pk")


def label(connection: MarketplaceConnection) -> str:
    """'Cdiscount 98979': the connection as the seller recognises it on a run or a page."""
    return f"{connection_status.marketplace_name(connection)} {connection.account_id}".strip()


def marketplace_names(orders: Iterable[SalesOrder]) -> dict[int, str]:
    """{order pk: the marketplace it was sold on as its documents name it}: its connection's name ("Fnac",
    "Cdiscount"), else its backend's display name (an order read before connections existed)."""
    orders = list(orders)
    connections = MarketplaceConnection.objects.in_bulk({order.connection_id for order in orders} - {None})
    by_connection = {pk: connection_status.marketplace_name(connection) for pk, connection in connections.items()}
    return {
        order.pk: by_connection.get(order.connection_id) or connectors.display_name(order.marketplace)
        for order in orders
    }


def check_connection(connection: MarketplaceConnection, **options: object) -> tuple[ConnectionTest, Message]:
    """Test the connection now and record the outcome on it; the test and its message in the active language."""
    with connector_for(connection, **options) as connector:
        test = connector.test_connection()
    message = connectors.test_message(connection_status.marketplace_name(connection), test)
    if test.ok:
        connection_status.mark_ok(connection, message)
    elif test.failure == ConnectionFailure.UNREACHABLE:
        connection_status.record(connection, MarketplaceConnection.STATUS_UNAVAILABLE, message)
    else:
        connection_status.record(connection, MarketplaceConnection.STATUS_REJECTED, message)
    return test, message
