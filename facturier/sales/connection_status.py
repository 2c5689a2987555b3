"""Health of a seller's marketplace connection, shown in the portal; a rejection is emailed to the seller once."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from facturier.accounts.models import MarketplaceConnection
from facturier.core.clock import now
from facturier.core.stored_text import Message, stored
from facturier.marketplace.connectors import connection_name
from facturier.outbox import services as outbox


def _set(connection: MarketplaceConnection, status: str, message: Message | str, **extra) -> None:
    """`message` is stored as a message (core.stored_text): each page shows it in its own language."""
    text = stored(message)
    MarketplaceConnection.objects.filter(pk=connection.pk).update(
        status=status, status_message=text, status_changed_at=now(), **extra
    )
    connection.status, connection.status_message = status, text


def mark_ok(connection: MarketplaceConnection, message: Message | str = "") -> None:
    if connection.status != MarketplaceConnection.STATUS_OK or connection.rejection_notified_at or message:
        # Clearing the notice date lets a later rejection be emailed again.
        _set(connection, MarketplaceConnection.STATUS_OK, message, rejection_notified_at=None)


def record(connection: MarketplaceConnection, status: str, message: Message | str) -> None:
    """A status the seller found out by testing the connection: shown on the page, nothing emailed."""
    _set(connection, status, message)


def mark_unavailable(connection: MarketplaceConnection, message: Message | str) -> None:
    if connection.status != MarketplaceConnection.STATUS_REJECTED:
        _set(connection, MarketplaceConnection.STATUS_UNAVAILABLE, message)


def mark_rejected(connection: MarketplaceConnection, message: Message | str) -> None:
    with transaction.atomic():
        _set(connection, MarketplaceConnection.STATUS_REJECTED, message)
        # The conditional update makes "email once" hold even when two syncs fail at the same moment.
        first = MarketplaceConnection.objects.filter(pk=connection.pk, rejection_notified_at=None).update(
            rejection_notified_at=now()
        )
        if first:
            _email_rejection(connection, message)


def marketplace_name(connection: MarketplaceConnection) -> str:
    return connection_name(connection.marketplace, connection.account_id, connection.credentials)


def _email_rejection(connection: MarketplaceConnection, message: Message | str) -> None:
    seller = connection.seller
    with override(seller.owner.preferred_language or "fr"):  # the seller's chosen language
        context = {"seller": seller, "message": str(message), "site_url": settings.SITE_URL}
        subject = _("Facturier : vos identifiants %(marketplace)s ont été refusés") % {
            "marketplace": marketplace_name(connection),
        }
        text_body = render_to_string("sales/email/credentials_rejected.txt", context)
        html_body = render_to_string("sales/email/credentials_rejected.html", context)
    outbox.enqueue(
        seller=seller,
        to=seller.support_email or seller.owner.email,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        reply_to="",
        from_name="Facturier",
        related_key=f"connection:{connection.pk}",
    )
