"""The versioned texts a seller accepts: the terms of service (at sign-up) and the billing mandate (before any
invoice). Each version's text stays in its own template (portal/terms/, portal/mandate/), word for word, for the
record; the current one is the last. A seller who accepted an older version is asked for the current one at the
next visit of the portal (see README, "Versioned texts")."""

from __future__ import annotations

from dataclasses import dataclass

from facturier.accounts.models import Seller, User

# 2026-12-07: Mirakl marketplaces are served besides Cdiscount; both texts named Cdiscount alone.
TERMS_VERSION = "2026-12-07"
TERMS_TEMPLATE = f"portal/terms/terms-{TERMS_VERSION}.html"
MANDATE_VERSION = "2026-12-07"
MANDATE_TEMPLATE = f"portal/mandate/mandate-{MANDATE_VERSION}.txt"


@dataclass(frozen=True)
class PendingVersions:
    """The current versions still to accept, an older one being on record: the terms by the account holder (who
    accepted them at sign-up), the mandate by the seller."""

    terms: bool
    mandate: bool

    def __bool__(self) -> bool:
        return self.terms or self.mandate


def pending_versions(user: User, seller: Seller) -> PendingVersions:
    mandate = seller.mandates.first()
    return PendingVersions(
        terms=bool(user.terms_version) and user.terms_version != TERMS_VERSION,
        mandate=mandate is not None and mandate.version != MANDATE_VERSION,
    )
