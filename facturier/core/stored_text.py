"""Seller-facing text that the code stores (an order's reason, a sync run's message, a connection's status, a refused
upload), kept as a msgid and its parameters so that each page shows it in its own language.

A stored text is lines. A line written by `Message.stored()` is the message as one line of JSON, rendered with
gettext when shown; any other line is text stored as is (rows written before messages were stored this way, or an
error quoted verbatim) and is shown unchanged, never dropped. The msgids are the French source strings, marked with
`gettext_noop` where the message is built, so makemessages lists them in the catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import dateformat, formats
from django.utils.translation import gettext

from facturier.core.clock import PARIS

# How an encoded line begins (a message, or parts shown one after the other); French text written before never does.
ENCODED_PREFIXES = ('{"msgid": ', '{"join": ')


class UnreadableMessage(ValueError):
    """A line that looks like an encoded message but is not one: it is shown as it is stored."""


@dataclass(frozen=True)
class Moment:
    """A date and time inside a message: shown in Paris time in the page language's one format (config/formats/)."""

    value: datetime
    seconds: bool = False

    def __str__(self) -> str:
        pattern = formats.get_format("DATETIME_FORMAT") + (":s" if self.seconds else "")
        return dateformat.format(self.value.astimezone(PARIS), pattern)


@dataclass(frozen=True)
class Joined:
    """Several parts shown one after the other (each rendered in the page language)."""

    parts: tuple[Param, ...]
    separator: str = " "

    def __str__(self) -> str:
        return self.separator.join(str(part) for part in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def stored(self) -> str:
        return json.dumps(_encode(self), ensure_ascii=False)


@dataclass(frozen=True)
class Message:
    """A sentence of the catalogue (its French msgid) and the values put into its %(name)s placeholders. Values
    that come from outside (a marketplace's status, an exception's text) are plain strings, shown verbatim."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __str__(self) -> str:
        """The message in the active language."""
        values = {name: value if isinstance(value, int) else str(value) for name, value in self.params.items()}
        if not values:
            return gettext(self.msgid)
        for text in (gettext(self.msgid), self.msgid):  # a translation that lost a placeholder: the source
            try:
                return text % values
            except (KeyError, ValueError, TypeError):
                continue
        return self.msgid  # a row stored by older code with other parameters: shown, never an error page

    def __bool__(self) -> bool:
        return True

    def stored(self) -> str:
        """The message as one line of JSON, for a text column."""
        return json.dumps(_encode(self), ensure_ascii=False)


Param = str | int | Moment | Joined | Message


def message(msgid: str, **params: Param) -> Message:
    return Message(msgid, params)


def stored(text: Message | Joined | str) -> str:
    """What goes into the column: a message encoded, or text as it is."""
    return text if isinstance(text, str) else text.stored()


def stored_lines(lines: list[Message | Joined | str]) -> str:
    return "\n".join(stored(line) for line in lines)


def read(line: str) -> Message | Joined | str:
    """A stored line as a Message (or Joined), or the line itself when it is plain text (or unreadable)."""
    if not line.startswith(ENCODED_PREFIXES):
        return line
    try:
        decoded = _decode(json.loads(line))
    except (ValueError, UnreadableMessage, TypeError):
        return line
    return decoded if isinstance(decoded, Message | Joined) else line


def render(text: str | None) -> str:
    """A stored text in the active language, line by line; plain lines unchanged."""
    if not text:
        return ""
    return "\n".join(str(read(line)) for line in text.split("\n"))


def _encode(value: Param) -> object:
    if isinstance(value, Message):
        return {"msgid": value.msgid, "params": {name: _encode(param) for name, param in value.params.items()}}
    if isinstance(value, Moment):
        return {"moment": value.value.isoformat(), "seconds": value.seconds}
    if isinstance(value, Joined):
        return {"join": [_encode(part) for part in value.parts], "separator": value.separator}
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"a message parameter is text, a whole number, a Moment, Joined or a Message: {value!r}")
    return value


def _decode(data: object) -> Param:
    if isinstance(data, str | int) and not isinstance(data, bool):
        return data
    if not isinstance(data, dict):
        raise UnreadableMessage(repr(data))
    if data.keys() == {"msgid", "params"} and isinstance(data["params"], dict):
        return Message(str(data["msgid"]), {str(name): _decode(value) for name, value in data["params"].items()})
    if data.keys() == {"moment", "seconds"}:
        return Moment(datetime.fromisoformat(data["moment"]), bool(data["seconds"]))
    if data.keys() == {"join", "separator"} and isinstance(data["join"], list):
        return Joined(tuple(_decode(part) for part in data["join"]), str(data["separator"]))
    raise UnreadableMessage(repr(data))


REWRITE_BATCH = 1000


def rewrite_stored_texts(queryset, field_name: str, convert, *extra: str) -> None:
    """For the data migrations that turn texts stored before messages into messages: each row's text not encoded yet
    goes through `convert(text, *values of extra)`, which gives the new stored value, or None to leave the row alone
    (a wording the migration does not know). Rows are read and written in batches."""
    model = queryset.model
    changed = []
    rows = queryset.exclude(**{f"{field_name}__startswith": '{"'}).exclude(**{field_name: ""})
    for row in rows.only("pk", field_name, *extra).iterator(chunk_size=REWRITE_BATCH):
        new = convert(getattr(row, field_name), *(getattr(row, name) for name in extra))
        if new is not None:
            setattr(row, field_name, new)
            changed.append(row)
        if len(changed) == REWRITE_BATCH:
            model.objects.bulk_update(changed, [field_name])
            changed = []
    if changed:
        model.objects.bulk_update(changed, [field_name])
