"""Issued invoices and credit notes. Once issued, a document never changes: corrections are credit notes.

Immutability is enforced three times: in save()/delete(), in the queryset (update/delete), and by database
triggers (migration 0002) so that not even raw SQL can rewrite an issued document.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import Seller
from facturier.core.fields import JSONField
from facturier.core.money import MONEY
from facturier.documents.labels import FRENCH
from facturier.sales.models import RefundRecord, SalesOrder


class ImmutableDocumentError(Exception):
    """Raised on any attempt to edit or delete an issued invoice or credit note."""


class InvoiceSeries(models.Model):
    """A gapless counter. The row is locked (SELECT ... FOR UPDATE) in the transaction that issues the document."""

    key = models.CharField(max_length=80, unique=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, null=True, blank=True, related_name="series")
    next_number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return self.key


class InvoiceQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableDocumentError("Une facture émise ne peut pas être supprimée ; émettez un avoir.")

    def update(self, **kwargs):
        forbidden = set(kwargs) - Invoice.MUTABLE_FIELDS
        if forbidden:
            raise ImmutableDocumentError(f"Champs figés d'une facture émise : {', '.join(sorted(forbidden))}")
        return super().update(**kwargs)


class Invoice(models.Model):
    KIND_INVOICE = "invoice"
    KIND_CREDIT_NOTE = "credit_note"
    KIND_CHOICES = [(KIND_INVOICE, _("Facture")), (KIND_CREDIT_NOTE, _("Avoir"))]

    UPLOAD_DISABLED = "disabled"
    UPLOAD_PENDING = "pending"
    UPLOAD_RUNNING = "running"
    UPLOAD_SUCCESS = "success"
    UPLOAD_FAILURE = "failure"
    UPLOAD_CHOICES = [
        (UPLOAD_DISABLED, _("Désactivé")),
        (UPLOAD_PENDING, _("À envoyer")),
        (UPLOAD_RUNNING, _("En cours")),
        (UPLOAD_SUCCESS, _("Déposée")),
        (UPLOAD_FAILURE, _("Échec")),
    ]

    # Columns that may change after issue: the rendered file (once) and the marketplace upload follow-up.
    MUTABLE_FIELDS = frozenset(
        {"pdf", "pdf_sha256", "rendered_at", "upload_status", "upload_import_id", "upload_message", "upload_at"}
    )

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="invoices")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    number = models.CharField(max_length=35)
    sequence = models.PositiveBigIntegerField()
    series_key = models.CharField(max_length=80)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="invoices")
    refund = models.OneToOneField(
        RefundRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_note"
    )
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    issue_date = models.DateField()
    delivery_date = models.DateField(null=True, blank=True)
    # When the buyer paid (the marketplace collected the payment): the due date of a paid B2B invoice.
    payment_date = models.DateField(null=True, blank=True)
    order_reference = models.CharField(max_length=64)
    # The marketplace the order was sold on, as named on the document at issue ("Fnac", "Cdiscount").
    # Nullable with a database default: the column is added in place (SQLite would rebuild the table and its
    # triggers), and documents issued before it get the name they were printed with.
    marketplace_name = models.CharField(max_length=100, null=True, blank=True, db_default="Cdiscount")
    currency = models.CharField(max_length=3, default="EUR")
    language = models.CharField(max_length=10, default=FRENCH)
    vat_case = models.CharField(max_length=40)
    seller_snapshot = JSONField()
    buyer_snapshot = JSONField()
    delivery_snapshot = JSONField(null=True, blank=True)
    vat_breakdown = JSONField()
    notes = JSONField(default=list)
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.CharField(max_length=254, blank=True)
    # Number, order reference, buyer and lines folded (core.folding), for substring search; filled on write.
    # Nullable without a default: the column is added in place (SQLite would rebuild the table and its triggers).
    search_text = models.TextField(null=True, blank=True)
    total_net = models.DecimalField(**MONEY)
    total_vat = models.DecimalField(**MONEY)
    total_gross = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)
    pdf = models.FileField(upload_to="invoices/", max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    upload_status = models.CharField(max_length=20, choices=UPLOAD_CHOICES, default=UPLOAD_DISABLED)
    upload_import_id = models.CharField(max_length=100, blank=True)
    upload_message = models.TextField(blank=True)
    upload_at = models.DateTimeField(null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "number"], name="unique_number_per_seller"),
            models.UniqueConstraint(fields=["series_key", "sequence"], name="unique_sequence_per_series"),
            # One invoice per marketplace order, whatever the code path: enforced by the database.
            models.UniqueConstraint(fields=["order"], condition=models.Q(kind="invoice"), name="one_invoice_per_order"),
        ]
        indexes = [
            models.Index(fields=["seller", "-issued_at", "-id"], name="invoice_seller_recent"),
            models.Index(fields=["seller", "order_reference"], name="invoice_seller_order_ref"),
            models.Index(fields=["seller", "kind", "-issued_at"], name="invoice_seller_kind"),
            models.Index(fields=["rendered_at"], name="invoice_rendered"),
            models.Index(fields=["seller", "total_gross"], name="invoice_seller_amount"),
            models.Index(fields=["seller", "issue_date"], name="invoice_seller_issue_date"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.KIND_CREDIT_NOTE

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - self.MUTABLE_FIELDS:
                raise ImmutableDocumentError("Une facture émise ne peut pas être modifiée ; émettez un avoir.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Une facture émise ne peut pas être supprimée ; émettez un avoir.")


class InvoiceLineQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableDocumentError("Les lignes d'une facture émise ne peuvent pas être supprimées.")

    def update(self, **kwargs):
        raise ImmutableDocumentError("Les lignes d'une facture émise ne peuvent pas être modifiées.")


class InvoiceLine(models.Model):
    KIND_GOODS = "goods"
    KIND_SHIPPING = "shipping"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, default=KIND_GOODS)
    description = models.CharField(max_length=500)
    sku = models.CharField(max_length=100, blank=True)
    ean = models.CharField(max_length=20, blank=True)
    marketplace_line_id = models.CharField(max_length=64, blank=True)
    # On a credit note: the position of the invoice line it gives money back on.
    credited_position = models.PositiveIntegerField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_net_price = models.DecimalField(max_digits=16, decimal_places=4)
    net_amount = models.DecimalField(**MONEY)
    gross_amount = models.DecimalField(**MONEY)
    vat_category = models.CharField(max_length=3)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    # Goods lines of invoices: where the rate came from (tax.regimes.SOURCE_*). Nullable so that adding it
    # is a plain ALTER TABLE (a SQLite table rebuild would drop the immutability triggers).
    rate_source = models.CharField(max_length=20, null=True, blank=True)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position")]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableDocumentError("Les lignes d'une facture émise ne peuvent pas être modifiées.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocumentError("Les lignes d'une facture émise ne peuvent pas être supprimées.")
