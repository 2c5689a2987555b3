"""The one interface between Facturier and any marketplace: a connector per marketplace kind.

A backend is chosen by dotted path from settings.FACTURIER_MARKETPLACE_BACKENDS (kind -> "module.Class"), as Django
chooses its email backends. Everything outside `facturier.marketplace` talks to a marketplace only through this
module and the neutral `dto` / `errors`: it never knows an API's field names, statuses or credentials.

A backend class declares how a seller connects (its display name, its account id and credential fields) and
builds itself from a stored connection with `from_credentials`; its instances speak the operations of `Connector`.
An account belongs to one active seller at most, compared on (kind, account id); a backend reaching several
marketplace instances whose shop ids repeat (Mirakl) names its instance credential field `instance`, which then
takes part in that comparison (accounts.MarketplaceConnection.INSTANCE_CREDENTIAL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import ClassVar, Protocol, Self

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from facturier.core.stored_text import Message, message

from .dto import MalformedOrder, MarketOrder, RefundEvent
from .errors import CredentialsRejected, MarketplaceError


@dataclass(frozen=True)
class CredentialField:
    """One value a seller types to connect: `name` is its key in the connection's credentials."""

    name: str
    label: str  # shown in the portal (a lazy translation)
    secret: bool = False  # never shown back; left empty on an edit, the stored value is kept
    help_text: str = ""
    validators: tuple[Callable[[str], None], ...] = ()  # Django validators: raise ValidationError on a bad value


class UploadState:
    RUNNING = "running"  # the marketplace is still processing the document
    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(frozen=True)
class UploadStatus:
    """Where an uploaded invoice document stands at the marketplace, in neutral terms."""

    upload_id: str
    state: str  # an UploadState
    errors: tuple[str, ...] = ()
    detail: str = ""  # the marketplace's own status word, for the operator

    @property
    def is_finished(self) -> bool:
        return self.state != UploadState.RUNNING


class ConnectionFailure:
    """Why a connection test failed; each kind has a plain, translated message for the seller."""

    CREDENTIALS_REFUSED = "credentials_refused"
    WRONG_ACCOUNT = "wrong_account"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    failure: str = ""  # a ConnectionFailure when not ok
    orders: int | None = None  # orders the account holds, when the marketplace says so cheaply
    detail: str = ""  # the marketplace's own words (English, technical), for the operator and the logs


def counting_test(count_orders: Callable[[], int], describe: Callable[[int], str]) -> ConnectionTest:
    """A connection test's one cheap call, counting the account's orders. The credentials got this far, so a 403 says
    they may not act for that account (a wrong account id) and any other refusal that they are not valid."""
    try:
        count = count_orders()
    except CredentialsRejected as error:
        wrong_account = error.status_code == 403
        failure = ConnectionFailure.WRONG_ACCOUNT if wrong_account else ConnectionFailure.CREDENTIALS_REFUSED
        return ConnectionTest(ok=False, failure=failure, detail=error.message)
    except MarketplaceError as error:
        return ConnectionTest(ok=False, failure=ConnectionFailure.UNREACHABLE, detail=error.message)
    return ConnectionTest(ok=True, orders=count, detail=describe(count))


