"""Printed wording and value formatting: French first (loi Toubon), English beside it when requested."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from facturier.core.money import format_eur

LABELS: dict[str, tuple[str, str]] = {
    "invoice": ("FACTURE", "INVOICE"),
    "credit_note": ("AVOIR", "CREDIT NOTE"),
    "number": ("N°", "No."),
    "issue_date": ("Date d'émission", "Issue date"),
    "page": ("Page", "Page"),
    "seller": ("Vendeur", "Seller"),
    "buyer": ("Client", "Customer"),
    "delivery_address": ("Adresse de livraison", "Delivery address"),
    "attention": ("À l'attention de", "Attention"),
    "vat_number": ("N° TVA", "VAT No."),
    "siren": ("SIREN", "SIREN"),
    "siret": ("SIRET", "SIRET"),
    "order_reference": ("Commande n°", "Order No."),
    "delivery_date": ("Date de livraison", "Delivery date"),
    "billing_period": ("Période de facturation", "Billing period"),
    "due_date": ("Date d'échéance", "Due date"),
    "payment_terms": ("Conditions de paiement", "Payment terms"),
    "description": ("Désignation", "Description"),
    "quantity": ("Qté", "Qty"),
    "unit_price": ("PU HT", "Unit price excl. VAT"),
    "vat_rate": ("TVA", "VAT"),
    "net_amount": ("Montant HT", "Net amount"),
    "vat_summary_rate": ("Taux TVA", "VAT rate"),
    "vat_base": ("Base HT", "Taxable amount"),
    "vat_amount": ("Montant TVA", "VAT amount"),
    "total_net": ("Total HT", "Total excl. VAT"),
    "total_vat": ("Total TVA", "Total VAT"),
    "total_gross": ("Total TTC", "Total incl. VAT"),
    "amount_paid": ("Montant payé", "Amount paid"),
    "amount_refunded": ("Montant remboursé", "Amount refunded"),
    "amount_due": ("Reste à payer", "Amount due"),
    "paid": ("Payée", "Paid"),
    "refunded": ("Remboursé", "Refunded"),
    "on": ("le", "on"),
    "credit_note_for": ("Avoir sur la facture n°", "Credit note for invoice No."),
    "of_date": ("du", "of"),
    "to": ("au", "to"),
    "notes": ("Mentions", "Notes"),
    "continued": ("Suite page suivante", "Continued on next page"),
}

COUNTRY_NAMES = {
    "FR": "France", "DE": "Allemagne", "BE": "Belgique", "ES": "Espagne", "IT": "Italie", "LU": "Luxembourg",
    "NL": "Pays-Bas", "PL": "Pologne", "PT": "Portugal", "AT": "Autriche", "IE": "Irlande", "DK": "Danemark",
    "SE": "Suède", "FI": "Finlande", "CZ": "Tchéquie", "GR": "Grèce", "RO": "Roumanie", "HU": "Hongrie",
    "CH": "Suisse", "GB": "Royaume-Uni", "MC": "Monaco",
}


def label(key: str, languages: tuple[str, ...]) -> str:
    french, english = LABELS[key]
    return f"{french} / {english}" if "en" in languages and english != french else french


def french_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def french_number(value: Decimal) -> str:
    """2 -> '2', 10.4250 -> '10,425' (no trailing zeros, decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def vat_rate_text(rate: Decimal) -> str:
    return f"{french_number(rate)} %"


def unit_price_text(price: Decimal) -> str:
    """At least cents, up to the 4 decimals of a net unit price derived from a VAT-inclusive price."""
    if price == price.quantize(Decimal("0.01")):
        return format_eur(price)
    return french_number(price.quantize(Decimal("0.0001"))) + "\u00a0€"


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code.upper(), code.upper())
