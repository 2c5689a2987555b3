"""One marketplace account belongs to one active seller at most: a comparable digest of the (encrypted) account id,
whether the connection still holds the account, a partial unique constraint, and the refused attempts."""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

ALREADY_LINKED = "Ce compte Cdiscount est déjà relié à un autre compte Facturier : la synchronisation est arrêtée."


def account_key(marketplace: str, marketplace_seller_id: str) -> str:
    # Frozen copy of accounts.models.marketplace_account_key as of this migration.
    return hashlib.sha256(f"{marketplace}:{marketplace_seller_id.strip().lower()}".encode()).hexdigest()


def fill_account_keys(apps, schema_editor):
    """Existing links get their key; of two active sellers already sharing an account, the first registered keeps
    it and the other's connection is stopped (status 'credentials_rejected', which the sync skips)."""
    Connection = apps.get_model("accounts", "MarketplaceConnection")
    holders = set()
    for connection in Connection.objects.select_related("seller").order_by("seller__registered_at", "pk"):
        connection.account_key = account_key(connection.marketplace, connection.marketplace_seller_id)
        connection.holds_account = connection.seller.status == "active"
        if connection.holds_account and connection.account_key in holders:
            connection.holds_account = False
            connection.status, connection.status_message = "credentials_rejected", ALREADY_LINKED
        if connection.holds_account:
            holders.add(connection.account_key)
        connection.save(update_fields=["account_key", "holds_account", "status", "status_message"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_reform_profile_pa_connection"),
    ]

    operations = [
        migrations.AddField(
            model_name="marketplaceconnection",
            name="marketplace",
            field=models.CharField(default="cdiscount", max_length=20),
        ),
        migrations.AddField(
            model_name="marketplaceconnection",
            name="account_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="marketplaceconnection",
            name="holds_account",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(fill_account_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="marketplaceconnection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("holds_account", True)),
                fields=("marketplace", "account_key"),
                name="one_active_seller_per_marketplace_account",
            ),
        ),
        migrations.CreateModel(
            name="MarketplaceLinkRefusal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("marketplace", models.CharField(max_length=20)),
                ("account_key", models.CharField(max_length=64)),
                ("attempted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("holder", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="accounts.seller")),
                ("seller", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                             related_name="link_refusals", to="accounts.seller")),
            ],
            options={
                "ordering": ["-attempted_at"],
            },
        ),
    ]
