"""Everything the simulator remembers: sellers' orders and refunds, tokens, uploads, faults, counters."""

from __future__ import annotations

import copy
import random
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .faults import FaultConfig, FaultInjector
from .generator import ADDRESS_STATUSES, SHIPPED_STATUSES, iso, parse_iso
from .queries import select_orders
from .scenarios import generate

DEFAULT_SELLER_ID = "98979"  # the test seller of Octopia's documentation
ORDER_STATUSES = frozenset({"Processing", "WaitingAcceptance", "Refused", "Accepted", "InPreparation",
                            "Shipped", "Delivered", "Cancelled", "Rejected"})  # fmt: skip
# (JSON path, bad value, the reason facturier.marketplace.parse gives), cycled over the chosen orders.
CORRUPTIONS = (
    (
        ("lines", 0, "sellingPrice", "unitSalesPrice"),
        "abc",
        "Ligne 1, prix unitaire (sellingPrice.unitSalesPrice) : « abc » n'est pas un nombre.",
    ),
    (
        ("lines", 0, "quantity"),
        "two",
        "Ligne 1, quantité (quantity) : « two » n'est pas un nombre entier positif ou nul.",
    ),
    (("purchasedAt",), "yesterday", "Date de commande (purchasedAt) : « yesterday » n'est pas une date ISO-8601."),
)


# The channel of the other_channel_orders (an Octopia channel other than Cdiscount's CDISFR).
OTHER_CHANNEL = {"id": "OCTOBE", "name": "Octopia Belgique"}
STALE_COPY_AGE = timedelta(days=1)
STALE_COPY_PRICE_RISE = Decimal("50.00")


def as_latin1_bytes(text: str) -> str:
    """The text as a Latin-1 encoder would send it, held as escaped bytes that wire.to_json writes raw."""
    return text.encode("latin-1", "replace").decode("utf-8", "surrogateescape")


def with_latin1_title(order: dict) -> dict:
    """The order with its first product title in Latin-1: bytes that are not valid UTF-8 in the answer."""
    broken = copy.deepcopy(order)
    offer = broken["lines"][0]["offer"]
    offer["productTitle"] = as_latin1_bytes(f"{offer.get('productTitle') or ''} – édition été")
    return broken


def on_other_channel(order: dict) -> dict:
    return {**order, "salesChannel": dict(OTHER_CHANNEL)}


def with_email_on_lines_only(order: dict) -> dict:
    """The order as Octopia's Java model and PrestaShop module read it: the e-mail on the lines' shipping
    addresses (where the order has one), none on the billing address."""
    moved = copy.deepcopy(order)
    billing = moved.get("billingAddress") or {}
    email = billing.get("email")
    billing["email"] = None
    for line in moved.get("lines") or []:
        if isinstance(line.get("shippingAddress"), dict):
            line["shippingAddress"]["email"] = email
    return moved


def stale_copy(order: dict) -> dict:
    """An earlier version of the order (a day older, the first line dearer), as a lagging replica serves it."""
    stale = copy.deepcopy(order)
    stale["updatedAt"] = iso(parse_iso(order["updatedAt"]) - STALE_COPY_AGE)
    price = stale["lines"][0]["sellingPrice"]
    price["unitSalesPrice"] = Decimal(str(price["unitSalesPrice"])) + STALE_COPY_PRICE_RISE
    return stale


@dataclass
class TokenGrant:
    client_id: str
    expires_at: float  # time.monotonic()
    calls: int = 0


@dataclass
class Upload:
    import_id: str
    order_id: str
    file_name: str
    content_type: str
    content: bytes
    created_at: str
    succeeded: bool
    polls: int = 0


@dataclass
class SellerStore:
    orders: dict[str, dict] = field(default_factory=dict)
    gestures: list[dict] = field(default_factory=list)
    cancellations: list[dict] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    # Listing results by query (paging aside), dropped whenever an order changes: paging through N orders then
    # costs one filter-and-sort, not one per page (N²/page for a first sync of 100,000 orders).
    selections: dict[tuple, list[dict]] = field(default_factory=dict)


