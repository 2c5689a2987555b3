"""`facturier sync [--seller EMAIL_OR_ID]`: pull orders and issue invoices now, for one seller or all."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from facturier.accounts.models import Seller
from facturier.jobs import inline, pipeline


class Command(BaseCommand):
    help = "Sync marketplace orders and issue the missing invoices and credit notes now"

    def add_arguments(self, parser):
        parser.add_argument("--seller", help="seller id or owner email (default: every active seller)")

    def handle(self, *args, seller: str | None, **options):
        sellers = pipeline.sellers_to_sync()
        if seller:
            lookup = Q(owner__email__iexact=seller) | (Q(pk=int(seller)) if seller.isdigit() else Q())
            sellers = Seller.objects.filter(lookup)
            if not sellers:
                raise CommandError(f"No seller matches {seller!r}")
        for target in sellers:
            run = inline.run_pass(target, trigger="cli")
            if run is None:
                continue
            self.stdout.write(
                f"{target.legal_name}: {run.status}, {run.orders_seen} orders seen, {run.orders_eligible} eligible, "
                f"{run.invoices_issued} invoices and {run.credit_notes_issued} credit notes issued"
                + (f"\n  {run.message}" if run.message else "")
            )
