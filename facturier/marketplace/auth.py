"""OAuth2 client-credentials tokens for Octopia, cached until shortly before they expire.

Octopia reportedly caps token issuance (about 500 per hour), so one token serves many calls and many
runs. The cache follows Django's cache API (get / set(key, value, timeout) / delete), so a Django cache
shared by web and worker processes can replace the in-process default.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from .errors import CredentialsRejected, MarketplaceRequestError, UnexpectedResponse, parse_problem
from .transport import RetryingSender

DEFAULT_TOKEN_LIFETIME = 7200  # Octopia documents 2 hours
REFRESH_MARGIN_SECONDS = 300
LOCAL_COPY_SECONDS = 60  # how long a process keeps a token read from the shared cache before asking it again
logger = logging.getLogger(__name__)


class TokenCache(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> None: ...

    def delete(self, key: str) -> Any: ...


class InProcessTokenCache:
    """A thread-safe dict with expiry; the default cache, shared by all clients of a process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._entries: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            value, deadline = self._entries.get(key, (default, None))
            if deadline is not None and deadline <= self._clock():
                del self._entries[key]
                return default
            return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            self._entries[key] = (value, None if timeout is None else self._clock() + timeout)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PROCESS_TOKEN_CACHE = InProcessTokenCache()


class SharedTokenCache:
    """This process's cache in front of a cache every process shares (Django's: Redis, or a database table), so a
    token fetched by one worker serves every worker and every pass until it expires, while the shared cache is
    asked only when this process has no token. The shared cache failing never fails a call: the token is then
    fetched again (and logged)."""

    def __init__(self, shared: TokenCache, local: TokenCache | None = None):
        self._shared = shared
        self._local = local if local is not None else PROCESS_TOKEN_CACHE

    def get(self, key: str, default: Any = None) -> Any:
        value = self._local.get(key)
        if value is not None:
            return value
        try:
            value = self._shared.get(key)
        except Exception:  # the cache is an optimisation: a token can always be fetched again
            logger.warning("shared token cache unreadable", exc_info=True)
            return default
        if value is None:
            return default
        # Kept here a short while only: the shared entry's expiry is not known, and a refresh by another process
        # must reach this one soon.
        self._local.set(key, value, timeout=LOCAL_COPY_SECONDS)
        return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._local.set(key, value, timeout=timeout)
        try:
            self._shared.set(key, value, timeout=timeout)
        except Exception:
            logger.warning("shared token cache unwritable", exc_info=True)

    def delete(self, key: str) -> None:
        self._local.delete(key)
        try:
            self._shared.delete(key)
        except Exception:
            logger.warning("shared token cache unwritable", exc_info=True)


def token_cache_key(auth_url: str, client_id: str) -> str:
    """A short key safe for any cache backend (memcached refuses spaces and long keys)."""
    digest = hashlib.sha256(f"{auth_url}\n{client_id}".encode()).hexdigest()[:40]
    return f"octopia-token:{digest}"


class TokenProvider:
    def __init__(
        self,
        sender: RetryingSender,
        auth_url: str,
        client_id: str,
        client_secret: str,
        cache: TokenCache | None = None,
    ):
        self._sender = sender
        self._auth_url = auth_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._cache = cache if cache is not None else PROCESS_TOKEN_CACHE
        self._key = token_cache_key(auth_url, client_id)

    def token(self) -> str:
        cached = self._cache.get(self._key)
        if isinstance(cached, str) and cached:
            return cached
        return self._fetch()

    def refresh(self, rejected_token: str) -> str:
        """A new token after a 401; reuses one another worker fetched meanwhile."""
        cached = self._cache.get(self._key)
        if isinstance(cached, str) and cached and cached != rejected_token:
            return cached
        self._cache.delete(self._key)
        return self._fetch()

    def _fetch(self) -> str:
        response = self._sender.send(
            "POST",
            self._auth_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
        )
        if response.status_code in (400, 401, 403):
            problem = parse_problem(response.content)
            raise CredentialsRejected(
                f"Octopia refused the API credentials of client '{self._client_id}' "
                f"(HTTP {response.status_code}): {problem.describe() if problem else response.reason_phrase}",
                status_code=response.status_code,
                problem=problem,
            )
        if response.status_code >= 400:
            raise MarketplaceRequestError(
                f"Octopia token endpoint answered HTTP {response.status_code}",
                status_code=response.status_code,
            )
        access_token, lifetime = _read_token(response.content)
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 2)
        self._cache.set(self._key, access_token, timeout=lifetime - margin)
        return access_token


def _read_token(body: bytes) -> tuple[str, float]:
    try:
        data = json.loads(body)
    except ValueError:
        raise UnexpectedResponse("Octopia token endpoint did not answer JSON") from None
    access_token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(access_token, str) or not access_token:
        raise UnexpectedResponse("Octopia token endpoint answered without an access_token")
    expires_in = data.get("expires_in", DEFAULT_TOKEN_LIFETIME)
    if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
        expires_in = DEFAULT_TOKEN_LIFETIME
    return access_token, float(expires_in)
