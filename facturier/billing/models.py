"""Facturier's own invoices to its sellers (the monthly fee), the billing runs, and usage frozen at purge.

A FeeInvoice is immutable and never deleted, even when its seller's data is purged: Facturier must keep its
own invoices (10 years, Code de commerce L123-22). It is enforced in save()/delete(), in the queryset and by
database triggers (migrations 0002, 0003). Like a seller's invoice it is rendered after its issue commits, so
its file (pdf, pdf_sha256, rendered_at) is attached once, empty -> file, and never replaced.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from facturier.accounts.models import Seller
from facturier.core.money import MONEY
from facturier.tax import fees


class ImmutableFeeInvoiceError(Exception):
    """Raised on any attempt to edit or delete one of Facturier's own fee invoices."""


class FeeInvoiceQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableFeeInvoiceError("Une facture de Facturier ne peut pas être supprimée.")

    def update(self, **kwargs):
        if set(kwargs) - FeeInvoice.MUTABLE_FIELDS:
            raise ImmutableFeeInvoiceError("Une facture de Facturier ne peut pas être modifiée.")
        return super().update(**kwargs)


class FeeInvoice(models.Model):
    VAT_DOMESTIC = fees.DOMESTIC
    VAT_REVERSE_CHARGE = fees.REVERSE_CHARGE
    VAT_FR_NO_NUMBER = fees.FR_VAT_NO_NUMBER
    VAT_CASE_CHOICES = [
        (VAT_DOMESTIC, "France : TVA 20 %"),
        (VAT_REVERSE_CHARGE, "UE : autoliquidation"),
        (VAT_FR_NO_NUMBER, "Hors France sans n° de TVA valide : TVA française 20 %"),
    ]
    # The rendered file, attached once after the issue commits (the database triggers refuse a replacement).
    MUTABLE_FIELDS = frozenset({"pdf", "pdf_sha256", "rendered_at"})

    # PROTECT: purging a seller keeps its row (status 'purged') and every fee invoice issued to it.
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="fee_invoices")
    month = models.DateField(help_text="Premier jour du mois facturé (BG-14)")
    number = models.CharField(max_length=35, unique=True)
    sequence = models.PositiveBigIntegerField(unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issue_date = models.DateField()
    due_date = models.DateField()
    invoice_count = models.PositiveIntegerField()
    tier_label = models.CharField(max_length=30)
    vat_case = models.CharField(max_length=30, choices=VAT_CASE_CHOICES)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount_excl_vat = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)
    total_incl_vat = models.DecimalField(**MONEY)
    operator_snapshot = models.JSONField()
    buyer_snapshot = models.JSONField()
    notes = models.JSONField(default=list)
    pdf = models.FileField(upload_to="fees/", max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = FeeInvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-sequence"]
        constraints = [
            # One fee per seller and month, whatever the code path: reruns can never bill twice.
            models.UniqueConstraint(fields=["seller", "month"], name="one_fee_per_seller_month"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or set(update_fields) - self.MUTABLE_FIELDS):
            raise ImmutableFeeInvoiceError("Une facture de Facturier ne peut pas être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableFeeInvoiceError("Une facture de Facturier ne peut pas être supprimée.")


class BillingRun(models.Model):
    """One execution of the monthly billing (a rerun is a new row); a run with no finished_at crashed."""

    month = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    sellers_considered = models.PositiveIntegerField(default=0)
    invoices_issued = models.PositiveIntegerField(default=0)
    already_billed = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Facturation {self.month:%Y-%m} ({self.started_at:%d/%m/%Y %H:%M})"


class FrozenUsage(models.Model):
    """The invoice count of a month not yet billed, frozen just before the seller's invoices are purged."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="frozen_usage")
    month = models.DateField()
    invoice_count = models.PositiveIntegerField()
    frozen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "month"], name="one_frozen_usage_per_month")]
