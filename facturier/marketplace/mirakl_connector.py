"""Mirakl marketplaces (Fnac Darty, Leroy Merlin, Carrefour, Decathlon...) through one `Connector` backend.

One backend, many marketplaces: a connection names its instance (the `instance` credential, which takes part in the
account's uniqueness, since shop ids repeat from one instance to the next), the shop's API key, the shop id (the
account id) and the marketplace as the seller knows it (`connection_name`).

Delivery: Mirakl hides the buyer's email behind its messaging (`customer_notification_email` is an anonymised
relay, kept as the order gives it); the document uploaded with OR74 as CUSTOMER_INVOICE is shown in the buyer's
account, so the upload is the delivery. OR74 is synchronous: a refused document raises at once, an accepted one is
reported accepted by `get_upload` without another call. Credit notes are uploaded the same way (CUSTOMER_INVOICE,
the only order document type of the public API), each under its own file name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import ClassVar, Self
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .connectors import (
    ClientBacked,
    ConnectionTest,
    CredentialField,
    UploadState,
    UploadStatus,
    counting_test,
)
from .dto import RefundEvent
from .errors import CredentialsRejected, MarketplaceError, RefundListFailed
from .mirakl import MiraklClient

CLIENT_OPTIONS = ("timeout", "max_attempts", "max_retry_seconds", "sleep", "orders_page_size")
REFUND_LIST = "order_lines"  # refunds and cancelations are read on the order lines of OR11
ACCEPTED_PREFIX = "or74:"


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def secure_instance_url(value: str) -> None:
    """The shop's API key is sent to this address: only over HTTPS (plain HTTP on this machine alone, for a local
    simulator)."""
    parts = urlsplit(value.strip())
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValidationError(_("L'adresse de l'instance doit commencer par https:// (votre clé d'API y est envoyée)."))


class MiraklConnector(ClientBacked):
    kind: ClassVar[str] = "mirakl"
    display_name: ClassVar[str] = "Mirakl"
    account_field: ClassVar[CredentialField] = CredentialField(
        "shop_id", _("Identifiant de la boutique (shop id)"), help_text=_("Le numéro de votre boutique Mirakl.")
    )
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField(
            "instance", _("Adresse de l'instance Mirakl"),
            help_text=_("Par exemple https://marketplace-exemple.mirakl.net"), validators=(secure_instance_url,),
        ),
        CredentialField("api_key", _("Clé d'API de la boutique"), secret=True),
        CredentialField("connection_name", _("Nom de la marketplace"), help_text=_("Par exemple Fnac, Leroy Merlin.")),
    )  # fmt: skip
    refund_lists: tuple[str, ...] = (REFUND_LIST,)
    # The public API's only order document type is CUSTOMER_INVOICE (DO01): a credit note goes as one, under a file
    # name of its own, and an order holds both (OR74 keeps every document, up to 50).
    takes_credit_notes: ClassVar[bool] = True

    def __init__(self, client: MiraklClient):
        self.client = client

    @classmethod
    def from_credentials(cls, account_id: str, credentials: Mapping[str, str], **options: object) -> Self:
        client = MiraklClient(
            credentials.get("instance", ""),
            credentials.get("api_key", ""),
            account_id,
            name=cls.connection_name(account_id, credentials),
            **{name: value for name, value in options.items() if name in CLIENT_OPTIONS},  # type: ignore[arg-type]
        )
        return cls(client)

    @classmethod
    def connection_name(cls, account_id: str, credentials: Mapping[str, str]) -> str:
        return str(credentials.get("connection_name") or "").strip() or cls.display_name

    def iter_refunds(
        self,
        *,
        updated_at_min: datetime | None = None,
        refund_list: str | None = None,
        problems: list[str] | None = None,
    ) -> Iterator[RefundEvent]:
        try:
            yield from self.client.iter_refunds(updated_at_min=updated_at_min, problems=problems)
        except CredentialsRejected:
            raise  # the same listing as the orders: a refused key is the credentials, not the list
        except MarketplaceError as error:
            raise RefundListFailed(
                f"{self.client.name} refunds (OR11 order lines): {error.message}", endpoint="/api/orders",
                status_code=error.status_code,
            ) from error  # fmt: skip

    def upload_invoice(self, order_id: str, filename: str, content: bytes) -> str:
        document = self.client.upload_document(order_id, filename, content)
        return f"{ACCEPTED_PREFIX}{order_id}:{document}"

    def upload_credit_note(self, order_id: str, filename: str, content: bytes) -> str:
        return self.upload_invoice(order_id, filename, content)

    def get_upload(self, upload_id: str) -> UploadStatus:
        """OR74 answered at once: an upload id exists only for a document Mirakl took."""
        if upload_id.startswith(ACCEPTED_PREFIX):
            return UploadStatus(upload_id=upload_id, state=UploadState.ACCEPTED, detail="OR74")
        return UploadStatus(
            upload_id=upload_id, state=UploadState.REFUSED, errors=(f"unknown upload {upload_id}",), detail="?"
        )

    def test_connection(self) -> ConnectionTest:
        """One OR11 call for one order: a 401 is the key, a 403 the shop id; its total_count is the orders."""
        shop = self.client.shop_id or "(default shop)"
        return counting_test(self.client.count_orders, lambda count: f"{self.client.name} shop {shop}: {count} orders")
