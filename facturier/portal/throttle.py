"""Brute-force protection in the shared cache (Redis or the database: every process counts together).

Attempts are counted per account (across IPs), per IP (across accounts) and per (account, IP), over a fixed window
that starts at the first attempt: a block ends by itself when the window does, and says when.

Each counted attempt takes one numbered slot with `cache.add` (atomic on Redis and on the database cache), so two
processes failing at the same moment never count once: the n-th slot taken means n attempts.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext


@dataclass(frozen=True)
class Policy:
    name: str
    per_account: int
    per_ip: int
    per_pair: int


LOGIN = Policy("login", per_account=10, per_ip=20, per_pair=5)
OTP = Policy("otp", per_account=5, per_ip=20, per_pair=5)
PASSWORD_RESET = Policy("password-reset", per_account=3, per_ip=10, per_pair=3)
SIGNUP_EXISTING = Policy("signup-existing", per_account=3, per_ip=10, per_pair=3)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def _counters(policy: Policy, identity: str, request: HttpRequest) -> list[tuple[str, int]]:
    account, ip = identity.strip().lower(), client_ip(request)
    keyed = [("account", account, policy.per_account), ("ip", ip, policy.per_ip),
             ("pair", f"{account}|{ip}", policy.per_pair)]  # fmt: skip
    return [(f"portal:throttle:{policy.name}:{kind}:{hashlib.sha256(value.encode()).hexdigest()}", limit)
            for kind, value, limit in keyed]  # fmt: skip


def _slots(key: str, limit: int) -> list[str]:
    return [f"{key}:{number}" for number in range(limit)]


def retry_after(policy: Policy, identity: str, request: HttpRequest) -> int | None:
    """Seconds until attempts are allowed again, None when they are allowed now."""
    moment = time.time()
    ends = [cache.get(_slots(key, limit)[-1]) for key, limit in _counters(policy, identity, request)]
    waits = [end - moment for end in ends if end is not None and end > moment]
    return math.ceil(max(waits)) if waits else None


def record(policy: Policy, identity: str, request: HttpRequest) -> None:
    for key, limit in _counters(policy, identity, request):
        _take_slot(_slots(key, limit))


def _take_slot(slots: list[str]) -> None:
    moment = time.time()
    taken = cache.get_many(slots)
    window_end = taken.get(slots[0]) or moment + settings.FACTURIER_THROTTLE_WINDOW_SECONDS
    for slot in slots:
        if slot not in taken and cache.add(slot, window_end, timeout=max(window_end - moment, 1)):
            return


def reset(policy: Policy, identity: str, request: HttpRequest) -> None:
    """After a success: the account's counters go, the IP's stay (one good account must not unlock an IP)."""
    account, _ip, pair = _counters(policy, identity, request)
    cache.delete_many([*_slots(*account), *_slots(*pair)])


def throttled_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return gettext("Trop de tentatives : réessayez dans %(minutes)d min.") % {"minutes": minutes}
