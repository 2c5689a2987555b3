"""Our copy of the marketplace orders a seller has, why each is (or is not) invoiced, and the sync runs."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.core.fields import JSONField
from facturier.core.money import MONEY


class SalesOrder(models.Model):
    ELIGIBLE = "eligible"
    NOT_SHIPPED = "not_shipped"
    OUTSIDE_FRANCE = "outside_france"
    BEFORE_BACKFILL = "before_backfill"
    CANCELLED = "cancelled"
    INVALID = "invalid"
    NOT_INVOICEABLE = "not_invoiceable"
    FOREIGN_CURRENCY = "foreign_currency"
    OTHER_CHANNEL = "other_channel"
    INVOICED_ELSEWHERE = "invoiced_elsewhere"
    ELIGIBILITY_CHOICES = [
        (ELIGIBLE, _("À facturer")),
        (NOT_SHIPPED, _("Pas encore expédiée")),
        (OUTSIDE_FRANCE, _("Livrée hors de France")),
        (BEFORE_BACKFILL, _("Passée avant la période de reprise")),
        (CANCELLED, _("Annulée avant expédition")),
        (INVALID, _("Données invalides")),
        (NOT_INVOICEABLE, _("Non facturable (configuration TVA)")),
        (FOREIGN_CURRENCY, _("Devise autre que l'euro")),
        (OTHER_CHANNEL, _("Vendue hors du site de la marketplace")),
        (INVOICED_ELSEWHERE, _("Déjà facturée sur la marketplace")),
    ]
    ORDER_ID_MAX_LENGTH = 64

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="orders")
    # The connection the order was read through (set by the sync): where its invoice is uploaded.
    connection = models.ForeignKey(
        MarketplaceConnection, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    # Which connector the order came from (marketplace.dto.MarketOrder.marketplace).
    marketplace = models.CharField(max_length=30, default="octopia", db_default="octopia")
    # A longer marketplace id is stored shortened (sync.storage_id); the full id is in full_order_id.
    order_id = models.CharField(max_length=ORDER_ID_MAX_LENGTH)
    full_order_id = models.TextField(blank=True, default="", db_default="")
    seller_reference = models.TextField(blank=True, default="", db_default="")
    # The marketplace's own word for the order's status (cut to the column), and where that is (dto.OrderState).
    status = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=20, blank=True, default="", db_default="")
    sales_channel = models.TextField(blank=True, default="", db_default="")
    sales_channel_name = models.TextField(blank=True, default="", db_default="")
    currency = models.TextField(blank=True, default="", db_default="")
    business_order = models.BooleanField(default=False, db_default=False)
    placed_at = models.DateTimeField(null=True, blank=True)
    # The date of supply (eligibility.date_of_supply): when the goods left, as best known.
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    total_paid = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    # The buyer as the marketplace names it; the SIREN derived from a French VAT number.
    buyer_name = models.TextField(blank=True, default="", db_default="")
    buyer_company = models.TextField(blank=True, default="", db_default="")
    buyer_vat_number = models.TextField(blank=True, default="", db_default="")
    buyer_siren = models.CharField(max_length=9, blank=True, default="", db_default="")
    # Every e-mail address the marketplace gives for the buyer, billing first; the first usable one gets the invoice.
    buyer_emails = JSONField(default=list, blank=True, db_default=[])
    billing_civility = models.TextField(blank=True, default="", db_default="")
    billing_first_name = models.TextField(blank=True, default="", db_default="")
    billing_last_name = models.TextField(blank=True, default="", db_default="")
    billing_company = models.TextField(blank=True, default="", db_default="")
    billing_vat_number = models.TextField(blank=True, default="", db_default="")
    billing_line1 = models.TextField(blank=True, default="", db_default="")
    billing_line2 = models.TextField(blank=True, default="", db_default="")
    billing_line3 = models.TextField(blank=True, default="", db_default="")
    billing_postal_code = models.TextField(blank=True, default="", db_default="")
    billing_city = models.TextField(blank=True, default="", db_default="")
    billing_country = models.TextField(blank=True, default="", db_default="")
    billing_phone = models.TextField(blank=True, default="", db_default="")
    billing_email = models.TextField(blank=True, default="", db_default="")
    # The delivery address (a relay point when delivery_relay_id is set); has_delivery_address False: none given.
    has_delivery_address = models.BooleanField(default=False, db_default=False)
    delivery_civility = models.TextField(blank=True, default="", db_default="")
    delivery_first_name = models.TextField(blank=True, default="", db_default="")
    delivery_last_name = models.TextField(blank=True, default="", db_default="")
    delivery_company = models.TextField(blank=True, default="", db_default="")
    delivery_vat_number = models.TextField(blank=True, default="", db_default="")
    delivery_line1 = models.TextField(blank=True, default="", db_default="")
    delivery_line2 = models.TextField(blank=True, default="", db_default="")
    delivery_line3 = models.TextField(blank=True, default="", db_default="")
    delivery_postal_code = models.TextField(blank=True, default="", db_default="")
    delivery_city = models.TextField(blank=True, default="", db_default="")
    delivery_country = models.TextField(blank=True, default="", db_default="")
    delivery_phone = models.TextField(blank=True, default="", db_default="")
    delivery_email = models.TextField(blank=True, default="", db_default="")
    delivery_relay_id = models.TextField(blank=True, default="", db_default="")
    delivery_relay_name = models.TextField(blank=True, default="", db_default="")
    first_seen_shipped_at = models.DateTimeField(null=True, blank=True)
    marketplace_updated_at = models.DateTimeField(null=True, blank=True)
    eligibility = models.CharField(max_length=20, choices=ELIGIBILITY_CHOICES)
    # References, buyer names, company, e-mails, SKUs and titles folded (core.folding); filled on write.
    search_text = models.TextField(blank=True, default="", db_default="")
    reason = models.TextField(blank=True)
    # The payload as the marketplace sent it, for audit only: nothing outside marketplace/ reads it.
    raw = JSONField(default=dict, encoder=DjangoJSONEncoder)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # What the sync noticed about the order beyond its verdict, oldest first: [{"at", "note", ...}].
    sync_notes = JSONField(default=list, encoder=DjangoJSONEncoder, blank=True)
    # When the sync last asked the marketplace for this invalid order again (found or not): the re-fetch goes
    # round the invalid orders, least recently tried first (sync.invalid_orders_again).
    refetched_at = models.DateTimeField(null=True, blank=True)
    # eligibility.content_digest of the order as last read. Issuing failed on the content of unworkable_digest:
    # the order stays invalid until the marketplace sends something else for it.
    content_digest = models.CharField(max_length=64, blank=True, default="", db_default="")
    unworkable_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "order_id"], name="unique_order_per_seller")]
        indexes = [models.Index(fields=["seller", "eligibility"])]

    def __str__(self) -> str:
        return self.order_id


class SalesOrderLine(models.Model):
    """A line of a SalesOrder as the marketplace gave it (marketplace.dto.OrderLine); replaced on each read until
    the order is invoiced."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()  # 1, 2, ... in the marketplace's order
    line_id = models.TextField(blank=True)
    sku = models.TextField(blank=True)
    ean = models.TextField(blank=True)
    title = models.TextField(blank=True)
    quantity = models.PositiveIntegerField()
    unit_price_gross = models.DecimalField(max_digits=20, decimal_places=6)  # VAT included
    shipping_gross = models.DecimalField(max_digits=20, decimal_places=6)  # the whole line's, VAT included
    active = models.BooleanField(default=True)
    status = models.TextField(blank=True)  # the marketplace's word for the line
    tax_rate = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    tax_amount = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    category = models.TextField(blank=True)
    fulfilled_by_marketplace = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="unique_sales_order_line_position")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_id}"


