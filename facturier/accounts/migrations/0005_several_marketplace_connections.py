"""A seller may hold several marketplace connections, each a backend kind (see marketplace.connectors) with its
account id and one encrypted set of credentials; Octopia's three columns become that kind's values."""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import facturier.core.crypto

OCTOPIA = "octopia"


def account_key(marketplace: str, account_id: str) -> str:
    # Frozen copy of accounts.models.marketplace_account_key (without a scope) as of this migration.
    return hashlib.sha256(f"{marketplace}:{account_id.strip().lower()}".encode()).hexdigest()


def octopia_columns_to_credentials(apps, schema_editor):
    Connection = apps.get_model("accounts", "MarketplaceConnection")
    for connection in Connection.objects.all():
        connection.marketplace = OCTOPIA
        connection.account_id = connection.marketplace_seller_id
        connection.credentials = {"client_id": connection.client_id, "client_secret": connection.client_secret}
        connection.account_key = account_key(OCTOPIA, connection.account_id)
        connection.created_at = connection.status_changed_at
        connection.save(update_fields=["marketplace", "account_id", "credentials", "account_key", "created_at"])
    # Refused attempts keep their digest (computed with the old name): only the name they show changes.
    apps.get_model("accounts", "MarketplaceLinkRefusal").objects.filter(marketplace="cdiscount").update(
        marketplace=OCTOPIA
    )


def credentials_to_octopia_columns(apps, schema_editor):
    Connection = apps.get_model("accounts", "MarketplaceConnection")
    for connection in Connection.objects.filter(marketplace=OCTOPIA):
        connection.marketplace = "cdiscount"
        connection.marketplace_seller_id = connection.account_id
        connection.client_id = connection.credentials.get("client_id", "")
        connection.client_secret = connection.credentials.get("client_secret", "")
        connection.account_key = account_key("cdiscount", connection.account_id)
        connection.save(update_fields=["marketplace", "marketplace_seller_id", "client_id", "client_secret",
                                       "account_key"])
    apps.get_model("accounts", "MarketplaceLinkRefusal").objects.filter(marketplace=OCTOPIA).update(
        marketplace="cdiscount"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_one_seller_per_marketplace_account"),
    ]

    operations = [
        migrations.AddField(
            model_name="marketplaceconnection",
            name="account_id",
            field=facturier.core.crypto.EncryptedTextField(default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="marketplaceconnection",
            name="credentials",
            field=facturier.core.crypto.EncryptedJSONField(default=dict),
        ),
        migrations.AddField(
            model_name="marketplaceconnection",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="marketplaceconnection",
            name="seller",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="connections",
                                    to="accounts.seller"),
        ),
        migrations.RunPython(octopia_columns_to_credentials, credentials_to_octopia_columns),
        migrations.RemoveField(model_name="marketplaceconnection", name="client_id"),
        migrations.RemoveField(model_name="marketplaceconnection", name="client_secret"),
        migrations.RemoveField(model_name="marketplaceconnection", name="marketplace_seller_id"),
        migrations.AlterField(
            model_name="marketplaceconnection",
            name="marketplace",
            field=models.CharField(default="octopia", max_length=20),
        ),
        migrations.AlterModelOptions(
            name="marketplaceconnection",
            options={"ordering": ["created_at", "pk"]},
        ),
        migrations.AddConstraint(
            model_name="marketplaceconnection",
            constraint=models.UniqueConstraint(
                fields=("seller", "marketplace", "account_key"), name="one_connection_per_seller_and_account"
            ),
        ),
    ]
