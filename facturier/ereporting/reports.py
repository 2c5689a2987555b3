"""Building, checking, transmitting and following the seller's flux 10.3 reports.

A period's report is built from the documents as they are now. The first one is `IN`; once a report of the
period was transmitted, a later change (a document issued with a date in that period) gives an `RE` report
with the whole corrected period [INF: the DGFiP text on RE content was not available]. An invalid report is
stored with its errors and never sent; without a PA connection the report waits for the seller to download it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection, ReformProfile
from facturier.core.clock import now, today_in_paris
from facturier.ereporting import flux10
from facturier.ereporting.aggregate import TransactionBlock, period_blocks
from facturier.ereporting.calendar import Period, period_of, periods_between
from facturier.ereporting.models import DeadlineWarning, EReport
from facturier.ereporting.pa_client import FlowClient, FlowDocument, PAError
from facturier.ereporting.scope import profile_of
from facturier.outbox.queueing import enqueue

logger = logging.getLogger(__name__)
FLOW_TYPE_B2C_AGGREGATED = "AggregatedCustomerTransactionReport"
MAX_RETRY_DELAY = timedelta(hours=6)
WARN_DAYS_BEFORE = 3


class ReportError(ValueError):
    """A report cannot be built or sent; the message says why, in the seller's language."""


def fingerprint(blocks: tuple[TransactionBlock, ...], identity: str) -> str:
    """What the report says: a report is rebuilt only when this changes (a document, the SIREN, the PA)."""
    text = identity + "\n" + "\n".join(
        f"{b.day}|{b.currency}|{b.category}|{b.due_option}|"
        + ";".join(f"{r.rate.normalize()}:{r.taxable}:{r.tax}" for r in b.rates)
        for b in blocks
    )
    return hashlib.sha256(text.encode()).hexdigest()


def header_problems(seller: Seller, profile: ReformProfile) -> list[str]:
    problems = []
    if not (seller.siren.isdigit() and len(seller.siren) == 9):
        problems.append(_("SIREN du vendeur manquant ou invalide : le déclarant d'un e-reporting est un SIREN."))
    if len(profile.pa_code) != 4:
        problems.append(_("Code à 4 caractères de votre plateforme agréée manquant (émetteur du flux 10)."))
    return problems


def period_for_dates(seller: Seller, start: date, end: date) -> Period:
    """The regime's period that starts on `start` and ends on `end`; anything else is refused."""
    period = period_of(start, profile_of(seller).vat_regime)
    if (period.start, period.end) != (start, end):
        raise ReportError(
            _("Période %(start)s – %(end)s invalide pour votre régime de TVA : la période contenant le %(start)s "
              "va du %(pstart)s au %(pend)s.")
            % {"start": start, "end": end, "pstart": period.start, "pend": period.end}
        )
    return period


def latest_report(seller: Seller, period: Period) -> EReport | None:
    return (
        EReport.objects.filter(seller=seller, period_start=period.start)
        .exclude(status=EReport.STATUS_SUPERSEDED)
        .order_by("-sequence")
        .first()
    )


@transaction.atomic
def prepare_report(seller: Seller, period: Period) -> EReport | None:
    """The report the period needs now: the existing one if nothing changed, a new IN or RE otherwise, or
    None when the period has nothing to declare (no nil reports, §A2.3)."""
    Seller.objects.select_for_update().filter(pk=seller.pk).first()  # one builder per seller at a time
    profile = profile_of(seller)
    blocks = period_blocks(seller, period.start, period.end)
    print_ = fingerprint(blocks, f"{seller.siren}|{seller.legal_name}|{profile.pa_code}|{profile.pa_name}")
    latest = latest_report(seller, period)
    if latest is not None and latest.fingerprint == print_:
        return latest
    transmitted = EReport.objects.filter(seller=seller, period_start=period.start, status__in=EReport.TRANSMITTED)
    if not blocks and not transmitted.exists():
        return None
    if latest is not None and latest.status not in EReport.TRANSMITTED:
        latest.status = EReport.STATUS_SUPERSEDED
        latest.save(update_fields=["status"])
    sequence = 1 + (EReport.objects.filter(seller=seller, period_start=period.start).count())
    return _store(seller, profile, period, blocks, print_, sequence, transmitted.exists())


