"""Production client for the Octopia Seller API v2 (Cdiscount marketplace), over httpx.

Every request carries an explicit timeout, `Authorization: Bearer` and `SellerId`. Transient failures
are retried by transport.RetryingSender; a 401 triggers exactly one token refresh.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx

from .auth import TokenCache, TokenProvider
from .dto import ConnectionCheck, InvoiceImport, MalformedOrder, MarketOrder, RefundEvent
from .errors import (
    CredentialsRejected,
    MarketplaceError,
    MarketplaceRequestError,
    OrderNotFound,
    RefundListFailed,
    UnexpectedResponse,
    parse_problem,
)
from .parse import parse_order, repaired, text
from .refunds import (
    RefundFieldError,
    cancellation_order_id,
    cancellation_to_refund,
    gesture_to_refund,
    is_accepted_cancellation,
    is_in_window,
    status_not_understood,
)
from .transport import RetryingSender, RetryPolicy, describe_http_failure

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
ORDERS_PAGE_SIZE = 100  # the API maximum
CANCELLATIONS_PAGE_SIZE = 100
GESTURES_PAGE_LIMIT = 1000  # the API maximum
GESTURES_PATH = "/order-commercial-gesture-requests"
CANCELLATIONS_PATH = "/order-cancellation-requests"
# The refund lists, each read (and failing) on its own: name -> endpoint.
REFUND_LISTS = {"commercial_gestures": GESTURES_PATH, "cancellations": CANCELLATIONS_PATH}
ORDER_FILTERS = {
    "statuses": "status",
    "reference": "reference",
    "business_order": "businessOrder",
    "shipping_country": "shippingCountry",
    "supply_mode": "supplyMode",
    "sales_channel_id": "salesChannelId",
    "created_at_min": "createdAtMin",
    "created_at_max": "createdAtMax",
    "updated_at_min": "updatedAtMin",
    "updated_at_max": "updatedAtMax",
    "shipped_at_min": "shippedAtMin",
    "shipped_at_max": "shippedAtMax",
}
INVOICE_CONTENT_TYPES = {".pdf": "application/pdf", ".xml": "application/xml", ".zip": "application/zip"}


class OctopiaClient:
    refund_lists = tuple(REFUND_LISTS)  # read one by one by the sync: one failing never stops the other

    def __init__(
        self,
        api_url: str,
        auth_url: str,
        client_id: str,
        client_secret: str,
        seller_id: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        max_retry_seconds: float = 60.0,
        token_cache: TokenCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        orders_page_size: int = ORDERS_PAGE_SIZE,
    ):
        self.api_url = api_url.rstrip("/")
        self.orders_page_size = orders_page_size
        self.client_id = client_id
        self.seller_id = str(seller_id)
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": "Facturier/1 (+invoicing)"})
        policy = RetryPolicy(max_attempts=max_attempts, max_retry_seconds=max_retry_seconds)
        self._sender = RetryingSender(self._http, policy, sleep=sleep)
        self._tokens = TokenProvider(self._sender, auth_url, client_id, client_secret, token_cache)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OctopiaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- orders ------------------------------------------------------------------------------------

    def iter_orders(
        self,
        *,
        statuses: tuple[str, ...] | list[str] = (),
        updated_at_min: datetime | None = None,
        created_at_min: datetime | None = None,
        page_size: int | None = None,
        **filters: object,
    ) -> Iterator[MarketOrder | MalformedOrder]:
        """Orders oldest update first, none lost while the list changes under the pages (fidelity #23).

        The API pages by offset over a live, updatedAt-sorted set: an order updated during the pass moves to the
        end and every later row shifts one slot back, so the row at the next page's head would never be read.
        So each next page asks again from the newest updatedAt read (updatedAtMin, whole seconds, inclusive) and
        drops what it already read; only a full page sharing one updatedAt second moves on by pageIndex (asking
        again would bring the same page back). An order updated meanwhile comes again, newer: it is yielded again.
        The listing ends on a short page (the API gives no total)."""
        page_size = page_size or self.orders_page_size
        params = order_filters(statuses=statuses, created_at_min=created_at_min, **filters)
        params.update(sort="asc:updatedAt", pageSize=str(page_size))
        low = updated_at_min.replace(microsecond=0) if updated_at_min else None
        page_index = 1
        read: set[tuple[str, str]] = set()
        while True:
            items = self._orders_page({**params, "pageIndex": str(page_index)}, low)
            seconds = yield from _unread_orders(items, read)
            if len(items) < page_size:
                return
            low, page_index = _next_page(seconds, low, page_index)

    def _orders_page(self, query: dict[str, str], low: datetime | None) -> list:
        if low is not None:
            query["updatedAtMin"] = format_datetime(low)
        body = self._get_json("/orders", params=query)
        items = body.get("items") if isinstance(body, Mapping) else None
        if not isinstance(items, list):
            raise UnexpectedResponse("Octopia GET /orders answered without an items list")
        return items

    def get_order(self, order_id: str) -> MarketOrder | MalformedOrder:
        return parse_order(self._get_json(f"/orders/{_segment(order_id)}"))

    def count_orders(self, **filters: object) -> int:
        response = self._call("GET", "/orders/count", params=order_filters(**filters))
        try:
            return int(response.text.strip())
        except ValueError:
            raise UnexpectedResponse(
                f"Octopia GET /orders/count answered {response.text[:80]!r}, not an integer"
            ) from None

    # -- refunds -----------------------------------------------------------------------------------

    def iter_refunds(
        self,
        *,
        updated_at_min: datetime | None = None,
        refund_list: str | None = None,
        problems: list[str] | None = None,
    ) -> Iterator[RefundEvent]:
        """Refunds after shipment: accepted commercial gestures, then accepted cancellations of shipped orders
        (see refunds.py for the choice of endpoints); `refund_list` (a key of REFUND_LISTS) reads only that one.
        Items that cannot be read, or whose status is not understood, are skipped, logged and described in
        `problems`. A list that cannot be read raises RefundListFailed, whatever the cause (a 401 or 403 on these
        undocumented lists says nothing about the credentials)."""
        readers = {"commercial_gestures": self._iter_gesture_refunds, "cancellations": self._iter_cancellation_refunds}
        problems = problems if problems is not None else []
        for name in [refund_list] if refund_list else REFUND_LISTS:
            yield from readers[name](updated_at_min, problems)

    def _iter_gesture_refunds(self, updated_at_min: datetime | None, problems: list[str]) -> Iterator[RefundEvent]:
        params = {"limit": str(GESTURES_PAGE_LIMIT)}
        if updated_at_min is not None:
            params["updatedAtMin"] = format_datetime(updated_at_min)
        seen_cursors: set[str] = set()
        while True:
            response, body, items = self._refund_page(GESTURES_PATH, params)
            for item in items:
                if note := status_not_understood(item, "commercial gesture"):
                    _tell(problems, note)
                elif event := _safely(problems, gesture_to_refund, item):
                    yield event
            cursor = _next_cursor(body, response)
            if not cursor or cursor in seen_cursors or not items:
                return
            seen_cursors.add(cursor)
            params = {**params, "cursor": cursor}

    def _iter_cancellation_refunds(
        self, updated_at_min: datetime | None, problems: list[str]
    ) -> Iterator[RefundEvent]:
        orders: dict[str, MarketOrder | MalformedOrder | None] = {}
        page_index = 1
        while True:
            params = {"pageIndex": str(page_index), "pageSize": str(CANCELLATIONS_PAGE_SIZE)}
            _response, _body, items = self._refund_page(CANCELLATIONS_PATH, params)
            for item in items:
                if (note := status_not_understood(item, "cancellation")) and is_in_window(item, updated_at_min):
                    _tell(problems, note)
                if not is_accepted_cancellation(item, updated_at_min):
                    continue
                order_id = cancellation_order_id(item)
                if order_id and order_id not in orders:
                    orders[order_id] = self._cancelled_order(order_id)
                order = orders.get(order_id)
                if isinstance(order, MarketOrder) and (event := _safely(problems, cancellation_to_refund, item, order)):
                    yield event
            if len(items) < CANCELLATIONS_PAGE_SIZE:
                return
            page_index += 1

    def _refund_page(self, path: str, params: Mapping[str, str]) -> tuple[httpx.Response, object, list]:
        """One page of a refund list and its items; any failure, or a body of another shape, is RefundListFailed."""
        try:
            response = self._call("GET", path, params=params)
            body = _json(response)
            items = _items(body, strict=True)
        except MarketplaceError as error:
            raise RefundListFailed(
                f"Octopia GET {path}: {error.message}", endpoint=path, status_code=error.status_code,
                problem=error.problem,
            ) from error  # fmt: skip
        return response, body, items

    def _cancelled_order(self, order_id: str) -> MarketOrder | MalformedOrder | None:
        """The order a cancellation names; None (logged) when the marketplace does not know it."""
        try:
            return self.get_order(order_id)
        except OrderNotFound:
            logger.error("Skipping a cancellation of order %s: Octopia does not know the order", order_id)
            return None
        except MarketplaceError as error:
            path = f"/orders/{order_id}"
            raise RefundListFailed(
                f"Octopia GET {path} (cancelled order): {error.message}", endpoint=CANCELLATIONS_PATH,
                status_code=error.status_code, problem=error.problem,
            ) from error  # fmt: skip

    # -- invoice upload ----------------------------------------------------------------------------

    def upload_invoice(self, order_id: str, filename: str, pdf_bytes: bytes) -> str:
        """Attach our invoice to the order (replaces a previous one); returns the importId to poll."""
        suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
        content_type = INVOICE_CONTENT_TYPES.get(suffix, "application/octet-stream")
        response = self._call(
            "POST",
            f"/orders/{_segment(order_id)}/invoice-documents",
            files={"file": (filename, pdf_bytes, content_type)},
        )
        body = _json(response)
        import_id = text(body.get("importId") or body.get("id")) if isinstance(body, Mapping) else ""
        if not import_id:
            raise UnexpectedResponse(f"Octopia accepted the invoice of order {order_id} but gave no importId")
        return import_id

    def get_invoice_import(self, import_id: str) -> InvoiceImport:
        body = self._get_json(f"/order-invoice-imports/{_segment(import_id)}")
        if not isinstance(body, Mapping):
            raise UnexpectedResponse(f"Octopia invoice import {import_id} is not a JSON object")
        return InvoiceImport(
            import_id=text(body.get("importId")) or import_id,
            status=text(body.get("status")),
            errors=tuple(_import_errors(body)),
        )

    # -- connection --------------------------------------------------------------------------------

    def test_connection(self) -> ConnectionCheck:
        """Token + one cheap call, as shown to the seller on the settings page."""
        try:
            count = self.count_orders()
        except CredentialsRejected as error:
            return ConnectionCheck(ok=False, message=str(error))
        except MarketplaceError as error:
            return ConnectionCheck(ok=False, message=f"Octopia could not be reached: {error}")
        message = f"Connected to Octopia as seller {self.seller_id}: {count} orders."
        return ConnectionCheck(ok=True, message=message)

    # -- plumbing ----------------------------------------------------------------------------------

    def _get_json(self, path: str, *, params: Mapping[str, str] | None = None) -> object:
        return _json(self._call("GET", path, params=params))

    def _call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        token = self._tokens.token()
        response = self._send(method, path, token, kwargs)
        if response.status_code == 401:
            response = self._send(method, path, self._tokens.refresh(token), kwargs)
        if response.status_code >= 400:
            raise self._error_for(method, path, response)
        return response

    def _send(self, method: str, path: str, token: str, kwargs: dict) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "SellerId": self.seller_id,
            "Accept": "application/json",
        }
        return self._sender.send(method, self.api_url + path, headers=headers, **kwargs)

    def _error_for(self, method: str, path: str, response: httpx.Response) -> MarketplaceError:
        problem = parse_problem(response.content)
        failure = describe_http_failure(response)
        status = response.status_code
        if status == 401:
            message = f"Octopia rejected the token of client '{self.client_id}' after a refresh ({failure})"
            return CredentialsRejected(message, status_code=status, problem=problem)
        if status == 403:
            message = (
                f"Octopia refused access to seller {self.seller_id} for client '{self.client_id}'; "
                f"is the seller linked to these API credentials? ({failure})"
            )
            return CredentialsRejected(message, status_code=status, problem=problem)
        error_class = OrderNotFound if status == 404 else MarketplaceRequestError
        return error_class(f"Octopia {method} {path} failed: {failure}", status_code=status, problem=problem)


def _unread_orders(
    items: list, read: set[tuple[str, str]]
) -> Generator[MarketOrder | MalformedOrder, None, set[datetime]]:
    """Yields the page's orders not read yet in this state (id and updatedAt); returns the page's updatedAt
    seconds."""
    seconds: set[datetime] = set()
    for item in items:
        order = parse_order(item)
        moment = getattr(order, "updated_at", None)
        if moment is not None:
            seconds.add(moment.astimezone(UTC).replace(microsecond=0))
        key = (order.order_id, str(item.get("updatedAt")) if isinstance(item, Mapping) else "")
        if key not in read:
            read.add(key)
            yield order
    return seconds


def _next_page(seconds: set[datetime], low: datetime | None, page_index: int) -> tuple[datetime | None, int]:
    """Ask again from the page's newest second, unless the whole page shares one second (or brought nothing
    newer): then the next page index."""
    newest = max(seconds, default=None)
    if len(seconds) > 1 and newest is not None and (low is None or newest > low):
        return newest, 1
    return low, page_index + 1


def order_filters(**filters: object) -> dict[str, str]:
    """Python keyword filters -> GET /orders query parameters (dates as ISO-8601 UTC)."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if name not in ORDER_FILTERS:
            raise TypeError(f"unknown order filter {name!r}; known: {', '.join(ORDER_FILTERS)}")
        if value is None or value == () or value == []:
            continue
        if isinstance(value, datetime):
            params[ORDER_FILTERS[name]] = format_datetime(value)
        elif isinstance(value, bool):
            params[ORDER_FILTERS[name]] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            params[ORDER_FILTERS[name]] = ",".join(str(item) for item in value)
        else:
            params[ORDER_FILTERS[name]] = str(value)
    return params


