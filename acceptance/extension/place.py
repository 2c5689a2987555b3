"""A third marketplace, "Place Test", added the way any new one is: one backend class of the connector interface
(facturier.marketplace.connectors.Connector) and one entry in settings.FACTURIER_MARKETPLACE_BACKENDS.

Its shops live in this process (`open_shop`): what this backend proves is the seam between a marketplace and the
rest of Facturier, not a wire protocol (Octopia's and Mirakl's are proven against their simulators over HTTP).
It reads orders, refunds and uploads the way a real backend does: by account and credentials, within the date
bounds asked, refusing a wrong token, and giving an order it cannot read as a MalformedOrder.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Self

from facturier.marketplace.connectors import (
    ConnectionFailure,
    ConnectionTest,
    CredentialField,
    UploadState,
    UploadStatus,
)
from facturier.marketplace.dto import MalformedOrder, MarketOrder, RefundEvent
from facturier.marketplace.errors import CredentialsRejected

KIND = "placetest"
DOTTED_PATH = "acceptance.extension.place.PlaceTestConnector"


@dataclass(frozen=True)
class Upload:
    order_id: str
    file_name: str
    content: bytes


@dataclass
class Shop:
    token: str
    orders: list[MarketOrder | MalformedOrder] = field(default_factory=list)
    refunds: list[RefundEvent] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)


_shops: dict[str, Shop] = {}
_upload_ids = itertools.count(1)


def open_shop(account_id: str, shop: Shop) -> Shop:
    _shops[account_id] = shop
    return shop


def close_shops() -> None:
    _shops.clear()


def _changed_within(order: MarketOrder | MalformedOrder, low: datetime | None, high: datetime | None) -> bool:
    updated = getattr(order, "updated_at", None)
    if updated is None:
        return True  # an order the backend cannot read is given on every pass, as a real one would
    return (low is None or updated >= low) and (high is None or updated <= high)


class PlaceTestConnector:
    kind: ClassVar[str] = KIND
    display_name: ClassVar[str] = "Place Test"
    account_field: ClassVar[CredentialField] = CredentialField("shop", "Identifiant de la boutique")
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (CredentialField("token", "Jeton d'API", secret=True),)
    refund_lists: tuple[str, ...] = ("refunds",)
    takes_credit_notes: ClassVar[bool] = True

    def __init__(self, account_id: str, token: str):
        self.account_id, self.token = account_id, token

    @classmethod
    def from_credentials(cls, account_id: str, credentials: Mapping[str, str], **options: object) -> Self:
        return cls(account_id, credentials.get("token", ""))

    @classmethod
    def connection_name(cls, account_id: str, credentials: Mapping[str, str]) -> str:
        return cls.display_name

    def _shop(self) -> Shop:
        shop = _shops.get(self.account_id)
        if shop is None or shop.token != self.token:
            raise CredentialsRejected("Place Test: unknown shop or token", status_code=401)
        return shop

    def iter_orders(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[MarketOrder | MalformedOrder]:
        # The shop keeps its orders oldest change first, as the interface asks.
        return iter([order for order in self._shop().orders if _changed_within(order, updated_at_min, updated_at_max)])

    def get_order(self, order_id: str) -> MarketOrder | MalformedOrder:
        return next(order for order in self._shop().orders if order.order_id == order_id)

    def iter_refunds(
        self, *, updated_at_min: datetime | None = None, refund_list: str | None = None,
        problems: list[str] | None = None,
    ) -> Iterator[RefundEvent]:  # fmt: skip
        refunds = self._shop().refunds
        return iter([refund for refund in refunds if updated_at_min is None or refund.created_at >= updated_at_min])

    def upload_invoice(self, order_id: str, filename: str, content: bytes) -> str:
        self._shop().uploads.append(Upload(order_id, filename, content))
        return f"pt-{next(_upload_ids)}"

    def upload_credit_note(self, order_id: str, filename: str, content: bytes) -> str:
        return self.upload_invoice(order_id, filename, content)

    def get_upload(self, upload_id: str) -> UploadStatus:
        return UploadStatus(upload_id=upload_id, state=UploadState.ACCEPTED, detail="stored")

    def test_connection(self) -> ConnectionTest:
        try:
            count = len(self._shop().orders)
        except CredentialsRejected as error:
            return ConnectionTest(ok=False, failure=ConnectionFailure.CREDENTIALS_REFUSED, detail=error.message)
        return ConnectionTest(ok=True, orders=count, detail=f"{count} orders")

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
