"""Fault injection for the simulator: deterministic (counters, and a seeded RNG for rates).

Endpoint faults (gestures_fault, cancellations_fault) and update_while_paging are applied by api.py.
Configured from the constructor, the SIMULATOR_FAULTS env var ("latency_ms=50,burst_429=3,...") or
PUT /_simulator/faults. Faults hit the seller API (/seller/v2) only, never the token or control endpoints.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class FaultConfig:
    latency_ms: int = 0  # added to every API request
    burst_429: int = 0  # the next n API requests answer 429
    retry_after: str = "1"  # Retry-After sent with those 429 ("" = no header); seconds or an HTTP date
    error_5xx_next: int = 0  # the next n API requests answer error_status
    error_5xx_rate: float = 0.0  # then this share of requests (seeded RNG) answer error_status
    error_status: int = 503
    timeout_next: int = 0  # the next n API requests sleep timeout_seconds before answering
    timeout_seconds: float = 35.0  # longer than the production client's 30 s read timeout
    token_expire_after_calls: int = 0  # a token stops working after n API calls (0 = never)
    malformed_orders: int = 0  # n orders per seller (chosen by the seed) are served with a bad field
    non_utf8_orders: int = 0  # n orders per seller are served with Latin-1 bytes (not UTF-8) in a product title
    duplicated_orders: int = 0  # n orders per seller are listed twice in their page, then an older, dearer copy
    # A refund list that answers wrong every time until cleared: an HTTP status ("404", "403", "400", "500") or
    # "shape" (a 200 whose body is not the documented envelope), as an independent fake of the API may answer.
    gestures_fault: str = ""  # GET /order-commercial-gesture-requests
    cancellations_fault: str = ""  # GET /order-cancellation-requests
    # After serving a page of GET /orders, this many orders of that page (each at most once) are updated: their
    # updatedAt moves to now, so in an updatedAt-sorted listing they jump to the end and later rows shift back.
    update_while_paging: int = 0
    # Not faults but shapes the real API sends too (marketplace-fidelity #32, #46), on n orders chosen by the seed:
    other_channel_orders: int = 0  # sold on another sales channel than Cdiscount (OTHER_CHANNEL)
    email_on_lines_orders: int = 0  # the buyer's e-mail only on the lines' shipping addresses, not on billing

    @classmethod
    def parse(cls, spec: str | Mapping[str, object] | None) -> FaultConfig:
        """From "key=value,key=value" or a mapping; unknown keys are an error, not silently ignored."""
        if spec is None or spec == "":
            return cls()
        if isinstance(spec, str):
            pairs = (item.split("=", 1) for item in spec.split(",") if item.strip())
            spec = {key.strip(): value.strip() for key, value in pairs}
        return cls().updated(spec)

    def updated(self, changes: Mapping[str, object]) -> FaultConfig:
        types = {field.name: field.type for field in fields(self)}
        unknown = set(changes) - set(types)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}; known: {', '.join(types)}")
        converters = {"int": int, "float": float, "str": str}
        values = {name: converters[str(types[name])](value) for name, value in changes.items()}
        return replace(self, **values)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class FaultDecision:
    delay_seconds: float = 0.0
    status: int | None = None  # answer this error instead of serving the request
    retry_after: str = ""


class FaultInjector:
    """Holds the configuration and the remaining counters; thread-safe."""

    def __init__(self, config: FaultConfig, seed: int):
        self._lock = threading.Lock()
        self._seed = seed
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._remaining_429 = config.burst_429
            self._remaining_5xx = config.error_5xx_next
            self._remaining_timeouts = config.timeout_next
            self._rng = random.Random(f"{self._seed}:faults")

    def remaining(self) -> dict[str, int]:
        with self._lock:
            return {
                "burst_429": self._remaining_429,
                "error_5xx_next": self._remaining_5xx,
                "timeout_next": self._remaining_timeouts,
            }

    def decide(self) -> FaultDecision:
        """What happens to the next API request; consumes one unit of the first matching fault."""
        with self._lock:
            config = self.config
            delay = config.latency_ms / 1000
            if self._remaining_timeouts > 0:
                self._remaining_timeouts -= 1
                return FaultDecision(delay_seconds=delay + config.timeout_seconds)
            if self._remaining_429 > 0:
                self._remaining_429 -= 1
                return FaultDecision(delay_seconds=delay, status=429, retry_after=config.retry_after)
            if self._remaining_5xx > 0:
                self._remaining_5xx -= 1
                return FaultDecision(delay_seconds=delay, status=config.error_status)
            if config.error_5xx_rate and self._rng.random() < config.error_5xx_rate:
                return FaultDecision(delay_seconds=delay, status=config.error_status)
            return FaultDecision(delay_seconds=delay)
