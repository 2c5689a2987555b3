"""Fee invoices go through the one rendering path of every document (invoicing.rendering): rendered after their
issue commits, stored under fees/<seller id>/ (never reached by a seller's purge), then their email released."""

from __future__ import annotations

from facturier.billing import emails, fee_document
from facturier.billing.models import FeeInvoice
from facturier.invoicing import rendering

FEE_INVOICES = rendering.DocumentKind(
    model=FeeInvoice,
    storage_root="fees",
    queryset=lambda: FeeInvoice.objects.select_related("seller"),
    snapshot=fee_document.to_snapshot,
    release_emails=emails.release_fee_emails,
    email_key_prefix=emails.KEY_PREFIX,
    draws_seller_logo=False,  # the seller is the buyer of a fee invoice
)


def render_fee_invoices(fee_ids: list[int]) -> int:
    """Render the fee invoices not rendered yet and release their emails; return how many have their file."""
    return rendering.render_documents(fee_ids, FEE_INVOICES)


def render_missing_fee_invoices(*, limit: int = 500) -> int:
    """The sweeper's part: fee invoices issued but never rendered (a crash after commit) are rendered now."""
    return rendering.render_missing(limit=limit, kind=FEE_INVOICES)


def release_held_fee_emails() -> int:
    """The sweeper's part: held fee emails whose document has its file are released."""
    return rendering.release_held_emails(FEE_INVOICES)
