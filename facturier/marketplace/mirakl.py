"""Client for the Mirakl Marketplace Platform seller ("shop") API, over httpx: one client per instance and shop.

Mirakl runs one instance per operator (Fnac Darty, Leroy Merlin, Carrefour, Decathlon...), all speaking the same
public seller API (developer.mirakl.com, MMP seller OpenAPI): the shop's API key in the `Authorization` header (no
scheme), `shop_id` as a query parameter. Used here:
- OR11 `GET /api/orders`: orders by last update (`start_update_date` / `end_update_date`), offset paging (`offset`,
  `max` <= 100, `total_count`), sorted by creation date, oldest first: an order updated during the pass keeps its
  place, an order created during the pass comes last, so the offset never skips one. Refunds (`refunds[]`) and
  cancelations (`cancelations[]`) sit on the order lines.
- OR74 `POST /api/orders/{order_id}/documents`: multipart `files` + `order_documents` (a JSON part, typed so, naming
  file name and type code CUSTOMER_INVOICE, the only order document type of the public API, so credit notes go as
  CUSTOMER_INVOICE under a file name of their own); synchronous, the answer lists only the refused documents
  (`errors_count`, `order_documents[].errors[]` of {code, field, message}, `order_documents[].input`): a 200 naming
  an error is a refusal, an answer without a body (201, 204) refused nothing.
- OR72 `GET /api/orders/documents`: the order's documents, read before an upload so that a document already taken
  (a crash after OR74 answered) is not attached twice, and the 50 documents an order holds at most are not passed.
- A01 `GET /api/account`: the shop the key acts for (its id, when the seller did not give it).
Amounts: `order_tax_mode` TAX_INCLUDED prices include the taxes; TAX_EXCLUDED prices (line `price`, `shipping_price`,
refunds, cancelations, `total_price`) do not, and the buyer paid them plus `taxes` and `shipping_taxes`. A line's
`price` is what is charged for it after its promotions (not always `price_unit` x `quantity`).
Mirakl's vocabulary (field names, states) stops at this module and mirakl_connector.py.
"""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from django.utils.translation import gettext_noop

from facturier.core.money import quantize
from facturier.core.stored_text import message

from .dto import MAIN_CHANNEL, Address, MalformedOrder, MarketOrder, OrderLine, OrderState, RefundEvent
from .errors import (
    CredentialsRejected,
    MarketplaceError,
    MarketplaceRequestError,
    OrderNotFound,
    UnexpectedResponse,
)
from .parse import (
    OrderFieldError,
    label,
    missing,
    parse_amount,
    parse_datetime,
    parse_quantity,
    read_order,
    text,
    unreadable,
)
from .transport import RetryingSender, RetryPolicy, describe_http_failure

logger = logging.getLogger(__name__)

MARKETPLACE = "mirakl"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=60.0, pool=5.0)
ORDERS_PAGE_SIZE = 100  # OR11's maximum `max`
INVOICE_TYPE_CODE = "CUSTOMER_INVOICE"
MAX_DOCUMENTS_PER_ORDER = 50  # OR74
CENT = Decimal("0.01")
FLOAT_NOISE = Decimal("0.000001")  # a JSON number's binary rounding error, far below a cent

# Order states (OR11 `order_state`) in neutral terms; a state not listed is OTHER, shown as Mirakl says it.
ORDER_STATES = {
    "STAGING": OrderState.AWAITING_SHIPMENT,
    "WAITING_ACCEPTANCE": OrderState.AWAITING_SHIPMENT,
    "WAITING_DEBIT": OrderState.AWAITING_SHIPMENT,
    "WAITING_DEBIT_PAYMENT": OrderState.AWAITING_SHIPMENT,
    "SHIPPING": OrderState.AWAITING_SHIPMENT,
    "SHIPPED": OrderState.SHIPPED,
    "TO_COLLECT": OrderState.SHIPPED,  # ready at the collect point: the goods left the seller
    "RECEIVED": OrderState.DELIVERED,
    "CLOSED": OrderState.DELIVERED,
    "REFUSED": OrderState.CANCELLED,
    "CANCELED": OrderState.CANCELLED,
    # Deprecated order states (still served by older instances): a refund is under way, the goods had left.
    "WAITING_REFUND": OrderState.SHIPPED,
    "WAITING_REFUND_PAYMENT": OrderState.SHIPPED,
}
# Line states whose goods are not (and will not be) delivered: the line is left off the invoice.
INACTIVE_LINE_STATES = frozenset({"REFUSED", "CANCELED"})
# Every line state of the API (OR11 `order_line_state`, with its deprecated values): a line in another state is not
# guessed at, its order is shown to the seller with the state.
LINE_STATES = frozenset(ORDER_STATES) | {"INCIDENT_OPEN", "REFUNDED"}
# Refund states (`refund_state`): only a refund paid back is credited; one still waiting comes again with its order.
REFUNDED_STATES = frozenset({"REFUNDED"})
WAITING_REFUND_STATES = frozenset({"WAITING_REFUND_TAX_CONFIRMATION", "WAITING_REFUND", "WAITING_REFUND_PAYMENT"})
TAX_EXCLUDED = "TAX_EXCLUDED"


