"""Gapless numbering (CGI ann. II art. 242 nonies A 7°): unique, chronological, continuous, never reused.

The counter row is locked inside the transaction that stores the document: if that transaction rolls back, the
number goes back with it, so a crash can never leave a gap; two issuers of one seller wait on the same row, so
no number is handed out twice. On SQLite, IMMEDIATE transactions serialise writers to the same effect.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F

from facturier.core.errors import FacturierError
from facturier.invoicing.models import InvoiceSeries

# BR-FR-01/02: BT-1 holds at most 35 characters, alphanumerics and + - _ / only.
NUMBER_CHARACTERS = re.compile(r"^[A-Za-z0-9+\-_/]*$")
SEQUENCE_DIGITS = 6
MAX_NUMBER_LENGTH = 35


class InvalidPrefix(FacturierError):
    pass


def validate_prefix(prefix: str) -> str:
    if not NUMBER_CHARACTERS.match(prefix):
        raise InvalidPrefix(
            f"Préfixe « {prefix} » : seuls les lettres, chiffres et les caractères + - _ / sont permis."
        )
    if len(prefix) + SEQUENCE_DIGITS > MAX_NUMBER_LENGTH:
        raise InvalidPrefix(
            f"Préfixe « {prefix} » trop long : {MAX_NUMBER_LENGTH - SEQUENCE_DIGITS} caractères au plus."
        )
    return prefix


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def series_key(seller_id: int, kind: str) -> str:
    return f"seller:{seller_id}:{kind}"


def allocate_sequence(key: str, *, seller_id: int | None = None) -> int:
    """The next number of the series; must run inside the transaction that stores the document."""
    return take_numbers(lock_series(key, seller_id=seller_id), 1)


def lock_series(key: str, *, seller_id: int | None = None) -> InvoiceSeries:
    """The series row, locked until the calling transaction ends (created on first use)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers must be taken inside the issuing transaction")
    InvoiceSeries.objects.get_or_create(key=key, defaults={"seller_id": seller_id})
    return InvoiceSeries.objects.select_for_update().get(key=key)


def take_numbers(series: InvoiceSeries, count: int) -> int:
    """Reserve `count` consecutive numbers of a locked series; return the first."""
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + count)
    first = series.next_number
    series.next_number += count
    return first
