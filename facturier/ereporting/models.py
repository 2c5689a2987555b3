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
