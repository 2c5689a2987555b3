"""Text folded for searching: lower case, no accents, ligatures spelled out, single spaces.

The same fold is applied to what is stored (the `search_text` columns, filled on write) and to what is typed,
so a plain substring match is case- and accent-insensitive on every database. On PostgreSQL the backfill of
older rows uses `SQL_FOLD` (the `unaccent` extension), which agrees with `fold` on the Latin alphabets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o",
                           "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"})  # fmt: skip
# Between the fields of a search column: a fold of typed text never contains it, so no match spans two fields.
SEPARATOR = " | "
# The PostgreSQL expression folding `{}` like `fold` (used by migrations and the bench to fill many rows at once).
SQL_FOLD = "regexp_replace(lower(unaccent({})), '\\s+', ' ', 'g')"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(LIGATURES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


def search_text(parts: Iterable[str]) -> str:
    """The search column of a row: its non-empty searchable fields, folded, each once."""
    folded = dict.fromkeys(fold(part) for part in parts if part and part.strip())
    return SEPARATOR.join(part for part in folded if part)


FILL_BATCH = 2000


def fill_search_text(pending, lines, parent_id: str, parts_of: Callable[[object, list], Iterable[str]]) -> None:
    """Set `search_text` on the rows of `pending` (a queryset of the rows still without it), by batches in pk order,
    from what `parts_of(row, its lines in position order)` gives; `parent_id` is the lines' column naming their
    row. For rows written before the column existed (migrations) or in bulk (the bench), on databases folding in
    Python."""
    pending = pending.order_by("pk")
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:FILL_BATCH]):
        last = batch[-1].pk
        by_row: dict[int, list] = {}
        for line in lines.objects.filter(**{f"{parent_id}__in": [row.pk for row in batch]}).order_by("position"):
            by_row.setdefault(getattr(line, parent_id), []).append(line)
        for row in batch:
            row.search_text = search_text(parts_of(row, by_row.get(row.pk, [])))
        pending.model.objects.bulk_update(batch, ["search_text"])


def search_text_migration(search_columns, app_label: str, model: str, line_model: str, index: str):
    """The RunPython of a migration adding a search_text column: on PostgreSQL the extensions, the fill in SQL and
    the trigram index (`search_columns.POSTGRES_INDEX`, `POSTGRES_FILL`); elsewhere the fill in Python. Reversing
    drops the index (the column goes with the AddField's own reverse)."""
    from django.db import migrations

    def fill(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in search_columns.POSTGRES_INDEX[:2]:
                schema_editor.execute(statement)
            schema_editor.execute(search_columns.POSTGRES_FILL)
            schema_editor.execute(search_columns.POSTGRES_INDEX[2])
        else:
            search_columns.fill_in_python(apps.get_model(app_label, model), apps.get_model(app_label, line_model))

    def drop_index(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    return migrations.RunPython(fill, drop_index)