def _store(seller, profile, period, blocks, print_, sequence, corrective) -> EReport:
    report_id = f"TX-{seller.siren or 'SANS-SIREN'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{sequence:02d}"
    header = flux10.ReportHeader(
        report_id=report_id,
        issued_at=now(),
        type_code=flux10.TYPE_CORRECTIVE if corrective else flux10.TYPE_INITIAL,
        pa_code=profile.pa_code,
        pa_name=profile.pa_name or profile.pa_code,
        siren=seller.siren,
        seller_name=seller.legal_name,
        start=period.start,
        end=period.end,
    )
    xml = flux10.render(header, blocks)
    errors = header_problems(seller, profile) or flux10.validate(xml)
    if errors:
        status = EReport.STATUS_INVALID
    elif PAConnection.objects.filter(seller=seller).exists():
        status = EReport.STATUS_PENDING
    else:
        status = EReport.STATUS_DOWNLOAD
    return EReport.objects.create(
        seller=seller,
        period_start=period.start,
        period_end=period.end,
        deadline=period.deadline,
        sequence=sequence,
        report_id=report_id,
        type_code=header.type_code,
        status=status,
        xml=xml.decode("utf-8"),
        errors=errors,
        fingerprint=print_,
        taxable_total=sum((b.taxable for b in blocks), Decimal("0.00")),
        tax_total=sum((b.tax for b in blocks), Decimal("0.00")),
        next_attempt_at=now() if status == EReport.STATUS_PENDING else None,
    )


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def client_for(seller: Seller) -> FlowClient:
    connection = PAConnection.objects.filter(seller=seller).first()
    if connection is None:
        raise ReportError(_("Aucune plateforme agréée connectée : téléchargez le rapport et déposez-le vous-même."))
    return FlowClient.for_connection(connection)


def transmit(report: EReport, client: FlowClient) -> EReport:
    """Deposit one pending report; a transient failure schedules a retry, a refusal needs the seller."""
    if report.status != EReport.STATUS_PENDING:
        raise ReportError(_("Ce rapport n'est pas à transmettre (état : %s).") % report.get_status_display())
    document = FlowDocument(
        content=report.xml.encode("utf-8"),
        filename=report.filename,
        syntax="FRR",
        processing_rule="B2C",
        flow_type=FLOW_TYPE_B2C_AGGREGATED,
        tracking_id=report.report_id,
    )
    report.attempts += 1
    try:
        receipt = client.submit(document)
    except PAError as error:
        _record_failure(report, error)
    else:
        report.status = EReport.STATUS_SENT
        report.flow_id = receipt.flow_id
        report.sent_at = now()
        report.next_attempt_at = now()  # the acknowledgement is asked for on the next pass
        report.last_error = ""
        _mark_connection(report.seller, PAConnection.STATUS_OK, "")
    report.save()
    return report


def _record_failure(report: EReport, error: PAError) -> None:
    report.last_error = error.stored()
    if error.credentials:
        _mark_connection(report.seller, PAConnection.STATUS_REJECTED, error.stored())
    if error.transient or error.credentials:
        report.next_attempt_at = now() + retry_delay(report.attempts)
        if not error.credentials:
            _mark_connection(report.seller, PAConnection.STATUS_UNAVAILABLE, error.stored())
    else:
        report.status = EReport.STATUS_REJECTED
        report.ack_message = error.stored()
        report.next_attempt_at = None
    logger.warning("E-reporting %s not deposited: %s", report.report_id, error)


def _mark_connection(seller: Seller, status: str, message: str) -> None:
    PAConnection.objects.filter(seller=seller).exclude(status=status, status_message=message).update(
        status=status, status_message=message, status_changed_at=now()
    )


def follow(report: EReport, client: FlowClient) -> EReport:
    """Ask the PA for the acknowledgement of a deposited report."""
    try:
        ack = client.acknowledgement(report.flow_id)
    except PAError as error:
        report.last_error = error.stored()
        report.next_attempt_at = now() + retry_delay(report.attempts)
        report.save(update_fields=["last_error", "next_attempt_at"])
        return report
    if ack.status == "Ok":
        report.status, report.next_attempt_at = EReport.STATUS_ACCEPTED, None
    elif ack.status == "Error":
        report.status, report.next_attempt_at = EReport.STATUS_REJECTED, None
    else:
        report.next_attempt_at = now() + timedelta(minutes=1)
    if ack.status != "Pending":
        report.acknowledged_at = now()
        report.ack_message = "\n".join(ack.reasons)
    report.save()
    return report


@dataclass
class PassResult:
    built: int = 0
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    warned: int = 0


