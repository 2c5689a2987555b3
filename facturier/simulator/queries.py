"""Filtering, sorting and paging as the Octopia API does it (reference §3.2, §4, §6)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from .generator import parse_iso
from .wire import BadRequest

MAX_ORDERS_PAGE_SIZE = 100
DEFAULT_ORDERS_PAGE_SIZE = 50
MAX_GESTURES_LIMIT = 1000
SORT_FIELDS = {"createdAt": "createdAt", "updatedAt": "updatedAt", "shippedAt": "shippedAt"}
DATE_FILTERS = ("createdAt", "updatedAt", "shippedAt")


def order_shipped_at(order: Mapping) -> str | None:
    for event in order.get("statusEvents") or []:
        if isinstance(event, Mapping) and event.get("status") == "Shipped":
            return event.get("date")
    return None


def _field(order: Mapping, name: str) -> str | None:
    return order_shipped_at(order) if name == "shippedAt" else order.get(name)


def select_orders(orders: Iterable[dict], query: Mapping[str, str]) -> list[dict]:
    errors: dict[str, list[str]] = {}
    tests = _order_tests(query, errors)
    if errors:
        raise BadRequest(errors)
    selected = [order for order in orders if all(test(order) for test in tests)]
    key, descending = _sort(query)
    selected.sort(key=lambda order: (_field(order, key) or "9999", order.get("orderId", "")), reverse=descending)
    return selected


def _order_tests(query: Mapping[str, str], errors: dict[str, list[str]]) -> list[Callable[[dict], bool]]:
    tests: list[Callable[[dict], bool]] = []
    if query.get("status"):
        statuses = {status.strip() for status in query["status"].split(",")}
        tests.append(lambda order: order.get("status") in statuses)
    if query.get("reference"):
        tests.append(lambda order: order.get("reference") == query["reference"])
    if query.get("businessOrder"):
        wanted = _bool(query, "businessOrder", errors)
        tests.append(lambda order: bool(order.get("businessOrder")) is wanted)
    if query.get("salesChannelId"):
        tests.append(lambda order: (order.get("salesChannel") or {}).get("id") == query["salesChannelId"])
    if query.get("shippingCountry"):
        country = query["shippingCountry"].upper()
        tests.append(
            lambda order: (
                country in _line_values(order, lambda line: (line.get("shippingAddress") or {}).get("countryCode"))
            )
        )
    if query.get("supplyMode"):
        tests.append(
            lambda order: (
                query["supplyMode"] in _line_values(order, lambda line: (line.get("offer") or {}).get("supplyMode"))
            )
        )
    for name in DATE_FILTERS:
        tests.extend(_date_tests(name, query, errors))
    return tests


def _date_tests(name: str, query: Mapping[str, str], errors: dict[str, list[str]]) -> list[Callable[[dict], bool]]:
    tests: list[Callable[[dict], bool]] = []
    for suffix, keep in (
        ("Min", lambda value, bound: value >= bound),
        ("Max", lambda value, bound: value <= bound),
    ):
        raw = query.get(f"{name}{suffix}")
        if not raw:
            continue
        bound = parse_query_datetime(f"{name}{suffix}", raw, errors)
        if bound is None:
            continue
        tests.append(
            lambda order, bound=bound, keep=keep: (
                (value := _field(order, name)) is not None and keep(parse_iso(value), bound)
            )
        )
    return tests


def parse_query_datetime(name: str, raw: str, errors: dict[str, list[str]]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        errors.setdefault(name, []).append(f"The value '{raw}' is not a valid ISO-8601 date.")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _line_values(order: Mapping, value: Callable[[Mapping], object]) -> set[object]:
    return {value(line) for line in order.get("lines") or [] if isinstance(line, Mapping)}


def _bool(query: Mapping[str, str], name: str, errors: dict[str, list[str]]) -> bool:
    value = query[name].lower()
    if value not in ("true", "false"):
        errors.setdefault(name, []).append(f"The value '{query[name]}' is not a boolean.")
    return value == "true"


def _sort(query: Mapping[str, str]) -> tuple[str, bool]:
    raw = query.get("sort") or "createdAt"
    direction, _, name = raw.rpartition(":")
    if name not in SORT_FIELDS or direction not in ("", "asc", "desc"):
        raise BadRequest(
            {"sort": [f"The value '{raw}' is not a valid sort; use [asc:|desc:]createdAt|updatedAt|shippedAt."]}
        )
    descending = direction == "desc" or query.get("desc", "").lower() == "true"
    return SORT_FIELDS[name], descending


def page_bounds(query: Mapping[str, str], *, default_size: int, max_size: int) -> tuple[int, int]:
    """(pageIndex, pageSize), 1-based index; out-of-range values are a 400, as on the real API."""
    errors: dict[str, list[str]] = {}
    index = _int(query, "pageIndex", 1, errors)
    size = _int(query, "pageSize", default_size, errors)
    if "pageIndex" not in errors and index < 1:
        errors["pageIndex"] = ["pageIndex must be greater than or equal to 1."]
    if "pageSize" not in errors and not 1 <= size <= max_size:
        errors["pageSize"] = [f"pageSize must be between 1 and {max_size}."]
    if errors:
        raise BadRequest(errors)
    return index, size


def page(items: list, index: int, size: int) -> list:
    return items[(index - 1) * size : index * size]


def _int(query: Mapping[str, str], name: str, default: int, errors: dict[str, list[str]]) -> int:
    try:
        return int(query.get(name) or default)
    except ValueError:
        errors[name] = [f"The value '{query[name]}' is not a valid integer."]
        return default


def select_gestures(gestures: Iterable[dict], query: Mapping[str, str]) -> list[dict]:
    errors: dict[str, list[str]] = {}
    tests: list[Callable[[dict], bool]] = []
    for key in ("orderId", "status"):
        if query.get(key):
            tests.append(lambda gesture, key=key: gesture.get(key) == query[key])
    for name in ("createdAt", "updatedAt"):
        for suffix, keep in (("Min", lambda a, b: a >= b), ("Max", lambda a, b: a <= b)):
            raw = query.get(f"{name}{suffix}")
            bound = parse_query_datetime(f"{name}{suffix}", raw, errors) if raw else None
            if bound is not None:
                tests.append(lambda item, name=name, bound=bound, keep=keep: keep(parse_iso(item[name]), bound))
    if errors:
        raise BadRequest(errors)
    selected = [gesture for gesture in gestures if all(test(gesture) for test in tests)]
    return sorted(selected, key=lambda gesture: (gesture["updatedAt"], gesture["id"]))


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest({"cursor": ["The cursor is invalid or expired."]}) from None


def gesture_limit(query: Mapping[str, str]) -> int:
    errors: dict[str, list[str]] = {}
    limit = _int(query, "limit", 100, errors)
    if not errors and not 1 <= limit <= MAX_GESTURES_LIMIT:
        errors["limit"] = [f"limit must be between 1 and {MAX_GESTURES_LIMIT}."]
    if errors:
        raise BadRequest(errors)
    return limit
