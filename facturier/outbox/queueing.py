"""Putting messages in the outbox: enqueue (possibly held for its document), release, resend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from facturier.accounts.models import Seller
from facturier.core import clock
from facturier.core.db import values_rows
from facturier.core.errors import FacturierError
from facturier.core.stored_text import message
from facturier.outbox.events import record_event, record_events
from facturier.outbox.models import EmailEvent, OutgoingEmail
from facturier.outbox.tasks import deliver_emails_task

NO_ADDRESS = message(gettext_noop("aucune adresse e-mail sur la commande")).stored()


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
        return message(gettext_noop("adresse invalide : %(address)s"), address=address).stored()
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


def schedule_delivery(pks: list[int]) -> None:
    """One delivery task for these rows after commit: it sends them over one SMTP connection."""
    # robust: a broker outage must not break the caller's request; deliver_due_task picks the rows up later.
    transaction.on_commit(lambda: deliver_emails_task.delay(pks), robust=True)


def new_email(
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
) -> OutgoingEmail:
    """An unsaved outbox row; from_name is the full display name (default "<seller> via Facturier"), reply_to
    defaults to the seller's support e-mail."""
    return OutgoingEmail(
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


def enqueue(*, hold: bool = False, **fields) -> OutgoingEmail:
    """Queue a message in the caller's transaction; it is sent after commit (or when released, if held).

    A missing or invalid address fails the row at once, with the reason, without any attempt.
    """
    return store_new(new_email(**fields), hold=hold, detail="")


def store_new(email: OutgoingEmail, *, hold: bool, detail: str) -> OutgoingEmail:
    return store_many([email], hold=hold, detail=detail)[0]


def store_many(emails: list[OutgoingEmail], *, hold: bool, detail: str = "") -> list[OutgoingEmail]:
    """Insert new rows (held, queued, or failed at once when the address is unusable) with their first event."""
    now = clock.now()
    problems = {}
    for email in emails:
        email.created_at = now
        problems[id(email)] = problem = address_problem(email.to)
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
        OutgoingEmail.objects.bulk_create(emails)
        EmailEvent.objects.bulk_create(
            EmailEvent(
                email=email,
                kind=kind.get(email.state, EmailEvent.KIND_QUEUED),
                detail=problems[id(email)] or detail or f"à {email.to}",
                created_at=now,
            )
            for email in emails
        )
        queued = [email.pk for email in emails if email.state == OutgoingEmail.STATE_QUEUED]
        if queued:
            schedule_delivery(queued)
    return emails


def release(*, related_key: str, attachments: Iterable[Mapping[str, str]]) -> int:
    """Give held messages their rendered attachments and queue them; return how many were released."""
    return release_many({related_key: attachments})


def release_many(attachments_by_key: Mapping[str, Iterable[Mapping[str, str]]]) -> int:
    """Release the held messages of many documents at once, each with its own attachments, in one transaction.

    The held rows are locked first, so a concurrent release of the same document finds them queued already and
    a message is released (and scheduled) once.
    """
    cleaned = {key: clean_attachments(items) for key, items in attachments_by_key.items()}
    if not cleaned:
        return 0
    now = clock.now()
    with transaction.atomic():
        held = list(
            OutgoingEmail.objects.select_for_update()
            .filter(related_key__in=list(cleaned), state=OutgoingEmail.STATE_HELD)
            .only("pk", "related_key", "to")
            .order_by("pk")
        )
        for email in held:
            email.state, email.attachments, email.next_attempt_at = (
                OutgoingEmail.STATE_QUEUED, cleaned[email.related_key], now
            )
        _queue_with_attachments(held, now)
        record_events(held, EmailEvent.KIND_QUEUED, lambda email: f"document prêt, à {email.to}", at=now)
        if held:
            schedule_delivery([email.pk for email in held])
    return len(held)


def _queue_with_attachments(emails: list[OutgoingEmail], now) -> None:
    if not emails:
        return
    table = connection.ops.quote_name(OutgoingEmail._meta.db_table)
    attachments = OutgoingEmail._meta.get_field("attachments")
    values, params = values_rows(
        [(email.pk, attachments.get_db_prep_save(email.attachments, connection)) for email in emails]
    )
    sql = (
        f"UPDATE {table} SET state = %s, next_attempt_at = %s, attachments = v.column2 "
        f"FROM {values} WHERE {table}.id = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [OutgoingEmail.STATE_QUEUED, connection.ops.adapt_datetimefield_value(now), *params])


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
        record_event(email, EmailEvent.KIND_RESENT, message(gettext_noop("renvoyé à %(to)s"), to=copy.to).stored())
    return copy
