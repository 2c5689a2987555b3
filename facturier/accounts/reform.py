"""The seller's set-up for the French e-invoicing / e-reporting reform (reform-and-markets §A).

Kept one-to-one beside Seller so the reform settings evolve without touching the tenant row: where the seller
is established, its size (which fixes its reform date), its French VAT regime (which fixes the e-reporting
calendar), and its plateforme agréée (PA), whose credentials are encrypted at rest like the marketplace ones.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facturier.core.crypto import EncryptedTextField

# LF 2024 art. 91 as amended by LF 2025/2026: issuing + e-reporting dates by company size [OFF, §A1].
REFORM_DATES = {"large": date(2026, 9, 1), "sme": date(2027, 9, 1)}


class ReformProfile(models.Model):
    SIZE_LARGE = "large"
    SIZE_SME = "sme"
    SIZE_CHOICES = [
        (SIZE_LARGE, _("Grande entreprise ou ETI (1er septembre 2026)")),
        (SIZE_SME, _("PME ou micro-entreprise (1er septembre 2027)")),
    ]

    REGIME_MONTHLY = "normal_monthly"
    REGIME_QUARTERLY = "normal_quarterly"
    REGIME_SIMPLIFIED = "simplified"
    REGIME_FRANCHISE = "franchise"
    REGIME_CHOICES = [
        (REGIME_MONTHLY, _("Réel normal, déclaration mensuelle (e-reporting tous les 10 jours)")),
        (REGIME_QUARTERLY, _("Réel normal, déclaration trimestrielle (e-reporting mensuel)")),
        (REGIME_SIMPLIFIED, _("Régime simplifié (e-reporting mensuel)")),
        (REGIME_FRANCHISE, _("Franchise en base (e-reporting tous les deux mois)")),
    ]

    seller = models.OneToOneField("accounts.Seller", on_delete=models.CASCADE, related_name="reform")
    established_in_france = models.BooleanField()
    company_size = models.CharField(max_length=10, choices=SIZE_CHOICES, default=SIZE_SME)
    # The seller may start before its legal date (to test its PA or because its PA asks it to).
    early_start = models.DateField(null=True, blank=True)
    vat_regime = models.CharField(max_length=20, choices=REGIME_CHOICES, default=REGIME_MONTHLY)
    # Whether OSS-declared distance sales must be e-reported is not settled officially (§A1): off by default.
    report_oss_sales = models.BooleanField(default=False)
    # The PA transmits (flux 10 sender, scheme 0238): its 4-character code and name, also needed for a download.
    pa_code = models.CharField(max_length=4, blank=True)
    pa_name = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Réforme {self.seller}"

    @property
    def legal_start(self) -> date:
        return REFORM_DATES[self.company_size]

    @property
    def start(self) -> date:
        """The first day the seller's documents go through the reform (its legal date, or earlier if opted in)."""
        if self.early_start and self.early_start < self.legal_start:
            return self.early_start
        return self.legal_start


class PAConnection(models.Model):
    """The seller's plateforme agréée: AFNOR XP Z12-013 Flow Service and its OAuth2 client credentials."""

    STATUS_UNTESTED = "untested"
    STATUS_OK = "ok"
    STATUS_REJECTED = "credentials_rejected"
    STATUS_UNAVAILABLE = "unavailable"
    STATUS_CHOICES = [
        (STATUS_UNTESTED, _("Non testée")),
        (STATUS_OK, _("Connectée")),
        (STATUS_REJECTED, _("Identifiants refusés")),
        (STATUS_UNAVAILABLE, _("PA indisponible")),
    ]

    seller = models.OneToOneField("accounts.Seller", on_delete=models.CASCADE, related_name="pa_connection")
    flow_url = models.URLField(help_text="Base URL of the AFNOR Flow Service (…/v1 is appended)")
    token_url = models.URLField()
    client_id = EncryptedTextField()
    client_secret = EncryptedTextField()
    status = models.CharField(max_length=30, choices=STATUS_CHOICES, default=STATUS_UNTESTED)
    status_message = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"PA {self.seller}"
