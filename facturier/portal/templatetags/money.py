"""`{{ amount|euros }}`: an amount in euros in the one money format of the page's language (core.money.format_eur)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from facturier.core.money import format_eur

register = template.Library()


@register.filter(name="euros")
def euros(amount: Decimal | None) -> str:
    if amount is None or amount == "":
        return ""
    return format_eur(Decimal(amount), language=(get_language() or "fr")[:2])
