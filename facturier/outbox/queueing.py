"""Putting messages in the outbox: enqueue (possibly held for its document), release, resend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from facturier.accounts.models import Seller
from facturier.core import clock
from facturier.core.errors import FacturierError
from facturier.outbox.events import record_event
from facturier.outbox.models import EmailEvent, OutgoingEmail

NO_ADDRESS = "aucune adresse e-mail sur la commande"


def display_name_for(seller: Seller) -> str:
    return f"{seller.legal_name} via Facturier"


def new_message_id() -> str:
    return make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "facturier.invalid")


def address_problem(address: str) -> str:
    if not address:
        return NO_ADDRESS
    try:
        validate_email(address)
    except ValidationError:
        return f"adresse invalide : {address}"
    return ""


def clean_attachments(attachments: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [
        {
            "filename": item["filename"],
            "storage_name": item["storage_name"],
            "mimetype": item.get("mimetype", ""),
        }
        for item in attachments
    ]


def schedule_delivery(pk: int) -> None:
    from facturier.outbox.tasks import deliver_email_task

    # robust: a broker outage must not break the caller's request; deliver_due_task picks the row up later.
    transaction.on_commit(lambda: deliver_email_task.delay(pk), robust=True)


def enqueue(
    *,
    seller: Seller,
    to: str | None,
    subject: str,
    text_body: str,
    html_body: str,
    reply_to: str | None,
    from_name: str | None,
    related_key: str,
    attachments: Iterable[Mapping[str, str]] = (),
    hold: bool = False,
) -> OutgoingEmail:
    """Queue a message in the caller's transaction; it is sent after commit (or when released, if held).

    from_name is the full display name (default "<seller> via Facturier"); reply_to defaults to the seller's
    support e-mail. A missing or invalid address fails the row at once, with the reason, without any attempt.
    """
    email = OutgoingEmail(
        seller=seller,
        message_id=new_message_id(),
        related_key=related_key,
        to=(to or "").strip(),
        from_name=from_name or display_name_for(seller),
        reply_to=reply_to or seller.support_email,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        attachments=clean_attachments(attachments),
    )
    return store_new(email, hold=hold, detail="")


def store_new(email: OutgoingEmail, *, hold: bool, detail: str) -> OutgoingEmail:
    now = clock.now()
    email.created_at = now
    problem = address_problem(email.to)
    if problem:
        email.state, email.last_error = OutgoingEmail.STATE_FAILED, problem
    elif hold:
        email.state = OutgoingEmail.STATE_HELD
    else:
        email.state, email.next_attempt_at = OutgoingEmail.STATE_QUEUED, now
    kind = {
        OutgoingEmail.STATE_FAILED: EmailEvent.KIND_FAILED,
        OutgoingEmail.STATE_HELD: EmailEvent.KIND_HELD,
    }
    with transaction.atomic():
        email.save()
        record_event(email, kind.get(email.state, EmailEvent.KIND_QUEUED), problem or detail or f"à {email.to}", at=now)
        if email.state == OutgoingEmail.STATE_QUEUED:
            schedule_delivery(email.pk)
    return email


def release(*, related_key: str, attachments: Iterable[Mapping[str, str]]) -> int:
    """Give held messages their rendered attachments and queue them; return how many were released."""
    cleaned = clean_attachments(attachments)
    released = 0
    with transaction.atomic():
        held = OutgoingEmail.objects.filter(related_key=related_key, state=OutgoingEmail.STATE_HELD)
        for pk in list(held.values_list("pk", flat=True)):
            now = clock.now()
            updated = OutgoingEmail.objects.filter(pk=pk, state=OutgoingEmail.STATE_HELD).update(
                state=OutgoingEmail.STATE_QUEUED, attachments=cleaned, next_attempt_at=now
            )
            if updated:
                email = OutgoingEmail.objects.get(pk=pk)
                record_event(email, EmailEvent.KIND_QUEUED, f"document prêt, à {email.to}", at=now)
                schedule_delivery(pk)
                released += 1
    return released


def resend(*, email: OutgoingEmail, to: str | None = None) -> OutgoingEmail:
    """Queue a copy of `email` (same content and attachments), optionally to a corrected address."""
    if email.state == OutgoingEmail.STATE_HELD:
        raise FacturierError("Cet e-mail attend encore son document : il n'a pas pu être envoyé une première fois.")
    copy = OutgoingEmail(
        seller=email.seller,
        message_id=new_message_id(),
        related_key=email.related_key,
        to=(to or email.to).strip(),
        from_name=email.from_name,
        reply_to=email.reply_to,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        attachments=email.attachments,
        resend_of=email,
    )
    with transaction.atomic():
        store_new(copy, hold=False, detail=f"renvoi à {copy.to}")
        record_event(email, EmailEvent.KIND_RESENT, f"renvoyé à {copy.to}")
    return copy
