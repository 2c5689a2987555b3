"""The seller's chart of accounts for its sales journal (the FEC export, issue #18 item 7).

Kept one-to-one beside Seller, like the reform settings: a seller who never opened the page exports with the
defaults of the French chart of accounts (PCG). Account numbers are digits only, of the class their role requires
(41 customers, 70 revenue, 4457 VAT collected), so an accountant's import never meets a letter or a wrong class.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The VAT account of a rate gets the rate in tenths of a percent on three digits: 20 % -> 200, 5.5 % -> 055.
RATE_SUFFIX_DIGITS = 3

customer_account_format = RegexValidator(
    r"^41\d{1,8}$", _("Un compte client commence par 41 et compte de 3 à 10 chiffres, sans lettre ni espace.")
)
revenue_account_format = RegexValidator(
    r"^70\d{1,8}$", _("Un compte de ventes commence par 70 et compte de 3 à 10 chiffres, sans lettre ni espace.")
)
vat_account_format = RegexValidator(
    r"^4457\d{1,3}$",
    _("Le compte de TVA collectée commence par 4457 et compte de 5 à 7 chiffres (le suffixe du taux s'y ajoute)."),
)
journal_code_format = RegexValidator(
    r"^[A-Z0-9]{1,8}$", _("Le code journal compte de 1 à 8 lettres majuscules ou chiffres, sans espace.")
)


@dataclass(frozen=True)
class SalesAccounts:
    """The accounts and journal the sales journal is written with (what the FEC builder needs, nothing more)."""

    journal_code: str = "VT"
    journal_label: str = "Journal des ventes"
    customer_account: str = "411"
    auxiliary_per_marketplace: bool = True
    goods_account: str = "707"
    shipping_account: str = "7085"
    vat_account: str = "44571"
    vat_suffix_per_rate: bool = True

    def vat_account_for(self, rate: Decimal) -> str:
        if not self.vat_suffix_per_rate:
            return self.vat_account
        tenths = int((rate * 10).to_integral_value())
        return f"{self.vat_account}{tenths:0{RATE_SUFFIX_DIGITS}d}"


DEFAULTS = SalesAccounts()


class AccountingSettings(models.Model):
    AUXILIARY_PER_MARKETPLACE = "marketplace"
    AUXILIARY_NONE = "none"
    AUXILIARY_CHOICES = [
        (AUXILIARY_PER_MARKETPLACE, _("Un compte auxiliaire par marketplace (lettrage avec ses virements)")),
        (AUXILIARY_NONE, _("Aucun : le seul compte collectif clients")),
    ]

    seller = models.OneToOneField("accounts.Seller", on_delete=models.CASCADE, related_name="accounting")
    journal_code = models.CharField(max_length=8, default=DEFAULTS.journal_code, validators=[journal_code_format])
    journal_label = models.CharField(max_length=100, default=DEFAULTS.journal_label)
    customer_account = models.CharField(
        max_length=10, default=DEFAULTS.customer_account, validators=[customer_account_format]
    )
    customer_auxiliary = models.CharField(max_length=20, choices=AUXILIARY_CHOICES, default=AUXILIARY_PER_MARKETPLACE)
    goods_account = models.CharField(max_length=10, default=DEFAULTS.goods_account, validators=[revenue_account_format])
    shipping_account = models.CharField(
        max_length=10, default=DEFAULTS.shipping_account, validators=[revenue_account_format]
    )
    vat_account = models.CharField(max_length=7, default=DEFAULTS.vat_account, validators=[vat_account_format])
    vat_suffix_per_rate = models.BooleanField(default=DEFAULTS.vat_suffix_per_rate)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Comptabilité {self.seller}"

    def accounts(self) -> SalesAccounts:
        return SalesAccounts(
            journal_code=self.journal_code,
            journal_label=self.journal_label,
            customer_account=self.customer_account,
            auxiliary_per_marketplace=self.customer_auxiliary == self.AUXILIARY_PER_MARKETPLACE,
            goods_account=self.goods_account,
            shipping_account=self.shipping_account,
            vat_account=self.vat_account,
            vat_suffix_per_rate=self.vat_suffix_per_rate,
        )


def accounting_settings(seller) -> AccountingSettings:
    """The seller's settings, or unsaved defaults for a seller who never changed them."""
    return AccountingSettings.objects.filter(seller=seller).first() or AccountingSettings(seller=seller)


def sales_accounts(seller) -> SalesAccounts:
    return accounting_settings(seller).accounts()