PAGING_PARAMETERS = frozenset({"pageIndex", "pageSize"})
MAX_SELECTIONS = 16


class SimulatorState:
    def __init__(
        self,
        *,
        seed: int | str = 0,
        orders: int = 30,
        sellers: Iterable[str] = (DEFAULT_SELLER_ID,),
        faults: FaultConfig | None = None,
        now: datetime | None = None,
        clients: Mapping[str, str] | None = None,
        token_ttl: int = 7200,
        import_polls_before_done: int = 1,
    ):
        self.lock = threading.RLock()
        self.stop_event = threading.Event()
        self.seed = seed
        self.orders_per_seller = orders
        self.initial_sellers = tuple(str(seller) for seller in sellers)
        self.initial_faults = faults or FaultConfig()
        # Default `now` is the current minute, so two simulators built together share their dates.
        self.base_now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
        self._started = time.monotonic()
        self.clients = dict(clients) if clients is not None else None
        self.token_ttl = token_ttl
        self.import_polls_before_done = import_polls_before_done
        self.faults = FaultInjector(self.initial_faults, seed)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sellers: dict[str, SellerStore] = {}
            self.tokens: dict[str, TokenGrant] = {}
            self.stats: Counter[str] = Counter()
            # Every seller-API request (method, path under /seller/v2, query), in order: what a pass cost.
            self.requests: list[tuple[str, str, dict[str, str]]] = []
            self.updated_while_paging: set[str] = set()
            self.faults.configure(self.initial_faults)
            for seller_id in self.initial_sellers:
                self.ensure_seller(seller_id)

    def clock(self) -> datetime:
        """Simulated time: `now` at construction, moving forward with the real clock."""
        return self.base_now + timedelta(seconds=time.monotonic() - self._started)

    def ensure_seller(self, seller_id: str) -> SellerStore:
        with self.lock:
            if seller_id not in self.sellers:
                data = generate(self.seed, seller_id, self.orders_per_seller, self.base_now)
                self.sellers[seller_id] = SellerStore(
                    orders={order["orderId"]: order for order in data.orders},
                    gestures=data.gestures,
                    cancellations=data.cancellations,
                )
            return self.sellers[seller_id]

    # -- credentials -------------------------------------------------------------------------------

    def client_secret(self, client_id: str) -> str:
        if self.clients is not None:
            return self.clients.get(client_id, "")
        return f"secret-{client_id}"

    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        with self.lock:
            self.stats["token_requests"] += 1
            expected = self.client_secret(client_id)
            if not client_id or not expected or not secrets.compare_digest(expected, client_secret):
                return None
            token = f"sim.{secrets.token_urlsafe(24)}"
            self.tokens[token] = TokenGrant(client_id, time.monotonic() + self.token_ttl)
            return token

    def authorise(self, token: str) -> TokenGrant | None:
        """The grant behind a bearer token, counting the call; None when unknown or expired."""
        with self.lock:
            grant = self.tokens.get(token)
            limit = self.faults.config.token_expire_after_calls
            if grant is None or grant.expires_at <= time.monotonic() or (limit and grant.calls >= limit):
                return None
            grant.calls += 1
            return grant

    # -- orders as served --------------------------------------------------------------------------

    def malformed_reasons(self, seller_id: str) -> dict[str, str]:
        """{orderId: the parse error the client should report} for the malformed_orders fault."""
        chosen = self._chosen(seller_id, "malformed", self.faults.config.malformed_orders)
        return {order_id: CORRUPTIONS[index % len(CORRUPTIONS)][2] for index, order_id in enumerate(chosen)}

    def fault_targets(self, seller_id: str) -> dict[str, list[str]]:
        """{fault: the ids of the orders it applies to} for the per-order faults."""
        config = self.faults.config
        counts = {"malformed": config.malformed_orders, "non_utf8": config.non_utf8_orders,
                  "duplicated": config.duplicated_orders, "other_channel": config.other_channel_orders,
                  "email_on_lines": config.email_on_lines_orders}  # fmt: skip
        with self.lock:
            return {fault: self._chosen(seller_id, fault, count) for fault, count in counts.items()}

    def _chosen(self, seller_id: str, fault: str, count: int) -> list[str]:
        """The ids of the `count` orders (drawn with the seed) a per-order fault applies to."""
        store = self.sellers.get(seller_id)
        if not count or store is None:
            return []
        order_ids = sorted(store.orders)
        return random.Random(f"{self.seed}:{seller_id}:{fault}").sample(order_ids, min(count, len(order_ids)))

    def select(self, seller_id: str, query: Mapping[str, str]) -> list[dict]:
        """The seller's orders matching a listing query, sorted as it asks (paging parameters aside)."""
        with self.lock:
            store = self.sellers[seller_id]
            key = tuple(sorted((name, value) for name, value in query.items() if name not in PAGING_PARAMETERS))
            if key not in store.selections:
                if len(store.selections) >= MAX_SELECTIONS:
                    store.selections.clear()
                store.selections[key] = select_orders(store.orders.values(), query)
            return store.selections[key]

    def served(self, seller_id: str, orders: list[dict], *, listing: bool = False) -> list[dict]:
        """The orders as the API answers them, with the per-order faults applied (duplicates only in listings)."""
        config = self.faults.config
        malformed = self._chosen(seller_id, "malformed", config.malformed_orders)
        non_utf8 = set(self._chosen(seller_id, "non_utf8", config.non_utf8_orders))
        duplicated = set(self._chosen(seller_id, "duplicated", config.duplicated_orders)) if listing else set()
        other_channel = set(self._chosen(seller_id, "other_channel", config.other_channel_orders))
        email_on_lines = set(self._chosen(seller_id, "email_on_lines", config.email_on_lines_orders))
        if not (malformed or non_utf8 or duplicated or other_channel or email_on_lines):
            return orders
        served = []
        for order in orders:
            order_id = order["orderId"]
            if order_id in malformed:
                order = self._corrupt(order, malformed.index(order_id))
            if order_id in non_utf8:
                order = with_latin1_title(order)
            if order_id in other_channel:
                order = on_other_channel(order)
            if order_id in email_on_lines:
                order = with_email_on_lines_only(order)
            served.append(order)
            if order_id in duplicated:
                served.append(stale_copy(order))
        return served

    @staticmethod
    def _corrupt(order: dict, index: int) -> dict:
        path, bad_value, _reason = CORRUPTIONS[index % len(CORRUPTIONS)]
        broken = copy.deepcopy(order)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad_value
        return broken

    # -- control operations ------------------------------------------------------------------------

    def put_order(self, seller_id: str, order: dict) -> None:
        if not isinstance(order, dict) or not order.get("orderId"):
            raise ValueError("an order needs an orderId")
        with self.lock:
            store = self.ensure_seller(seller_id)
            store.orders[str(order["orderId"])] = order
            store.selections.clear()

    def set_order_status(self, seller_id: str, order_id: str, status: str) -> dict:
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.lock:
            store = self.ensure_seller(seller_id)
            order = store.orders[order_id]
            store.selections.clear()
            moment = self._next_update(order)
            event = {"status": status, "date": iso(moment)}
            order.update(status=status, updatedAt=event["date"])
            order.setdefault("statusEvents", []).append(event)
            for line in order.get("lines", []):
                if line.get("status") not in ("Cancelled", "Refused"):
                    self._advance_line(order, line, status, event)
            return order

    def _next_update(self, order: dict) -> datetime:
        """updatedAt strictly increases, so an incremental sync with updatedAtMin always sees the change."""
        previous = parse_iso(order["updatedAt"]) if order.get("updatedAt") else self.base_now
        return max(self.clock().replace(microsecond=0), previous + timedelta(seconds=1))

    def _advance_line(self, order: dict, line: dict, status: str, event: dict) -> None:
        line["status"] = status
        line.setdefault("statusEvents", []).append(dict(event))
        if status in ADDRESS_STATUSES and not line.get("shippingAddress"):
            line["shippingAddress"] = {**order.get("billingAddress", {}), "email": None}
        if status in SHIPPED_STATUSES and not line.get("parcels"):
            rng = random.Random(f"{self.seed}:{order['orderId']}")
            number = f"6A{rng.randint(10**10, 10**11 - 1)}"
            tracking = f"https://www.laposte.fr/outils/suivre-vos-envois?code={number}"
            line["parcels"] = [{"parcelNumber": number, "carrierName": "Colissimo", "trackingUrl": tracking}]

    def touch_orders(self, seller_id: str, order_ids: Iterable[str]) -> list[str]:
        """Update these orders (their updatedAt moves to now, nothing else changes); the ids touched."""
        touched = []
        with self.lock:
            store = self.ensure_seller(seller_id)
            for order_id in order_ids:
                order = store.orders.get(order_id)
                if order is not None:
                    order["updatedAt"] = iso(self._next_update(order))
                    touched.append(order_id)
            store.selections.clear()
        return touched

    def update_while_paging(self, seller_id: str, served: list[dict]) -> None:
        """The update_while_paging fault: after a listing page is served, some of its orders change (each once)."""
        count = self.faults.config.update_while_paging
        if not count:
            return
        with self.lock:
            fresh = [order["orderId"] for order in served if order.get("orderId") not in self.updated_while_paging]
            chosen = fresh[:count]
            self.updated_while_paging.update(chosen)
            self.touch_orders(seller_id, chosen)

    def add_refund(self, seller_id: str, request: Mapping) -> dict:
        kind = request.get("kind", "commercial_gesture")
        order_id = str(request.get("orderId", ""))
        with self.lock:
            store = self.ensure_seller(seller_id)
            if order_id not in store.orders:
                raise KeyError(order_id)
            store.selections.clear()
            created = iso(self.clock())
            if kind == "commercial_gesture":
                return self._add_gesture(store, order_id, request, created)
            if kind == "cancellation":
                return self._add_cancellation(store, order_id, request, created)
            raise ValueError(f"unknown refund kind {kind!r}; use commercial_gesture or cancellation")

    @staticmethod
    def _add_gesture(store: SellerStore, order_id: str, request: Mapping, created: str) -> dict:
        gesture = {
            "id": str(request.get("id") or f"CG{len(store.gestures) + 1:08d}"),
            "orderId": order_id,
            "status": request.get("status", "Accepted"),
            "reason": request.get("reason", "Other"),
            "reasonDetails": request.get("reasonDetails", ""),
            "amount": Decimal(str(request["amount"])),
            "createdAt": created,
            "updatedAt": created,
        }
        store.gestures.append(gesture)
        return gesture

    @staticmethod
    def _add_cancellation(store: SellerStore, order_id: str, request: Mapping, created: str) -> dict:
        reason = request.get("reason", "ClientRetraction")
        shipping = bool(request.get("shipping"))
        lines = [
            {"lineId": str(line_id), "reason": reason, "shippingCostRefund": shipping}
            for line_id in request.get("lineIds", [])
        ]
        cancellation = {
            "cancellationRequestId": str(request.get("id") or f"CR{len(store.cancellations) + 1:08d}"),
            "orderSellerId": order_id,
            "status": request.get("status", "Accepted"),
            "reason": reason,
            "shippingCostRefund": shipping,
            "lines": lines,
            "createdAt": created,
            "updatedAt": created,
        }
        store.cancellations.append(cancellation)
        return cancellation

    def add_upload(self, seller_id: str, order_id: str, file_name: str, content_type: str, content: bytes) -> Upload:
        accepted = content.startswith((b"%PDF-", b"PK\x03\x04")) or content.lstrip().startswith(b"<")
        with self.lock:
            upload = Upload(
                import_id=str(uuid.uuid4()),
                order_id=order_id,
                file_name=file_name,
                content_type=content_type,
                content=content,
                created_at=iso(self.clock()),
                succeeded=accepted,
            )
            self.ensure_seller(seller_id).uploads[upload.import_id] = upload
            return upload