class MiraklClient:
    def __init__(
        self,
        instance_url: str,
        api_key: str,
        shop_id: str = "",
        *,
        name: str = "Mirakl",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        max_retry_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        orders_page_size: int = ORDERS_PAGE_SIZE,
    ):
        self.api_url = api_base(instance_url)
        self.shop_id = str(shop_id or "").strip()
        self.name = name
        self.orders_page_size = orders_page_size
        self._api_key = api_key
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": "Facturier/1 (+invoicing)"})
        policy = RetryPolicy(max_attempts=max_attempts, max_retry_seconds=max_retry_seconds)
        self._sender = RetryingSender(self._http, policy, sleep=sleep, service=name)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MiraklClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- orders (OR11) -----------------------------------------------------------------------------

    def iter_orders(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[MarketOrder | MalformedOrder]:
        for page in self.iter_raw_pages(updated_at_min=updated_at_min, updated_at_max=updated_at_max):
            yield from self.with_invoice_origin([parse_order(item) for item in page])

    def iter_raw_orders(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[object]:
        """The OR11 items changed within the bounds, oldest created first, each once per pass."""
        for page in self.iter_raw_pages(updated_at_min=updated_at_min, updated_at_max=updated_at_max):
            yield from page

    def iter_raw_pages(
        self, *, updated_at_min: datetime | None = None, updated_at_max: datetime | None = None
    ) -> Iterator[list[object]]:
        """The OR11 items changed within the bounds, page by page, oldest created first, each once per pass."""
        params = {"sort": "dateCreated", "order": "asc", "max": str(self.orders_page_size)}
        if updated_at_min is not None:
            params["start_update_date"] = format_datetime(updated_at_min)
        if updated_at_max is not None:
            params["end_update_date"] = format_datetime(updated_at_max)
        offset = 0
        read: set[tuple[str, str]] = set()
        while True:
            body = self._get_json("/orders", params={**params, "offset": str(offset)})
            items = body.get("orders") if isinstance(body, Mapping) else None
            if not isinstance(items, list):
                raise UnexpectedResponse(f"{self.name} GET /api/orders (OR11) answered without an orders list")
            unread = _unread(items, read)
            yield unread
            offset += len(items)
            if _last_page(items, unread, offset, body.get("total_count"), self.orders_page_size):
                return

    def get_order(self, order_id: str) -> MarketOrder | MalformedOrder:
        body = self._get_json("/orders", params={"order_ids": _identifier(order_id), "max": "1"})
        items = body.get("orders") if isinstance(body, Mapping) else None
        if not isinstance(items, list):
            raise UnexpectedResponse(f"{self.name} GET /api/orders (OR11) answered without an orders list")
        if not items:
            raise OrderNotFound(f"{self.name} does not know order {order_id}", status_code=404)
        return self.with_invoice_origin([parse_order(items[0])])[0]

    def with_invoice_origin(self, orders: list[MarketOrder | MalformedOrder]) -> list[MarketOrder | MalformedOrder]:
        """`has_invoice` is also set by our own upload: an order holding a document of ours (OR72, one call for the
        page) is not invoiced elsewhere. When OR72 cannot tell, `has_invoice` stands: an order we invoiced keeps its
        invoice in our books whatever the marketplace says, so only an order we never invoiced is left alone."""
        flagged = [order.order_id for order in orders if isinstance(order, MarketOrder) and order.invoiced_elsewhere]
        if not flagged:
            return orders
        ours = {
            order_id for order_id, names in self.documents_of(flagged).items()
            if any(is_ours(order_id, name) for name in names)
        }  # fmt: skip
        return [
            replace(order, invoiced_elsewhere=False)
            if isinstance(order, MarketOrder) and order.order_id in ours
            else order
            for order in orders
        ]

    def count_orders(self) -> int:
        body = self._get_json("/orders", params={"max": "1"})
        total = body.get("total_count") if isinstance(body, Mapping) else None
        if not isinstance(total, int):
            raise UnexpectedResponse(f"{self.name} GET /api/orders (OR11) answered without a total_count")
        return total

    def iter_refunds(self, *, updated_at_min: datetime | None = None, problems: list[str] | None = None):
        """The refunds and cancelations after shipment of the orders changed since the bound (Mirakl keeps them on
        the order lines, so this is one more OR11 listing); the consumer drops those it already credited."""
        problems = problems if problems is not None else []
        for item in self.iter_raw_orders(updated_at_min=updated_at_min):
            order = parse_order(item)
            if isinstance(order, MalformedOrder):
                continue  # shown with the orders; its refunds come when it is readable
            yield from refunds_of(order, item, problems)

    # -- shop (A01) --------------------------------------------------------------------------------

    def shop_info(self) -> tuple[str, str]:
        """(shop id, shop name) of the shop the key acts for."""
        body = self._get_json("/account")
        if not isinstance(body, Mapping):
            raise UnexpectedResponse(f"{self.name} GET /api/account (A01) is not a JSON object")
        return text(body.get("shop_id")), text(body.get("shop_name"))

    # -- documents (OR74) --------------------------------------------------------------------------

    def upload_document(self, order_id: str, filename: str, content: bytes, type_code: str = INVOICE_TYPE_CODE) -> str:
        """Attach a document to its order; its (US-ASCII) file name when Mirakl took it. A document of the same name
        already on the order (OR72) is that one: it is not attached twice. A refusal is a MarketplaceRequestError
        naming Mirakl's reasons."""
        name = ascii_file_name(filename)
        existing = self.order_documents(order_id)
        if name in existing:
            return name
        if len(existing) >= MAX_DOCUMENTS_PER_ORDER:
            raise MarketplaceRequestError(
                f"{self.name} order {order_id} already holds {MAX_DOCUMENTS_PER_ORDER} documents, "
                f"the most OR74 accepts: {name} was not sent"
            )
        documents = {"order_documents": [{"file_name": name, "type_code": type_code}]}
        response = self._call(
            "POST",
            f"/orders/{_identifier(order_id)}/documents",
            files=[("files", (name, content, "application/pdf")),
                   ("order_documents", (None, json.dumps(documents), "application/json"))],
        )  # fmt: skip
        if not response.content.strip():
            return name  # 201 or 204: nothing refused
        body = _json(response, self.name)
        if not isinstance(body, Mapping):
            raise UnexpectedResponse(f"{self.name} OR74 on order {order_id} is not a JSON object")
        errors = document_errors(body)
        if errors or _count(body.get("errors_count")):
            reasons = "; ".join(errors) or f"errors_count {body.get('errors_count')}"
            raise MarketplaceRequestError(f"{self.name} refused the document {name} of order {order_id}: {reasons}")
        return name

    def order_documents(self, order_id: str) -> dict[str, str]:
        """{file name: document id} of the documents attached to the order (OR72); empty when the instance cannot
        tell (OR72 refused or unreadable): the upload then goes ahead, as it would without this check."""
        items = self._documents_listing([order_id])
        return {
            text(item.get("file_name")): text(item.get("id"))
            for item in items
            if text(item.get("order_id")) in ("", order_id)
        }

    def documents_of(self, order_ids: list[str]) -> dict[str, list[str]]:
        """{order id: the file names of its documents} (OR72, one call); no names when the instance cannot tell."""
        names: dict[str, list[str]] = {order_id: [] for order_id in order_ids}
        for item in self._documents_listing(order_ids):
            order_id = text(item.get("order_id")) or (order_ids[0] if len(order_ids) == 1 else "")
            if order_id in names:
                names[order_id].append(text(item.get("file_name")))
        return names

    def _documents_listing(self, order_ids: list[str]) -> list[Mapping]:
        wanted = ",".join(_identifier(order_id) for order_id in order_ids)
        try:
            body = self._get_json("/orders/documents", params={"order_ids": wanted})
        except CredentialsRejected:
            raise
        except MarketplaceError as error:
            logger.warning("%s OR72 unavailable for orders %s: %s", self.name, wanted, error.message)
            return []
        return _list(body.get("order_documents") if isinstance(body, Mapping) else None)

    # -- plumbing ----------------------------------------------------------------------------------

    def _get_json(self, path: str, *, params: Mapping[str, str] | None = None) -> object:
        return _json(self._call("GET", path, params=params), self.name)

    def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None, **kwargs) -> httpx.Response:
        query = dict(params or {})
        if self.shop_id:
            query["shop_id"] = self.shop_id
        headers = {"Authorization": self._api_key, "Accept": "application/json"}
        response = self._sender.send(method, self.api_url + path, params=query, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise self._error_for(method, path, response)
        return response

    def _error_for(self, method: str, path: str, response: httpx.Response) -> MarketplaceError:
        failure = mirakl_failure(response)
        status = response.status_code
        if status == 401:
            return CredentialsRejected(f"{self.name} refused the shop's API key ({failure})", status_code=status)
        if status == 403:
            message = f"{self.name} refused access to shop {self.shop_id or '?'} with this API key ({failure})"
            return CredentialsRejected(message, status_code=status)
        error_class = OrderNotFound if status == 404 else MarketplaceRequestError
        return error_class(f"{self.name} {method} /api{path} failed: {failure}", status_code=status)


def _unread(items: list, read: set[tuple[str, str]]) -> list[object]:
    """The page's items not read yet in this pass (by order id and update date)."""
    unread = []
    for item in items:
        key = (
            (text(item.get("order_id")), text(item.get("last_updated_date"))) if isinstance(item, Mapping) else ("", "")
        )
        if key == ("", "") or key not in read:
            read.add(key)
            unread.append(item)
    return unread


def is_ours(order_id: str, file_name: str) -> bool:
    """Our documents are named `<order>.pdf` (the invoice) and `<order>-<number>.pdf` (credit notes), as OR74 took
    them (US-ASCII)."""
    invoice = ascii_file_name(f"{order_id}.pdf")
    return file_name == invoice or (
        file_name.startswith(invoice.removesuffix(".pdf") + "-") and file_name.endswith(".pdf")
    )


def _last_page(items: list, unread: list, offset: int, total: object, page_size: int) -> bool:
    """The listing ends on an empty page, or on a short one once `total_count` is reached. A full page is never the
    last whatever `total_count` says (a wrong count loses no order), and a short page is not either without a count
    (a server may serve fewer than `max`): one more call finds the end. A page of orders all read already is a
    server ignoring `offset`: the listing ends rather than loop."""
    if not items or not unread:
        return True
    if len(items) >= page_size:
        return False
    return isinstance(total, int) and not isinstance(total, bool) and offset >= total


# -- reading an order ------------------------------------------------------------------------------


def parse_order(data: object) -> MarketOrder | MalformedOrder:
    return read_order(
        data, "order_id", gettext_noop("Identifiant de commande (order_id)"), MARKETPLACE, _parse_valid_order
    )


def _parse_valid_order(order_id: str, data: Mapping) -> MarketOrder:
    status = _known_state(data.get("order_state"), "order_state", ORDER_STATES)
    state = ORDER_STATES[status]
    tax_included = _tax_included(data)
    raw_lines, lines = _order_lines(data, tax_included)
    billing, delivery, emails, organization = _buyer(data)
    total_paid = _amount_paid(data, raw_lines, tax_included)
    if state in OrderState.GONE_OUT:
        _check_invoiceable(lines, total_paid, delivery or billing)
    channel = _mapping(data.get("channel"))
    shipped = _latest(data, raw_lines, "shipped_date")
    delivered = _latest(data, raw_lines, "received_date")
    return MarketOrder(
        marketplace=MARKETPLACE,
        order_id=order_id,
        seller_reference=text(_mapping(data.get("references")).get("order_reference_for_seller")),
        state=state,
        status=status,
        # Mirakl's channels are the operator's own storefronts (a country, a site): all are the marketplace's own.
        sales_channel=MAIN_CHANNEL,
        sales_channel_name=text(channel.get("label")) or text(channel.get("code")),
        business_order=bool(organization) or bool(billing.company_vat_number),
        placed_at=parse_datetime(data.get("created_date"), "created_date"),
        updated_at=parse_datetime(data.get("last_updated_date"), "last_updated_date"),
        shipped_at=shipped,
        ship_by=parse_datetime(data.get("shipping_deadline"), "shipping_deadline"),
        delivered_at=delivered,
        currency=text(data.get("currency_iso_code")).upper(),
        billing_address=billing,
        delivery_address=delivery,
        buyer_emails=emails,
        lines=lines,
        total_paid=total_paid,
        invoiced_elsewhere=data.get("has_invoice") is True,  # until OR72 shows the invoice is ours
        raw=data,
    )


def _order_lines(data: Mapping, tax_included: bool) -> tuple[list, tuple[OrderLine, ...]]:
    """The order's lines as Mirakl gives them and as read; an order without any line is not guessed at."""
    raw_lines = data.get("order_lines")
    if not isinstance(raw_lines, list):
        raise OrderFieldError(
            message(gettext_noop("Lignes de la commande (%(field)s) : ce n'est pas une liste."), field="order_lines")
        )
    lines = tuple(item for index, line in enumerate(raw_lines) for item in _parse_line(index, line, tax_included))
    if not lines:
        raise missing("order_lines")
    return raw_lines, lines


def _check_invoiceable(lines: tuple[OrderLine, ...], total_paid: Decimal | None, address: Address) -> None:
    """A shipped order is invoiced for what was paid, to a known country: otherwise it is shown, not guessed at."""
    _check_amounts(lines, total_paid)
    if not address.country_code:
        raise missing("customer.shipping_address.country_iso_code")


def _buyer(data: Mapping) -> tuple[Address, Address | None, tuple[str, ...], Mapping]:
    """The billing address, the delivery address (None before shipping), the e-mails and the organization."""
    customer = _mapping(data.get("customer"))
    organization = _mapping(customer.get("organization"))
    billing = _address(_mapping(customer.get("billing_address")), organization, customer)
    shipping = customer.get("shipping_address")
    delivery = _address(shipping, {}, customer) if isinstance(shipping, Mapping) else None
    emails = tuple(
        email for email in (text(customer.get("email")), text(data.get("customer_notification_email"))) if email
    )
    return billing, delivery, emails, organization


def _parse_line(index: int, line: object, tax_included: bool) -> tuple[OrderLine, ...]:
    """The order line as invoiced: what the buyer pays for it is its `price` (after promotions), plus its `taxes`
    when the order's prices exclude them. A line whose amount does not split into whole cents per unit becomes two
    lines of the same product, one cent apart (3 for 10.00 €: 2 x 3.33 and 1 x 3.34), so that the invoice is what
    was paid, to the cent."""
    where = f"order_lines[{index}]"
    if not isinstance(line, Mapping):
        raise OrderFieldError(message(gettext_noop("%(field)s : ce n'est pas un objet JSON."), field=where))
    line_id = text(line.get("order_line_id"))
    if not line_id:
        raise missing(f"{where}.order_line_id")
    quantity = parse_quantity(line.get("quantity"), f"{where}.quantity")
    unit_price = _required_amount(line, "price_unit", where)
    billed = _billed_quantity(line, quantity, unit_price, where)
    price, shipping, tax_amount = _line_amounts(line, where, unit_price, billed, tax_included)
    common = _line_common(line, billed, where)
    if not billed:
        return (OrderLine(line_id=line_id, quantity=quantity, unit_price_gross=unit_price, shipping_gross=shipping,
                          tax_amount=tax_amount, **common),)  # fmt: skip
    unit, odd_cents = _units(quantize(price), billed)
    first = OrderLine(line_id=line_id, quantity=billed - odd_cents, unit_price_gross=unit, shipping_gross=shipping,
                      tax_amount=tax_amount, **common)  # fmt: skip
    if not odd_cents:
        return (first,)
    if odd_cents == billed:
        return (replace(first, quantity=billed, unit_price_gross=unit + CENT),)
    rest = OrderLine(line_id=f"{line_id}~{unit + CENT}", quantity=odd_cents, unit_price_gross=unit + CENT, **common)
    return first, rest


def _line_amounts(
    line: Mapping, where: str, unit_price: Decimal, billed: int, tax_included: bool
) -> tuple[Decimal, Decimal, Decimal | None]:
    """(what the buyer pays for the billed units, for their shipping, the taxes given or None), taxes included."""
    shipping = parse_amount(line.get("shipping_price") or 0, f"{where}.shipping_price")
    taxes = _tax_total(line.get("taxes"), f"{where}.taxes")
    shipping_taxes = _tax_total(line.get("shipping_taxes"), f"{where}.shipping_taxes")
    price = parse_amount(line["price"], f"{where}.price") if line.get("price") is not None else unit_price * billed
    if not tax_included:
        price += taxes
        shipping += shipping_taxes
    tax_amount = taxes + shipping_taxes if line.get("taxes") is not None else None
    return _cents(price, f"{where}.price"), _cents(shipping, f"{where}.shipping_price"), tax_amount


def _known_state(value: object, field: str, known: Mapping | frozenset) -> str:
    """The state as Mirakl names it; a state the API does not list (a newer one) is not guessed at."""
    state = text(value)
    if not state:
        raise missing(field)
    if state not in known:
        raise unreadable(field, value, label(gettext_noop("n'est pas un état connu")))
    return state


def _line_common(line: Mapping, billed: int, where: str) -> dict:
    """What every part of the line says of the product and its state."""
    state = _known_state(line.get("order_line_state"), f"{where}.order_line_state", LINE_STATES)
    return {
        "status": state,
        "active": state not in INACTIVE_LINE_STATES and billed > 0,
        "title": text(line.get("product_title")),
        "sku": text(line.get("offer_sku")) or text(line.get("product_sku")),
        "ean": _ean(line),
        "tax_rate": _tax_rate(line.get("taxes")),
        "category": text(line.get("category_label")) or text(line.get("category_code")),
    }


def _units(amount: Decimal, quantity: int) -> tuple[Decimal, int]:
    """(unit price rounded down to the cent, how many units take one cent more) so that they add up to `amount`."""
    cents = int(amount / CENT)
    return Decimal(cents // quantity) * CENT, cents % quantity


def _tax_included(data: Mapping) -> bool:
    return text(data.get("order_tax_mode")).upper() != TAX_EXCLUDED


def _amount_paid(data: Mapping, raw_lines: list, tax_included: bool) -> Decimal | None:
    """What the buyer paid: `total_price`, plus, when the prices exclude taxes, the order's taxes (`order_taxes` when
    the instance computes them per order, else the taxes of its lines still sold)."""
    total = data.get("total_price")
    if total is None:
        return None
    amount = parse_amount(total, "total_price")
    if tax_included:
        return _cents(amount, "total_price")
    if isinstance(data.get("order_taxes"), list):
        taxes = _list(data["order_taxes"])
        amount += sum((parse_amount(tax.get("total_amount") or 0, "order_taxes") for tax in taxes), Decimal(0))
        return _cents(amount, "total_price")
    for index, line in enumerate(_list(raw_lines)):
        if text(line.get("order_line_state")) not in INACTIVE_LINE_STATES:
            amount += _tax_total(line.get("taxes"), f"order_lines[{index}].taxes")
            amount += _tax_total(line.get("shipping_taxes"), f"order_lines[{index}].shipping_taxes")
    return _cents(amount, "total_price")


def _cents(amount: Decimal, field: str) -> Decimal:
    """The amount in whole cents: a JSON number's binary noise (19.990000000000002) is rounded off, a real fraction
    of a cent (19.994) is not guessed at."""
    cents = quantize(amount)
    if abs(amount - cents) > FLOAT_NOISE:
        raise unreadable(field, str(amount), label(gettext_noop("n'est pas un montant en centimes")))
    return cents


def _check_amounts(lines: tuple[OrderLine, ...], paid: Decimal | None) -> None:
    """The invoice (the lines still sold, with their shipping) is what the buyer paid: an order whose lines do not add
    up to its `total_price` (fees, a missing shipping price, taxes given per order that differ from the lines') is
    shown, not invoiced at another amount. Whether lines refused or cancelled still count in the total is left open
    by the API: both readings are taken."""
    if paid is None:
        return
    invoiced = sum((_gross(line) for line in lines if line.active), Decimal(0))
    set_aside = sum((_gross(line) for line in lines if line.status in INACTIVE_LINE_STATES), Decimal(0))
    if paid not in (invoiced, invoiced + set_aside):
        raise OrderFieldError(
            message(gettext_noop("Montants incohérents : total payé %(paid)s (total_price), lignes facturables "
                                 "%(lines)s (price, shipping_price et leurs taxes)."), paid=f"{paid:.2f}",
                    lines=f"{invoiced:.2f}")
        )  # fmt: skip


def _gross(line: OrderLine) -> Decimal:
    return line.goods_gross + line.shipping_gross


def _billed_quantity(line: Mapping, quantity: int, unit_price: Decimal, where: str) -> int:
    """The quantity the buyer pays for: `price` (the line without shipping, as it stands after the cancelations made
    before shipment) over `price_unit` when that is a whole quantity, else `quantity` less the quantities of those
    cancelations (`shipping_price` is taken as it stands: Mirakl gives the line's current shipping)."""
    price = line.get("price")
    if price is not None and unit_price > 0:
        ratio = parse_amount(price, f"{where}.price") / unit_price
        if ratio == ratio.to_integral_value() and 0 <= ratio <= quantity:
            return int(ratio)
    shipped = parse_datetime(line.get("shipped_date"), f"{where}.shipped_date")
    cancelled = 0
    for index, cancelation in enumerate(_list(line.get("cancelations"))):
        created = parse_datetime(cancelation.get("created_date"), f"{where}.cancelations[{index}].created_date")
        if shipped is None or created is None or created <= shipped:
            cancelled += parse_quantity(cancelation.get("quantity") or 0, f"{where}.cancelations[{index}].quantity")
    return max(quantity - cancelled, 0)


def refunds_of(order: MarketOrder, data: Mapping, problems: list[str]) -> Iterator[RefundEvent]:
    """Money given back after shipment: refunds paid back, and cancelations made after the line shipped."""
    tax_included = _tax_included(data)
    for line in _list(data.get("order_lines")):
        line_id = text(line.get("order_line_id"))
        shipped = _safe_datetime(line.get("shipped_date"))
        for refund in _list(line.get("refunds")):
            state = text(refund.get("refund_state")) or text(refund.get("state"))  # `state`: deprecated name
            if state in WAITING_REFUND_STATES:
                continue
            if state not in REFUNDED_STATES:
                _tell(problems, f"refund {text(refund.get('id')) or '?'} of order {order.order_id}: "
                                f"refund_state {state!r} not understood")  # fmt: skip
                continue
            if event := _event(order, line_id, refund, "return", tax_included, problems):
                yield event
        for cancelation in _list(line.get("cancelations")):
            created = _safe_datetime(cancelation.get("created_date"))
            after_shipment = shipped is not None and created is not None and created > shipped
            if after_shipment and (
                event := _event(order, line_id, cancelation, "cancellation", tax_included, problems)
            ):
                yield event


def _event(order: MarketOrder, line_id: str, item: Mapping, kind: str, tax_included: bool, problems: list[str]):
    item_id = text(item.get("id"))
    prefix = "refund" if kind == "return" else "cancelation"
    try:
        if not item_id:
            raise OrderFieldError(f"{prefix} of order {order.order_id}, line {line_id}: id is missing")
        amount = parse_amount(item.get("amount") or 0, f"{prefix} {item_id}: amount")
        amount += parse_amount(item.get("shipping_amount") or 0, f"{prefix} {item_id}: shipping_amount")
        if not tax_included:
            amount += _tax_total(item.get("taxes"), f"{prefix} {item_id}: taxes")
            amount += _tax_total(item.get("shipping_taxes"), f"{prefix} {item_id}: shipping_taxes")
        created = parse_datetime(item.get("created_date"), f"{prefix} {item_id}: created_date")
        if created is None:
            raise OrderFieldError(f"{prefix} {item_id}: created_date is missing")
    except OrderFieldError as error:
        _tell(problems, f"unreadable: {error}")
        return None
    if amount <= 0:
        return None
    return RefundEvent(
        refund_id=f"{prefix}:{item_id}",
        order_id=order.order_id,
        kind=kind,
        amount_gross=quantize(amount),
        line_ids=(line_id,),
        created_at=created,
        reason=text(item.get("reason_label")) or text(item.get("reason_code")),
    )


def _address(data: Mapping, organization: Mapping, customer: Mapping) -> Address:
    return Address(
        civility=text(data.get("civility")) or text(customer.get("civility")),
        first_name=text(data.get("firstname")) or text(customer.get("firstname")),
        last_name=text(data.get("lastname")) or text(customer.get("lastname")),
        company_name=text(data.get("company")) or text(organization.get("name")),
        company_vat_number=text(organization.get("tax_identification_number")),
        line1=text(data.get("street_1")),
        line2=text(data.get("street_2")),
        line3=text(data.get("additional_info")),
        postal_code=text(data.get("zip_code")),
        city=text(data.get("city")),
        country_code=_country(data),
        phone=text(data.get("phone")),
    )


def _country(data: Mapping) -> str:
    """ISO 3166 alpha-2. Mirakl's `country_iso_code` is alpha-3 (FRA); without it, the `country` label is read (a
    name we cannot tell stays as given, so the seller sees it)."""
    code = text(data.get("country_iso_code")).upper()
    if not code:
        name = unicodedata.normalize("NFKD", text(data.get("country"))).encode("ascii", "ignore").decode().upper()
        code = COUNTRY_NAMES.get(name, name)
    return ALPHA3_TO_ALPHA2.get(code, code)


# The EU and EEA states, Switzerland, the UK, Monaco and the French overseas territories (an address outside France
# is shown under its code: only "FR" is invoiced), and a few far countries.
ALPHA3_TO_ALPHA2 = {
    "FRA": "FR", "BEL": "BE", "DEU": "DE", "ESP": "ES", "ITA": "IT", "LUX": "LU", "NLD": "NL", "PRT": "PT",
    "AUT": "AT", "CHE": "CH", "GBR": "GB", "IRL": "IE", "POL": "PL", "MCO": "MC", "USA": "US", "CAN": "CA",
    "DNK": "DK", "SWE": "SE", "FIN": "FI", "NOR": "NO", "CZE": "CZ", "GRC": "GR", "ROU": "RO", "HUN": "HU",
    "BGR": "BG", "HRV": "HR", "CYP": "CY", "EST": "EE", "LVA": "LV", "LTU": "LT", "MLT": "MT", "SVK": "SK",
    "SVN": "SI", "ISL": "IS", "LIE": "LI", "AND": "AD", "SMR": "SM", "VAT": "VA", "GLP": "GP", "MTQ": "MQ",
    "GUF": "GF", "REU": "RE", "MYT": "YT", "SPM": "PM", "BLM": "BL", "MAF": "MF", "NCL": "NC", "PYF": "PF",
    "WLF": "WF", "ATF": "TF", "MAR": "MA", "DZA": "DZ", "TUN": "TN", "CHN": "CN", "JPN": "JP", "AUS": "AU",
}  # fmt: skip
COUNTRY_NAMES = {"FRANCE": "FR", "FRANCE METROPOLITAINE": "FR", "BELGIQUE": "BE", "BELGIUM": "BE"}


def _ean(line: Mapping) -> str:
    for reference in _list(line.get("product_references")):
        if text(reference.get("reference_type")).upper() == "EAN":
            return text(reference.get("reference"))
    return ""


def _tax_total(value: object, name: str) -> Decimal:
    return sum((parse_amount(tax.get("amount") or 0, f"{name}.amount") for tax in _list(value)), Decimal(0))


def _tax_rate(value: object) -> Decimal | None:
    """The line's VAT rate (percent) when Mirakl gives exactly one."""
    rates = set()
    for tax in _list(value):
        try:
            if tax.get("rate") is not None:
                rates.add(parse_amount(tax.get("rate"), "rate"))
        except OrderFieldError:
            return None
    return rates.pop() if len(rates) == 1 else None


def _required_amount(line: Mapping, key: str, where: str) -> Decimal:
    if line.get(key) is None:
        raise missing(f"{where}.{key}")
    return parse_amount(line.get(key), f"{where}.{key}")


def _latest(data: Mapping, lines: list, key: str) -> datetime | None:
    """The order's date when it gives one, else the latest of its lines' (Mirakl dates the lines)."""
    moment = parse_datetime(data.get(key), key)
    if moment is not None:
        return moment
    dates = [parse_datetime(line.get(key), f"order_lines.{key}") for line in lines if isinstance(line, Mapping)]
    return max((date for date in dates if date is not None), default=None)


def _safe_datetime(value: object) -> datetime | None:
    try:
        return parse_datetime(value, "date")
    except OrderFieldError:
        return None


# -- small helpers ---------------------------------------------------------------------------------


def api_base(instance_url: str) -> str:
    """The API root of an instance: "https://x.mirakl.net" and "https://x.mirakl.net/api" give the same."""
    url = instance_url.strip().rstrip("/")
    return url if url.endswith("/api") else f"{url}/api"


def format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Mirakl filters need an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ascii_file_name(filename: str) -> str:
    """OR74 wants US-ASCII file names: accents dropped, anything else unusual replaced."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    return "".join(char if char.isalnum() or char in "._-" else "_" for char in plain) or "document.pdf"


def document_errors(body: Mapping) -> list[str]:
    """OR74 lists the refused documents only: {"input": {"file_name", "type_code"}, "errors": [{code, field, message}]}
    (a plain list of texts, or a top-level file_name, is read too)."""
    errors = []
    for document in _list(body.get("order_documents")):
        name = text(_mapping(document.get("input")).get("file_name")) or text(document.get("file_name")) or "?"
        reasons = document.get("errors") if isinstance(document.get("errors"), list) else []
        errors.extend(f"{name}: {_error_text(reason)}" for reason in reasons)
    return errors


def _error_text(error: object) -> str:
    if not isinstance(error, Mapping):
        return text(error)
    where = f" ({text(error.get('field'))})" if text(error.get("field")) else ""
    return f"{text(error.get('message')) or text(error.get('code')) or '?'}{where}"


def mirakl_failure(response: httpx.Response) -> str:
    """The failure as "HTTP 400 Bad Request: <Mirakl's message>" (Mirakl's error bodies: {"status", "message"})."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, Mapping) and text(body.get("message")):
        summary = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        return f"{summary}: {text(body.get('message'))}"
    return describe_http_failure(response)


def _json(response: httpx.Response, name: str) -> object:
    try:
        return json.loads(response.content.decode("utf-8", "surrogateescape"), parse_float=Decimal)
    except ValueError:
        raise UnexpectedResponse(
            f"{name} {response.request.method} {response.request.url.path} did not answer JSON"
        ) from None


def _count(value: object) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _mapping(value: object) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Mapping]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _tell(problems: list[str], note: str) -> None:
    logger.error("Skipping a Mirakl refund: %s", note)
    problems.append(note)


def _identifier(value: str) -> str:
    if not value or "/" in value or value in (".", ".."):
        raise MarketplaceRequestError(f"{value!r} is not a valid Mirakl order id")
    return value