class RefundRecord(models.Model):
    """Money given back after shipment (gesture, cancellation, return): each becomes exactly one credit note."""

    PENDING = "pending"
    CREDITED = "credited"
    IGNORED = "ignored"
    STATE_CHOICES = [(PENDING, _("À traiter")), (CREDITED, _("Avoir émis")), (IGNORED, _("Sans objet"))]

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="refunds")
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="refunds", null=True)
    marketplace_order_id = models.CharField(max_length=64)
    refund_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=30)
    amount_gross = models.DecimalField(**MONEY)
    line_ids = JSONField(default=list)
    reason = models.TextField(blank=True)
    refunded_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=PENDING)
    state_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "refund_id"], name="unique_refund_per_seller")]


class SyncRun(models.Model):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # The process running the pass stopped (killed, crashed) before closing it: its lease expired.
    INTERRUPTED = "interrupted"
    STATUS_CHOICES = [
        (RUNNING, _("En cours")), (SUCCEEDED, _("Réussie")), (FAILED, _("Échouée")), (INTERRUPTED, _("Interrompue")),
    ]
    # What started the pass, in words (the stored value stays the code; unknown codes are shown as they are).
    TRIGGER_LABELS = {
        "schedule": _("Planifiée"), "manual": _("Manuelle"), "start": _("Au démarrage"), "cli": _("Ligne de commande"),
        "recovery": _("Reprise après interruption"), "api": _("API"), "bench": _("Mesure de performance"),
        "first": _("Première synchronisation"), "incremental": _("Passage rapide (toutes les 15 min)"),
    }  # fmt: skip

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=20, default="schedule")
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While running, the pass renews this as it stores pages and issues batches; past it, the pass is presumed
    # dead and the recovery sweeper marks the run interrupted and starts a new pass.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    orders_seen = models.PositiveIntegerField(default=0)
    orders_eligible = models.PositiveIntegerField(default=0)
    orders_malformed = models.PositiveIntegerField(default=0)
    refunds_seen = models.PositiveIntegerField(default=0)
    invoices_issued = models.PositiveIntegerField(default=0)
    credit_notes_issued = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["seller", "-started_at"]),
            # The recovery sweeper's query, every minute: only running rows are indexed.
            models.Index(fields=["lease_expires_at"], condition=models.Q(status="running"), name="sync_run_lease"),
        ]

    @property
    def trigger_label(self) -> str:
        return str(self.TRIGGER_LABELS.get(self.trigger, self.trigger))
