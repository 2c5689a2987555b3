"""`facturier rotate-secrets`: re-encrypt every stored credential with the newest FACTURIER_FERNET_KEYS key.

Rotation: put the new key first in FACTURIER_FERNET_KEYS (old keys after it), deploy, run this command, then
remove the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from facturier.accounts.models import MarketplaceConnection


class Command(BaseCommand):
    help = "Re-encrypt marketplace credentials with the newest Fernet key"

    def handle(self, *args, **options):
        count = 0
        for connection in MarketplaceConnection.objects.iterator():
            with transaction.atomic():
                # Reading decrypts with any listed key; saving encrypts with the first one.
                connection.save(update_fields=["account_id", "credentials"])
            count += 1
        self.stdout.write(f"{count} connections re-encrypted with the newest key")