def run_seller(seller: Seller, *, today: date | None = None) -> PassResult:
    """One pass for one seller: build the reports of closed periods since the reform start, send what is due,
    follow acknowledgements, warn before deadlines."""
    today = today or today_in_paris()
    profile = profile_of(seller)
    result = PassResult()
    for period in periods_between(profile.start, today, profile.vat_regime):
        if period.end >= today:
            break  # the current period is reported once it is over
        before = latest_report(seller, period)
        report = prepare_report(seller, period)
        result.built += int(report is not None and report != before)
    _exchange_with_pa(seller, result, today)
    result.warned = warn_deadlines(seller, profile, today)
    return result


def _exchange_with_pa(seller: Seller, result: PassResult, today: date) -> None:
    # A report built early (`ereporting build` on the current period) waits for its period to end.
    due = EReport.objects.filter(
        seller=seller, status__in=[EReport.STATUS_PENDING, EReport.STATUS_SENT], next_attempt_at__lte=now(),
        period_end__lt=today,
    ).order_by("period_start", "sequence")
    if not due.exists() or not PAConnection.objects.filter(seller=seller).exists():
        return
    client = client_for(seller)
    try:
        for report in due:
            if report.status == EReport.STATUS_PENDING:
                transmit(report, client)
                result.sent += int(report.status == EReport.STATUS_SENT)
                result.failed += int(report.status != EReport.STATUS_SENT)
            else:
                follow(report, client)
                result.acknowledged += int(report.status != EReport.STATUS_SENT)
    finally:
        client.close()


def unsent_reports(seller: Seller):
    return EReport.objects.filter(
        seller=seller, status__in=[EReport.STATUS_PENDING, EReport.STATUS_DOWNLOAD, EReport.STATUS_INVALID]
    )


def warn_deadlines(seller: Seller, profile: ReformProfile, today: date) -> int:
    """Tell the seller, once per period, that a report is still not transmitted a few days before its
    deadline (€500 per missing report)."""
    warned = 0
    for report in unsent_reports(seller).filter(deadline__lte=today + timedelta(days=WARN_DAYS_BEFORE)):
        _warning, created = DeadlineWarning.objects.get_or_create(
            seller=seller, period_start=report.period_start, defaults={"deadline": report.deadline}
        )
        if created:
            _queue_warning(seller, report)
            warned += 1
    return warned


def _queue_warning(seller: Seller, report: EReport) -> None:
    with translation.override(seller.owner.preferred_language or "fr"):
        _queue_warning_in_language(seller, report)


def _queue_warning_in_language(seller: Seller, report: EReport) -> None:
    text = _(
        "Bonjour,\n\nLe rapport d'e-reporting %(id)s (période du %(start)s au %(end)s) doit être transmis à votre "
        "plateforme agréée au plus tard le %(deadline)s ; il est actuellement : %(status)s.\n"
        "Une transmission manquante est passible d'une amende de 500 €.\n\n%(url)s\n"
    ) % {
        "id": report.report_id, "start": report.period_start, "end": report.period_end,
        "deadline": report.deadline, "status": report.get_status_display(),
        "url": settings.SITE_URL + reverse("portal:reform"),
    }
    enqueue(
        seller=seller,
        to=seller.support_email or seller.owner.email,
        subject=_("Facturier : e-reporting à transmettre avant le %s") % report.deadline,
        text_body=text,
        html_body="",
        reply_to=None,
        from_name="Facturier",
        related_key=f"ereporting-deadline:{report.pk}",
    )


def send_now(seller: Seller, period: Period, *, today: date | None = None) -> EReport:
    """`facturier ereporting send`: build the period's report and deposit it at once (once the period is over)."""
    if period.end >= (today or today_in_paris()):
        raise ReportError(_("La période se termine le %s : son rapport ne peut être transmis qu'après.") % period.end)
    report = prepare_report(seller, period)
    if report is None:
        raise ReportError(_("Rien à déclarer sur cette période (pas de rapport à blanc)."))
    if report.status == EReport.STATUS_INVALID:
        raise ReportError(_("Rapport invalide, non envoyé :\n%s") % "\n".join(report.errors))
    if report.status in EReport.TRANSMITTED:
        return report
    if report.status == EReport.STATUS_DOWNLOAD:
        raise ReportError(_("Aucune plateforme agréée connectée : téléchargez le rapport et déposez-le vous-même."))
    client = client_for(seller)
    try:
        transmit(report, client)
        if report.status == EReport.STATUS_SENT:
            follow(report, client)
    finally:
        client.close()
    return report
