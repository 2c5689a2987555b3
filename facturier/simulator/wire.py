"""Tiny request/response types shared by the simulator's route handlers, plus problem+json helpers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.message import Message


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Message
    body: bytes = b""

    def json(self) -> object:
        try:
            return json.loads(self.body or b"null", parse_float=Decimal)
        except ValueError as error:
            raise BadRequest({"body": [f"not valid JSON: {error}"]}) from None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class BadRequest(Exception):
    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__(str(errors))
        self.errors = dict(errors)


def to_json(data: object) -> bytes:
    # surrogateescape: a text holding escaped bytes (see state.as_latin1_bytes) goes out as those raw bytes.
    return json.dumps(data, default=_json_default, ensure_ascii=False).encode("utf-8", "surrogateescape")


def _json_default(value: object) -> object:
    # The API sends JSON numbers; Decimal -> float keeps the shortest text ("19.99"), so no cent is lost.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, to_json(data), "application/json; charset=utf-8", headers or {})


def problem(
    status: int,
    title: str,
    detail: str = "",
    errors: Mapping[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = dict(errors)
    body["traceId"] = uuid.uuid4().hex
    return Response(status, to_json(body), "application/problem+json", headers or {})


def validation_problem(errors: Mapping[str, list[str]]) -> Response:
    return problem(400, "One or more validation errors occurred.", "The request is invalid.", errors)
