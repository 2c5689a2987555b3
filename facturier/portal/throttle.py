"""Brute-force protection: failures are counted per (e-mail, IP) in the cache for a sliding window."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, identity: str, request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{identity.strip().lower()}|{client_ip(request)}".encode()).hexdigest()
    return f"portal:throttle:{scope}:{digest}"


def is_blocked(scope: str, identity: str, request: HttpRequest) -> bool:
    return cache.get(_key(scope, identity, request), 0) >= MAX_FAILURES


def record_failure(scope: str, identity: str, request: HttpRequest) -> int:
    key = _key(scope, identity, request)
    if cache.add(key, 1, WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def reset(scope: str, identity: str, request: HttpRequest) -> None:
    cache.delete(_key(scope, identity, request))
