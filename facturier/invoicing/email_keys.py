"""The key that ties an invoice's or credit note's e-mails in the outbox to it, "invoice:<pk>".

Built here only, in Python (`related_key`) and by the database (`related_key_expression`), so the two never
drift apart.
"""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat

KEY_PREFIX = "invoice:"


def related_key(invoice_id: int) -> str:
    return f"{KEY_PREFIX}{invoice_id}"


def invoice_id_of(key: str) -> int | None:
    """The invoice's id in a key built by `related_key`; None for an e-mail tied to something else."""
    prefix, _sep, rest = key.partition(KEY_PREFIX)
    return int(rest) if not prefix and rest.isdigit() else None


def related_key_expression(invoice_id: Combinable) -> Concat:
    """The same key in SQL, from an expression giving the invoice's id (e.g. OuterRef("pk"))."""
    return Concat(Value(KEY_PREFIX), Cast(invoice_id, CharField()), output_field=CharField())
