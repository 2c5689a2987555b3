"""Each order remembers the marketplace connection it was read through, so that its invoice is uploaded there.
Existing orders belong to their seller's only connection (a seller held one at most until now)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def orders_to_their_sellers_connection(apps, schema_editor):
    Connection = apps.get_model("accounts", "MarketplaceConnection")
    SalesOrder = apps.get_model("sales", "SalesOrder")
    first = Connection.objects.filter(seller=OuterRef("seller")).order_by("pk").values("pk")[:1]
    SalesOrder.objects.filter(connection__isnull=True).update(connection=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_several_marketplace_connections"),
        ("sales", "0006_order_refetch_unworkable"),
    ]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="connection",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="orders", to="accounts.marketplaceconnection"),
        ),
        migrations.RunPython(orders_to_their_sellers_connection, migrations.RunPython.noop),
    ]
