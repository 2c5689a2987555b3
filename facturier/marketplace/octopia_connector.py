"""Cdiscount through the Octopia Seller API: the `Connector` backend wrapping OctopiaClient.

Octopia's vocabulary stops here: its credential names, its import statuses ("Success", "Failure"...) and the
meaning of its refusals (a 403 on an API call = this client may not act for that SellerId).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import ClassVar, Self

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from .auth import SharedTokenCache
from .connectors import (
    ClientBacked,
    ConnectionFailure,
    ConnectionTest,
    CredentialField,
    UploadState,
    UploadStatus,
    counting_test,
)
from .dto import RefundEvent
from .errors import CredentialsRejected, MarketplaceError, MarketplaceRequestError
from .octopia import OctopiaClient

# Octopia documents the upload of an order's invoice (PDF, UBL 2.1) and says a new upload replaces the existing
# one; it says nothing of credit notes. Sent the same way, a credit note would replace the order's invoice in the
# buyer's account: credit notes stay with the seller and reach the buyer by email.
CREDIT_NOTES_REFUSED = (
    "Cdiscount (Octopia) documents no upload of credit notes: one sent as an order invoice would replace the invoice"
)

UPLOAD_STATES = {
    "Running": UploadState.RUNNING,
    "Success": UploadState.ACCEPTED,
    "Failure": UploadState.REFUSED,
    "PartialSuccess": UploadState.REFUSED,  # one file per order: a partial success is that file refused
}


class OctopiaConnector(ClientBacked):
    kind: ClassVar[str] = "octopia"
    takes_credit_notes: ClassVar[bool] = False  # see CREDIT_NOTES_REFUSED
    display_name: ClassVar[str] = "Cdiscount"
    account_field: ClassVar[CredentialField] = CredentialField(
        "seller_id", _("Identifiant vendeur (SellerId)"), help_text=_("Le numéro de votre boutique Cdiscount.")
    )
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("client_id", _("Client ID Octopia")),
        CredentialField("client_secret", _("Client secret Octopia"), secret=True),
    )
    # Where a seller finds these values (shown above the form).
    credentials_help: ClassVar[str] = _(
        "Ces identifiants se trouvent dans votre espace vendeur Octopia (Seller Portal), rubrique des "
        "identifiants API : créez-y un accès pour Facturier, puis copiez ici son Client ID et son Client secret. "
        "L'identifiant vendeur (SellerId) est le numéro de votre boutique, affiché dans votre compte vendeur. "
        "Facturier ne fait que lire vos commandes et y déposer vos factures."
    )

    def __init__(self, client: OctopiaClient):
        self.client = client

    @classmethod
    def from_credentials(cls, account_id: str, credentials: Mapping[str, str], **options: object) -> Self:
        # One token per client id for every process (Octopia caps token requests: 500 an hour).
        options.setdefault("token_cache", SharedTokenCache(caches[settings.FACTURIER_TOKEN_CACHE]))
        client = OctopiaClient(
            settings.OCTOPIA_API_URL,
            settings.OCTOPIA_AUTH_URL,
            credentials.get("client_id", ""),
            credentials.get("client_secret", ""),
            account_id,
            **options,  # type: ignore[arg-type]
        )
        return cls(client)

    @classmethod
    def connection_name(cls, account_id: str, credentials: Mapping[str, str]) -> str:
        return cls.display_name

    @property
    def refund_lists(self) -> tuple[str, ...]:
        return self.client.refund_lists

    def iter_refunds(
        self,
        *,
        updated_at_min: datetime | None = None,
        refund_list: str | None = None,
        problems: list[str] | None = None,
    ) -> Iterator[RefundEvent]:
        return self.client.iter_refunds(updated_at_min=updated_at_min, refund_list=refund_list, problems=problems)

    def upload_invoice(self, order_id: str, filename: str, content: bytes) -> str:
        return self.client.upload_invoice(order_id, filename, content)

    def upload_credit_note(self, order_id: str, filename: str, content: bytes) -> str:
        raise MarketplaceRequestError(CREDIT_NOTES_REFUSED)

    def get_upload(self, upload_id: str) -> UploadStatus:
        result = self.client.get_invoice_import(upload_id)
        # A status Octopia does not document is waited on (and shown), not taken for an outcome.
        state = UPLOAD_STATES.get(result.status, UploadState.RUNNING)
        return UploadStatus(upload_id=result.import_id, state=state, errors=result.errors, detail=result.status)

    def test_connection(self) -> ConnectionTest:
        """A token, then one cheap call: the token tells the credentials apart from the SellerId they act for."""
        try:
            self.client._tokens.token()  # noqa: SLF001 - the token alone, to tell the two refusals apart
        except CredentialsRejected as error:
            return ConnectionTest(ok=False, failure=ConnectionFailure.CREDENTIALS_REFUSED, detail=error.message)
        except MarketplaceError as error:
            return ConnectionTest(ok=False, failure=ConnectionFailure.UNREACHABLE, detail=error.message)
        return counting_test(self.client.count_orders, lambda count: f"seller {self.client.seller_id}: {count} orders")
