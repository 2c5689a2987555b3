"""`facturier api-token --email X`: create an API token for that seller and print it (last word)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from facturier.accounts.models import ApiToken, Seller, new_api_token
from facturier.api.authentication import token_digest


class Command(BaseCommand):
    help = "Create a REST API token for the seller owning this e-mail; the token is the last word printed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="E-mail of the seller's account")
        parser.add_argument("--name", default="CLI", help="A label for the token")

    def handle(self, *args, email: str, name: str, **options) -> None:
        seller = Seller.objects.filter(owner__email=email.strip().lower()).first()
        if seller is None:
            raise CommandError(f"No seller account for {email}.")
        token = new_api_token()
        ApiToken.objects.create(seller=seller, name=name, token_sha256=token_digest(token), prefix=token[:12])
        self.stdout.write(f"API token for {seller.legal_name} (shown once): {token}")
