"""Fill the normalized columns and lines of the orders stored before them, from their raw payload (read with
the Octopia parser, the only marketplace then), and carry the digest issuing failed on over to the new digest."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

BATCH = 500


def raw_digest(raw) -> str:
    """eligibility.content_digest as it was: a hash of the payload."""
    text = json.dumps(raw, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def fill(apps, schema_editor):
    from facturier.marketplace.dto import MarketOrder
    from facturier.marketplace.parse import parse_order
    from facturier.sales.eligibility import content_digest
    from facturier.sales.order_rows import ORDER_COLUMN_NAMES, line_rows, order_columns, storable_lines

    SalesOrder = apps.get_model("sales", "SalesOrder")
    SalesOrderLine = apps.get_model("sales", "SalesOrderLine")
    fields = [*ORDER_COLUMN_NAMES, "content_digest", "unworkable_digest"]
    rows = SalesOrder.objects.order_by("pk")
    batch, lines = [], []
    for row in rows.iterator(chunk_size=BATCH):
        order = parse_order(row.raw)
        digest = content_digest(order)
        if row.unworkable_digest and row.unworkable_digest == raw_digest(row.raw):
            row.unworkable_digest = digest
        row.content_digest = digest
        if isinstance(order, MarketOrder):
            for name, value in order_columns(order).items():
                setattr(row, name, value)
            if storable_lines(order):
                lines += [SalesOrderLine(order_id=row.pk, **line) for line in line_rows(order)]
        else:
            row.full_order_id = order.order_id
        batch.append(row)
        if len(batch) >= BATCH:
            _write(SalesOrder, SalesOrderLine, batch, lines, fields)
            batch, lines = [], []
    _write(SalesOrder, SalesOrderLine, batch, lines, fields)


def _write(SalesOrder, SalesOrderLine, batch, lines, fields):
    if batch:
        SalesOrder.objects.bulk_update(batch, fields)
    if lines:
        SalesOrderLine.objects.bulk_create(lines)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0008_normalized_order_columns_and_lines"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
