"""Users, sellers (the tenants) with their legal identity and VAT set-up, the billing mandate, marketplace access."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.core.crypto import EncryptedJSONField, EncryptedTextField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, email_verified=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    email_verified = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    preferred_language = models.CharField(max_length=5, default="fr")
    # The terms of service accepted at sign-up (their version, and when): the account holder, not the seller,
    # accepts them, before any company exists.
    terms_version = models.CharField(max_length=20, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.email


class Seller(models.Model):
    """A marketplace seller: the tenant every invoice, order and file belongs to."""

    STATUS_ACTIVE = "active"
    STATUS_UNSUBSCRIBED = "unsubscribed"
    STATUS_PURGING = "purging"
    STATUS_PURGED = "purged"
    STATUS_CHOICES = [
        (STATUS_ACTIVE, _("Actif")),
        (STATUS_UNSUBSCRIBED, _("Désinscrit (fenêtre de téléchargement)")),
        (STATUS_PURGING, _("Purge en cours")),
        (STATUS_PURGED, _("Purgé")),
    ]

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller")
    # Legal identity (printed on every invoice issued in the seller's name).
    legal_name = models.CharField(max_length=200)
    legal_form = models.CharField(max_length=50, blank=True)
    share_capital = models.CharField(max_length=50, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    siren = models.CharField(max_length=9, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    rcs_city = models.CharField(max_length=100, blank=True)
    trade_register = models.CharField(max_length=200, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    support_email = models.EmailField(blank=True)
    logo = models.FileField(upload_to="logos/", blank=True)
    # VAT set-up (invoicing-rules §3.3).
    oss_registered = models.BooleanField(default=False)
    fr_vat_number = models.CharField(max_length=20, blank=True)
    above_distance_threshold = models.BooleanField(default=False)
    franchise_en_base = models.BooleanField(default=False)
    default_vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20.00"))
    # "Option pour le paiement de la taxe d'après les débits" (services; CGI 269-2-c), printed when opted.
    vat_on_debits = models.BooleanField(default=False, db_default=False)
    # Decree 2022-1299 mentions (category of operation, buyer SIREN, delivery address, débits option) are
    # due from the seller's e-invoicing date and allowed before it: empty = printed on every document.
    reform_mentions_from = models.DateField(null=True, blank=True)
    # Invoicing preferences.
    invoice_prefix = models.CharField(max_length=20, default="FAC-")
    credit_note_prefix = models.CharField(max_length=20, default="AV-")
    english_translation = models.BooleanField(default=False)
    upload_to_marketplace = models.BooleanField(default=True)
    # Sales channels invoiced besides Cdiscount (their marketplace ids, as an order's reason names them); None = none.
    # Nullable without default: SQLite adds the column without rebuilding the table (whose triggers name it).
    extra_sales_channels = models.JSONField(null=True, blank=True)
    # Subscription lifecycle.
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=STATUS_ACTIVE)
    registered_at = models.DateTimeField(default=timezone.now)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    download_until = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_active(self) -> bool:
        return self.status == self.STATUS_ACTIVE

    @property
    def is_read_only(self) -> bool:
        return self.status != self.STATUS_ACTIVE

    def reform_mentions_on(self, day) -> bool:
        return self.reform_mentions_from is None or day >= self.reform_mentions_from

    @property
    def backfill_start(self):
        return self.registered_at - timedelta(days=settings.FACTURIER_BACKFILL_DAYS)


class BillingMandate(models.Model):
    """The written billing mandate (CGI 289 I-2) the seller accepted before any invoice is issued for it."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="mandates")
    version = models.CharField(max_length=20)
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-accepted_at"]


