"""E-reporting transmissions (flux 10.3) and their follow-up with the seller's PA."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import Seller


class EReport(models.Model):
    STATUS_INVALID = "invalid"
    STATUS_PENDING = "pending"
    STATUS_DOWNLOAD = "download"
    STATUS_SENT = "sent"
    STATUS_ACCEPTED = "accepted"
    STATUS_REJECTED = "rejected"
    STATUS_SUPERSEDED = "superseded"
    STATUS_CHOICES = [
        (STATUS_INVALID, _("Invalide (non envoyé)")),
        (STATUS_PENDING, _("À transmettre")),
        (STATUS_DOWNLOAD, _("À télécharger et déposer sur votre PA")),
        (STATUS_SENT, _("Transmis, accusé de réception attendu")),
        (STATUS_ACCEPTED, _("Accepté par la PA")),
        (STATUS_REJECTED, _("Rejeté par la PA")),
        (STATUS_SUPERSEDED, _("Remplacé avant envoi")),
    ]
    # Once one of these happened, the period was declared: a change needs a corrective (RE) report.
    TRANSMITTED = frozenset({STATUS_SENT, STATUS_ACCEPTED})

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="ereports")
    period_start = models.DateField()
    period_end = models.DateField()
    deadline = models.DateField()
    sequence = models.PositiveIntegerField()
    report_id = models.CharField(max_length=50)
    type_code = models.CharField(max_length=2)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    xml = models.TextField()
    errors = models.JSONField(default=list)
    fingerprint = models.CharField(max_length=64)
    taxable_total = models.DecimalField(max_digits=16, decimal_places=2)
    tax_total = models.DecimalField(max_digits=16, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)
    flow_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "period_start", "sequence"], name="unique_ereport_sequence"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="ereport_due")]

    def __str__(self) -> str:
        return self.report_id

    @property
    def filename(self) -> str:
        return f"{self.report_id}.xml"


class DeadlineWarning(models.Model):
    """One warning per seller and period, so the seller is told once that a deadline is close."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="ereporting_warnings")
    period_start = models.DateField()
    deadline = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "period_start"], name="unique_deadline_warning"),
        ]


class PADeposit(models.Model):
    """A B2B e-invoice deposited to the seller's PA (Factur-X, BR-FR) and its life-cycle statuses."""

    STATUS_INVALID = "invalid"
    STATUS_PENDING = "pending"
    STATUS_DEPOSITED = "deposited"
    STATUS_REJECTED = "rejected"
    STATUS_CHOICES = [
        (STATUS_INVALID, _("Non conforme BR-FR (non déposée)")),
        (STATUS_PENDING, _("À déposer")),
        (STATUS_DEPOSITED, _("Déposée sur la PA")),
        (STATUS_REJECTED, _("Refusée par la PA au dépôt")),
    ]
    # Life-cycle statuses (CDAR, XP Z12-012) that need the seller: the invoice must be corrected or reissued.
    ALERT_CODES = frozenset({"210", "213", "501"})

    invoice = models.OneToOneField("invoicing.Invoice", on_delete=models.PROTECT, related_name="pa_deposit")
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="pa_deposits")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    errors = models.JSONField(default=list)
    flow_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    lifecycle_code = models.CharField(max_length=4, blank=True)
    lifecycle_label = models.CharField(max_length=100, blank=True)
    lifecycle_reason = models.TextField(blank=True)
    lifecycle_history = models.JSONField(default=list)
    alerted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["seller", "status"], name="padeposit_seller_status")]

    def __str__(self) -> str:
        return f"PA {self.invoice_id} {self.lifecycle_code or self.status}"


class LifecycleCursor(models.Model):
    """Where the last search of the seller's life-cycle flows stopped (AFNOR `updatedAfter`)."""

    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, related_name="lifecycle_cursor")
    updated_after = models.CharField(max_length=40)
