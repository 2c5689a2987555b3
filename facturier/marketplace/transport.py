"""HTTP sending with bounded retries: 429, 5xx, timeouts and connection failures.

Backoff is exponential with full jitter (delay drawn in [0, base * 2**n], capped), and a server's
Retry-After (seconds or HTTP date) wins over it. Retries are bounded both in number of attempts and in
total time spent, so a sync run never hangs on a sick API.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from .errors import MarketplaceUnavailable, parse_problem

RETRYABLE_STATUS_CODES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_retry_seconds: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**(attempt-1))]."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class RetryingSender:
    def __init__(
        self,
        http: httpx.Client,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        service: str = "Octopia",
    ):
        self.http = http
        self.service = service  # the API named in the errors: "Octopia is unavailable: ..."

        self.policy = policy
        self.sleep = sleep
        self.rng = rng or random.Random()

    def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """The first non-retryable response; raises MarketplaceUnavailable when retries run out."""
        started = time.monotonic()
        waited = 0.0
        for attempt in range(1, self.policy.max_attempts + 1):
            response, failure, retry_after = self._attempt(method, url, kwargs)
            if response is not None:
                return response
            if attempt == self.policy.max_attempts:
                raise MarketplaceUnavailable(
                    f"{self.service} is unavailable: {method} {_path(url)} failed {attempt} times, last: {failure}"
                )
            delay = retry_after if retry_after is not None else self.policy.backoff(attempt, self.rng)
            spent = waited + (time.monotonic() - started)
            if spent + delay > self.policy.max_retry_seconds:
                raise MarketplaceUnavailable(
                    f"{self.service} is unavailable: {method} {_path(url)} failed {attempt} times, last: {failure}; "
                    f"waiting {delay:.1f}s more would exceed the "
                    f"{self.policy.max_retry_seconds:g}s retry budget"
                )
            self.sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the loop returns or raises")

    def _attempt(self, method: str, url: str, kwargs: dict) -> tuple[httpx.Response | None, str, float | None]:
        """(response, "", None) when final, else (None, what went wrong, Retry-After seconds)."""
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            return None, f"{type(error).__name__} (no answer in time)", None
        except httpx.TransportError as error:
            return None, f"cannot connect to {urlsplit(url).netloc}: {error or type(error).__name__}", None
        if response.status_code not in RETRYABLE_STATUS_CODES:
            return response, "", None
        return None, describe_http_failure(response), parse_retry_after(response.headers.get("Retry-After"))


def describe_http_failure(response: httpx.Response) -> str:
    problem = parse_problem(response.content)
    detail = problem.describe() if problem else ""
    summary = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return f"{summary}: {detail}" if detail else summary


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait; accepts delta-seconds or an HTTP date. None when absent/garbage."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _path(url: str) -> str:
    return urlsplit(url).path or "/"
