"""Marketplace failures, split by what the caller should do about them.

- CredentialsRejected: terminal until the seller fixes their API credentials; do not retry.
- MarketplaceUnavailable: transient (throttled, 5xx, timeouts); retry the whole run later.
- MarketplaceRequestError: our request was refused (4xx); a bug or bad data, retrying will not help.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """An RFC 7807 application/problem+json body, as far as Octopia fills it."""

    title: str = ""
    detail: str = ""
    errors: Mapping[str, tuple[str, ...]] | None = None
    trace_id: str = ""

    def describe(self) -> str:
        parts = [self.title.rstrip(".")] if self.title else []
        if self.detail and self.detail != self.title:
            parts.append(self.detail)
        text = ": ".join(parts)
        if self.errors:
            fields = "; ".join(f"{name}: {', '.join(messages)}" for name, messages in self.errors.items())
            text = f"{text} ({fields})" if text else fields
        if self.trace_id:
            text = f"{text} [traceId {self.trace_id}]"
        return text


def parse_problem(body: bytes | str) -> Problem | None:
    """The problem+json details of an error body, or None when the body is not such a document."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, Mapping):
        return None
    errors = data.get("errors")
    parsed_errors = None
    if isinstance(errors, Mapping):
        parsed_errors = {
            str(name): tuple(str(m) for m in (messages if isinstance(messages, list) else [messages]))
            for name, messages in errors.items()
        }
    elif isinstance(errors, list) and errors:
        parsed_errors = {"errors": tuple(str(message) for message in errors)}
    title = data.get("title") or data.get("error") or ""
    detail = data.get("detail") or data.get("error_description") or ""
    trace_id = data.get("traceId") or data.get("traceid") or ""
    if not (title or detail or parsed_errors):
        return None
    return Problem(title=str(title), detail=str(detail), errors=parsed_errors, trace_id=str(trace_id))


class MarketplaceError(Exception):
    """Base class; str(error) is a message a seller or an operator can read."""

    def __init__(self, message: str, *, status_code: int | None = None, problem: Problem | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.problem = problem


class CredentialsRejected(MarketplaceError):
    """The client id / secret / seller id triple is refused: terminal, the seller must act."""


class MarketplaceUnavailable(MarketplaceError):
    """Retries exhausted on throttling, server errors, timeouts or connection failures."""


class MarketplaceRequestError(MarketplaceError):
    """Any other 4xx: the request itself is wrong (bad filter, unknown order...)."""


class OrderNotFound(MarketplaceRequestError):
    """404 on an order (or an import) id."""


class UnexpectedResponse(MarketplaceError):
    """A 2xx whose body is not what the API documents (not JSON, no importId...)."""


class RefundListFailed(MarketplaceError):
    """A refund list (commercial gestures, cancellations) could not be read, whatever the cause (an HTTP error, a
    403 included, retries exhausted, a body of another shape). Never a reason to fail the order sync or to doubt
    the credentials: the orders are read and invoiced, the list is read again next pass. `endpoint` names it;
    `status_code` is the HTTP status when there was one."""

    def __init__(self, message: str, *, endpoint: str, status_code: int | None = None, problem: Problem | None = None):
        super().__init__(message, status_code=status_code, problem=problem)
        self.endpoint = endpoint
