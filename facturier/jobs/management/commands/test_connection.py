"""`facturier test-connection --seller EMAIL_OR_ID`: check each of a seller's marketplace connections now."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from facturier.accounts.models import MarketplaceConnection
from facturier.sales.connections import check_connection, label


class Command(BaseCommand):
    help = "Test a seller's marketplace connections (credentials + a cheap API call each)"

    def add_arguments(self, parser):
        parser.add_argument("--seller", required=True, help="seller id or owner email")

    def handle(self, *args, seller: str, **options):
        lookup = Q(seller__owner__email__iexact=seller) | (Q(seller__pk=int(seller)) if seller.isdigit() else Q())
        connections = list(MarketplaceConnection.objects.filter(lookup).select_related("seller").order_by("pk"))
        if not connections:
            raise CommandError(f"No seller with marketplace credentials matches {seller!r}")
        failed = []
        for connection in connections:
            test, message = check_connection(connection)
            line = f"{connection.seller.legal_name} — {label(connection)}: {message}"
            if test.ok:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                failed.append(f"{line} ({test.detail})")
        if failed:
            raise CommandError("\n".join(failed))
