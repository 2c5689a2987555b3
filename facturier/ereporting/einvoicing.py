"""B2B e-invoicing through the seller's PA (§A3): deposit, acknowledgement, life-cycle statuses.

For a seller established in France, from its reform date, an invoice or credit note to a business buyer
established in France (a French VAT number, hence its SIREN) is deposited as its Factur-X PDF (EN 16931)
once rendered, after a check against the French CTC BR-FR schematron: a document failing BR-FR is never
deposited and is shown with its errors. Life-cycle messages (CDAR) are read back from the PA's flows.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from pyfrctc.pyfrctc import parse_cdar

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection
from facturier.core.clock import now
from facturier.documents.validation import errors_only, extract_facturx_xml, validate_en16931, validate_fr_ctc
from facturier.ereporting.models import LifecycleCursor, PADeposit
from facturier.ereporting.pa_client import FlowClient, FlowDocument, PAError
from facturier.ereporting.scope import profile_of
from facturier.invoicing.models import Invoice
from facturier.outbox.queueing import enqueue
from facturier.tax.regimes import FRENCH_ISSUER_CASES

logger = logging.getLogger(__name__)
LIFECYCLE_FLOW_TYPE = "CustomerInvoiceLC"
RETRY_AFTER = timedelta(minutes=5)


def to_deposit(seller: Seller):
    """Rendered B2B documents in scope that have no deposit yet."""
    profile = profile_of(seller)
    if not profile.established_in_france:
        return Invoice.objects.none()
    return Invoice.objects.filter(
        seller=seller, issue_date__gte=profile.start, vat_case__in=FRENCH_ISSUER_CASES,
        buyer_snapshot__vat_number__startswith="FR", pa_deposit__isnull=True,
    ).exclude(pdf="").order_by("id")


def check_document(invoice: Invoice) -> tuple[bytes, list[str]]:
    with invoice.pdf.open("rb") as handle:
        pdf = handle.read()
    try:
        xml = extract_facturx_xml(pdf)
    except ValueError as error:
        return pdf, [str(error)]
    failures = errors_only(validate_en16931(xml)) + errors_only(validate_fr_ctc(xml))
    return pdf, [f"{f.id} {f.text}".strip() for f in failures]


def deposit(invoice: Invoice, client: FlowClient) -> PADeposit:
    pdf, errors = check_document(invoice)
    try:
        with transaction.atomic():
            record = PADeposit.objects.create(
                invoice=invoice, seller=invoice.seller, errors=errors,
                status=PADeposit.STATUS_INVALID if errors else PADeposit.STATUS_PENDING,
            )
    except IntegrityError:  # another pass took it
        return PADeposit.objects.get(invoice=invoice)
    if not errors:
        submit(record, pdf, client)
    return record


def submit(record: PADeposit, pdf: bytes, client: FlowClient) -> None:
    invoice = record.invoice
    record.attempts += 1
    try:
        receipt = client.submit(FlowDocument(
            content=pdf, filename=f"{invoice.number}.pdf", syntax="Factur-X", processing_rule="B2B",
            flow_type="CustomerInvoice", tracking_id=invoice.number,
        ))
        ack = client.acknowledgement(receipt.flow_id)
    except PAError as error:
        record.last_error = error.stored()
        if error.transient or error.credentials:
            record.next_attempt_at = now() + RETRY_AFTER
        else:
            record.status = PADeposit.STATUS_REJECTED
    else:
        record.flow_id, record.last_error, record.next_attempt_at = receipt.flow_id, "", None
        record.status = PADeposit.STATUS_REJECTED if ack.status == "Error" else PADeposit.STATUS_DEPOSITED
        if ack.status == "Error":
            record.lifecycle_reason = "\n".join(ack.reasons)
    record.updated_at = now()
    record.save()
    if record.status == PADeposit.STATUS_REJECTED:
        alert(record)


def retry_due(seller: Seller, client: FlowClient) -> None:
    for record in PADeposit.objects.filter(
        seller=seller, status=PADeposit.STATUS_PENDING, next_attempt_at__lte=now()
    ).select_related("invoice"):
        with record.invoice.pdf.open("rb") as handle:
            submit(record, handle.read(), client)


def follow_lifecycle(seller: Seller, client: FlowClient) -> int:
    """Read the life-cycle flows published since the last search; returns the statuses applied."""
    cursor, _created = LifecycleCursor.objects.get_or_create(seller=seller, defaults={"updated_after": _epoch()})
    applied = 0
    flows = sorted(client.search({"flowType": [LIFECYCLE_FLOW_TYPE], "updatedAfter": cursor.updated_after}),
                   key=lambda flow: flow.get("updatedAt", ""))
    for flow in flows:
        applied += apply_status(seller, parse_cdar(client.original(flow["flowId"]), check_xsd=False))
        cursor.updated_after = flow["updatedAt"]
    cursor.save()
    return applied


def apply_status(seller: Seller, message: dict) -> int:
    record = PADeposit.objects.filter(seller=seller, invoice__number=message.get("invoice_number")).first()
    if record is None:
        logger.warning("Life-cycle status for an unknown invoice %s", message.get("invoice_number"))
        return 0
    status = (message.get("doc_status") or [{}])[0]
    reason = " ".join(filter(None, [status.get("reason_code"), status.get("reason_txt")]))
    code = str(message.get("status_code", ""))
    record.lifecycle_history = [*record.lifecycle_history,
                                {"code": code, "label": message.get("status_name", ""), "reason": reason,
                                 "at": now().isoformat()}]
    record.lifecycle_code, record.lifecycle_label = code, message.get("status_name", "")
    record.lifecycle_reason = reason
    record.updated_at = now()
    record.save()
    if code in PADeposit.ALERT_CODES:
        alert(record)
    return 1


def alert(record: PADeposit) -> None:
    """Tell the seller once that the PA or the buyer turned the invoice down, with the reason given."""
    if record.alerted_at is not None:
        return
    seller, invoice = record.seller, record.invoice
    with translation.override(seller.owner.preferred_language or "fr"):
        _queue_alert(record, seller, invoice)
    PADeposit.objects.filter(pk=record.pk).update(alerted_at=now())


def _queue_alert(record: PADeposit, seller: Seller, invoice: Invoice) -> None:
    what = record.lifecycle_label or record.get_status_display()
    enqueue(
        seller=seller,
        to=seller.support_email or seller.owner.email,
        subject=_("Facturier : facture %(number)s %(what)s") % {"number": invoice.number, "what": what.lower()},
        text_body=_("Bonjour,\n\nLa facture %(number)s a le statut « %(what)s » sur votre plateforme agréée.\n"
                    "Motif : %(reason)s\n\n%(url)s\n") % {
            "number": invoice.number, "what": what, "reason": record.lifecycle_reason or "—",
            "url": settings.SITE_URL + reverse("portal:reform")},
        html_body="",
        reply_to=None,
        from_name="Facturier",
        related_key=f"pa-alert:{record.pk}",
    )


def run_einvoicing(seller: Seller) -> int:
    """Deposit what is due, retry, and follow life-cycle statuses; returns the documents deposited."""
    connection = PAConnection.objects.filter(seller=seller).first()
    if connection is None:
        return 0
    client = FlowClient.for_connection(connection)
    deposited = 0
    try:
        for invoice in to_deposit(seller)[:200]:
            deposited += int(deposit(invoice, client).status == PADeposit.STATUS_DEPOSITED)
        retry_due(seller, client)
        follow_lifecycle(seller, client)
    except PAError as error:
        logger.warning("PA exchange failed for seller %s: %s", seller.pk, error)
    finally:
        client.close()
    return deposited


def _epoch() -> str:
    return datetime(2000, 1, 1, tzinfo=UTC).isoformat().replace("+00:00", "Z")