class MarketplaceConnection(models.Model):
    """One marketplace account of a seller: the backend kind (see marketplace.connectors), the account id and the
    backend's credential fields (both encrypted at rest), the health of the connection and its own cursors.
    A seller may hold several; an account belongs to one active seller at most."""

    STATUS_UNTESTED = "untested"
    STATUS_OK = "ok"
    STATUS_REJECTED = "credentials_rejected"
    STATUS_UNAVAILABLE = "unavailable"
    STATUS_CHOICES = [
        (STATUS_UNTESTED, _("Non testée")),
        (STATUS_OK, _("Connectée")),
        (STATUS_REJECTED, _("Identifiants refusés")),
        (STATUS_UNAVAILABLE, _("API indisponible")),
    ]

    MARKETPLACE_OCTOPIA = "octopia"
    # A credential of this name scopes the account id (a backend reaching several marketplace instances, whose
    # shop ids repeat from one instance to the next): it takes part in the account's uniqueness.
    INSTANCE_CREDENTIAL = "instance"

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="connections")
    marketplace = models.CharField(max_length=20, default=MARKETPLACE_OCTOPIA)  # a FACTURIER_MARKETPLACE_BACKENDS key
    account_id = EncryptedTextField()
    credentials = EncryptedJSONField(default=dict)
    # The marketplace account, comparable although its id is encrypted (see marketplace_account_key).
    account_key = models.CharField(max_length=64, editable=False)
    # False once the seller stops being active (unsubscribed): the account may then be linked elsewhere.
    holds_account = models.BooleanField(default=True)
    status = models.CharField(max_length=30, choices=STATUS_CHOICES, default=STATUS_UNTESTED)
    status_message = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    rejection_notified_at = models.DateTimeField(null=True, blank=True)
    orders_cursor = models.DateTimeField(null=True, blank=True)
    refunds_cursor = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One shop linked to two Facturier accounts would have its buyers invoiced twice, under two names.
            models.UniqueConstraint(fields=["marketplace", "account_key"], condition=models.Q(holds_account=True),
                                    name="one_active_seller_per_marketplace_account"),
            models.UniqueConstraint(fields=["seller", "marketplace", "account_key"],
                                    name="one_connection_per_seller_and_account"),
        ]

    def __str__(self) -> str:
        return f"Connexion {self.marketplace} {self.seller}"

    @property
    def is_active(self) -> bool:
        """Synced and uploaded to: every connection but one whose credentials the marketplace refused."""
        return self.status != self.STATUS_REJECTED

    def save(self, *args, **kwargs) -> None:
        self.account_key = marketplace_account_key(self.marketplace, self.account_id, self.account_scope)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "account_key"}
        super().save(*args, **kwargs)

    @property
    def account_scope(self) -> str:
        return str((self.credentials or {}).get(self.INSTANCE_CREDENTIAL, ""))


def marketplace_account_key(marketplace: str, account_id: str, scope: str = "") -> str:
    """A deterministic digest of the account id (the stored id is encrypted with a random IV, so not comparable).
    A plain hash: the id is the shop's public identifier, and a keyed hash would change with key rotation."""
    account = account_id.strip().lower()
    if scope:
        account = f"{scope.strip().rstrip('/').lower()}#{account}"
    return hashlib.sha256(f"{marketplace}:{account}".encode()).hexdigest()


class MarketplaceLinkRefusal(models.Model):
    """A refused attempt to link a marketplace account that another active seller holds (for the operator)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="link_refusals")
    holder = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    marketplace = models.CharField(max_length=20)
    account_key = models.CharField(max_length=64)
    attempted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-attempted_at"]


class SkuVatRate(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="sku_rates")
    key = models.CharField(max_length=100, help_text="SKU vendeur ou EAN")
    rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "key"], name="unique_sku_rate_per_seller")]


def new_api_token() -> str:
    return "fct_" + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A per-seller REST API token; only its SHA-256 is stored."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="API")
    token_sha256 = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


# The reform and accounting settings live in their own modules; importing them here registers them with the app.
from facturier.accounts.accounting import AccountingSettings  # noqa: E402, F401
from facturier.accounts.reform import PAConnection, ReformProfile  # noqa: E402, F401