class ClientBacked:
    """A backend over one HTTP client (`self.client`): orders are read through the client as it gives them, and
    closing the connector, or leaving its `with`, closes it."""

    client: object

    def iter_orders(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[MarketOrder | MalformedOrder]:
        return self.client.iter_orders(updated_at_min=updated_at_min, updated_at_max=updated_at_max)

    def get_order(self, order_id: str) -> MarketOrder | MalformedOrder:
        return self.client.get_order(order_id)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Connector(Protocol):
    """A marketplace account, ready to be read from and uploaded to. Close it (or use `with`) when done.

    Failures are raised as `facturier.marketplace.errors` only: CredentialsRejected stops the connection until the
    seller acts (the sync marks it and emails once), any other MarketplaceError leaves it for the next pass.
    An item the backend cannot read is a MalformedOrder (shown to the seller), never an exception."""

    kind: ClassVar[str]  # the key in FACTURIER_MARKETPLACE_BACKENDS, stored on the connection
    display_name: ClassVar[str]  # the marketplace as the seller knows it: "Cdiscount"
    account_field: ClassVar[CredentialField]  # the account id (not secret, identifies the shop)
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    # The refund lists of the marketplace, read one by one: one that cannot be read (RefundListFailed) never stops
    # the other nor the orders.
    refund_lists: tuple[str, ...]
    # Whether the marketplace takes credit notes on its orders (upload_credit_note); when not, they stay with the
    # seller and go to the buyer by email only.
    takes_credit_notes: ClassVar[bool]

    @classmethod
    def from_credentials(cls, account_id: str, credentials: Mapping[str, str], **options: object) -> Self:
        """The connector of a stored connection; `options` tune the transport (max_attempts, timeout...)."""
        ...

    @classmethod
    def connection_name(cls, account_id: str, credentials: Mapping[str, str]) -> str:
        """The marketplace of one connection as the seller knows it: `display_name`, unless the backend reaches
        several marketplaces (one Mirakl backend, many marketplaces: the connection names its own)."""
        ...

    def iter_orders(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[MarketOrder | MalformedOrder]:
        """Orders changed within the bounds (inclusive), oldest change first; unreadable ones as MalformedOrder."""
        ...

    def get_order(self, order_id: str) -> MarketOrder | MalformedOrder: ...

    def iter_refunds(
        self,
        *,
        updated_at_min: datetime | None = None,
        refund_list: str | None = None,
        problems: list[str] | None = None,
    ) -> Iterator[RefundEvent]:
        """Refunds, cancellations and returns after shipment recorded since the bound, of one list of
        `refund_lists` (all when None). Items not understood are skipped and described in `problems`; a list that
        cannot be read raises RefundListFailed."""
        ...

    def upload_invoice(self, order_id: str, filename: str, content: bytes) -> str:
        """Attach an invoice document to its order; the id to follow the upload with."""
        ...

    def upload_credit_note(self, order_id: str, filename: str, content: bytes) -> str:
        """Attach a credit note to its order (only when `takes_credit_notes`); the id to follow the upload with."""
        ...

    def get_upload(self, upload_id: str) -> UploadStatus: ...

    def test_connection(self) -> ConnectionTest: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


class UnknownMarketplace(ImproperlyConfigured):
    """A connection names a kind that no configured backend serves."""


def kinds() -> tuple[str, ...]:
    return tuple(settings.FACTURIER_MARKETPLACE_BACKENDS)


def backend(kind: str) -> type[Connector]:
    path = settings.FACTURIER_MARKETPLACE_BACKENDS.get(kind)
    if not path:
        raise UnknownMarketplace(f"no marketplace backend for {kind!r}; configured: {', '.join(kinds())}")
    return _load(path)


@cache
def _load(path: str) -> type[Connector]:
    return import_string(path)


def backends() -> dict[str, type[Connector]]:
    return {kind: backend(kind) for kind in kinds()}


def connector_for(kind: str, account_id: str, credentials: Mapping[str, str], **options: object) -> Connector:
    return backend(kind).from_credentials(account_id, credentials, **options)


def display_name(kind: str) -> str:
    try:
        return backend(kind).display_name
    except UnknownMarketplace:
        return kind


def connection_name(kind: str, account_id: str, credentials: Mapping[str, str]) -> str:
    try:
        return backend(kind).connection_name(account_id, credentials)
    except UnknownMarketplace:
        return kind


def test_message(name: str, test: ConnectionTest) -> Message:
    """The outcome of a connection test of the marketplace `name` as the seller reads it (core.stored_text: shown in
    the language of the page)."""
    if test.ok:
        if test.orders is None:
            return message(gettext_noop("Connexion à %(marketplace)s réussie."), marketplace=name)
        return message(
            gettext_noop("Connexion à %(marketplace)s réussie (commandes visibles : %(count)s)."),
            marketplace=name, count=test.orders,
        )  # fmt: skip
    failures = {
        ConnectionFailure.CREDENTIALS_REFUSED: gettext_noop(
            "%(marketplace)s refuse ces identifiants d'API. Vérifiez-les dans votre espace vendeur, puis "
            "enregistrez-les à nouveau."
        ),
        ConnectionFailure.WRONG_ACCOUNT: gettext_noop(
            "%(marketplace)s accepte ces identifiants mais pas pour ce compte vendeur : vérifiez l'identifiant "
            "du compte et qu'il est bien relié à ces identifiants d'API."
        ),
    }
    default = gettext_noop("%(marketplace)s ne répond pas pour le moment. Réessayez dans quelques minutes.")
    return message(failures.get(test.failure, default), marketplace=name)
