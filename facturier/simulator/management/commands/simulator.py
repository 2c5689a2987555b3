from django.core.management.base import BaseCommand

from facturier.simulator.cli import add_arguments, run


class Command(BaseCommand):
    help = "Run the Octopia Seller API simulator (token endpoint, /seller/v2, /_simulator control API)."

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        sellers = [seller.strip() for seller in options["sellers"].split(",") if seller.strip()]
        run(
            options["port"],
            options["seed"],
            options["orders"],
            host=options["host"],
            sellers=sellers,
            faults=options["faults"],
        )
