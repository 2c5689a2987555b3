"""`facturier test-connection --seller EMAIL_OR_ID`: check a seller's marketplace credentials now."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from facturier.accounts.models import MarketplaceConnection
from facturier.sales import connection_status
from facturier.sales.connector import client_for


class Command(BaseCommand):
    help = "Test a seller's Octopia API credentials (token + a cheap API call)"

    def add_arguments(self, parser):
        parser.add_argument("--seller", required=True, help="seller id or owner email")

    def handle(self, *args, seller: str, **options):
        lookup = Q(seller__owner__email__iexact=seller) | (Q(seller__pk=int(seller)) if seller.isdigit() else Q())
        connection = MarketplaceConnection.objects.filter(lookup).select_related("seller").first()
        if connection is None:
            raise CommandError(f"No seller with marketplace credentials matches {seller!r}")
        with client_for(connection) as client:
            check = client.test_connection()
        if check.ok:
            connection_status.mark_ok(connection)
            self.stdout.write(self.style.SUCCESS(f"{connection.seller.legal_name}: {check.message}"))
            return
        raise CommandError(f"{connection.seller.legal_name}: {check.message}")