def format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("Octopia filters need an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(response: httpx.Response) -> object:
    # Bytes that are not UTF-8 (one order's text from a Latin-1 system) must not cost the whole page: they are
    # kept as lone surrogates, which parse.parse_order repairs and reports on that order alone.
    try:
        return json.loads(response.content.decode("utf-8", "surrogateescape"), parse_float=Decimal)
    except ValueError:
        raise UnexpectedResponse(
            f"Octopia {response.request.method} {response.request.url.path} did not answer JSON"
        ) from None


def _items(body: object, *, strict: bool = False) -> list:
    """The objects of a refund listing, their texts made storable (see parse.repaired). A body that is neither a
    list nor an object with an items list is an UnexpectedResponse when `strict`, else no items."""
    if isinstance(body, list):
        items = body
    elif isinstance(body, Mapping) and isinstance(body.get("items"), list):
        items = body["items"]
    elif strict:
        raise UnexpectedResponse(f"the answer is not a list of items: {json.dumps(body, default=str)[:120]}")
    else:
        return []
    return [repaired(item, "", []) for item in items if isinstance(item, Mapping)]


def _next_cursor(body: object, response: httpx.Response) -> str:
    """The next page's cursor: a nextCursor field, else the cursor of a `Link: <...>; rel="next"` header."""
    if isinstance(body, Mapping) and body.get("nextCursor"):
        return str(body["nextCursor"])
    next_link = response.links.get("next", {}).get("url", "")
    return parse_qs(urlsplit(next_link).query).get("cursor", [""])[0]


def _import_errors(body: Mapping) -> list[str]:
    errors = [_error_text(error) for error in body.get("errors") or [] if error]
    for file in body.get("files") or []:
        if isinstance(file, Mapping):
            name = text(file.get("fileName")) or text(file.get("orderId"))
            errors.extend(f"{name}: {_error_text(error)}" for error in file.get("errors") or [] if error)
    return errors


def _error_text(error: object) -> str:
    if isinstance(error, Mapping):
        return " ".join(text(error.get(key)) for key in ("code", "message") if error.get(key)) or str(error)
    return str(error)


def _safely(problems: list[str], convert: Callable[..., RefundEvent | None], *args: object) -> RefundEvent | None:
    try:
        return convert(*args)
    except RefundFieldError as error:
        _tell(problems, f"unreadable: {error}")
        return None


def _tell(problems: list[str], note: str) -> None:
    logger.error("Skipping an Octopia refund: %s", note)
    problems.append(note)


def _segment(value: str) -> str:
    if not value or "/" in value or value in (".", ".."):
        raise MarketplaceRequestError(f"{value!r} is not a valid Octopia identifier")
    return value
