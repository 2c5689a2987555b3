"""Printed wording and value formatting: French first (loi Toubon), English beside it when requested."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from facturier.core import vat_categories
from facturier.core.money import format_eur
from facturier.documents.snapshot import GOODS, MIXED, SERVICES

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
    "delivery_date": ("Date de livraison", "Date of supply"),
    "operation_category": ("Catégorie de l'opération", "Type of supply"),
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
    # What a credit-note line gives back, in front of the credited line's description.
    "refund_cancellation": ("Annulation", "Cancellation"),
    "refund_return": ("Retour", "Return"),
    "refund_commercial_gesture": ("Geste commercial", "Commercial gesture"),
    "refund": ("Remboursement", "Refund"),
}

# A document's stored language (Invoice.language): French alone, or French with an English translation.
FRENCH = "fr"
FRENCH_AND_ENGLISH = "fr+en"

OPERATION_CATEGORIES: dict[str, tuple[str, str]] = {
    GOODS: ("Livraison de biens", "Supply of goods"),
    SERVICES: ("Prestation de services", "Supply of services"),
    MIXED: ("Livraison de biens et prestation de services", "Supply of goods and services"),
}

# The EN 16931 VAT category (BT-118) said in words; (category, exemption code) first, then the category alone.
EXEMPTION_WORDS: dict[tuple[str, str], str] = {
    (vat_categories.EXEMPT, "VATEX-FR-FRANCHISE"): "Non applicable",
    (vat_categories.EXEMPT, ""): "Exonération",
    (vat_categories.INTRA_COMMUNITY, ""): "Exonération",
    (vat_categories.EXPORT, ""): "Exonération",
    (vat_categories.REVERSE_CHARGE, ""): "Autoliquidation",
    (vat_categories.OUT_OF_SCOPE, ""): "Hors champ",
}

COUNTRY_NAMES = {
    "FR": "France", "DE": "Allemagne", "BE": "Belgique", "ES": "Espagne", "IT": "Italie", "LU": "Luxembourg",
    "NL": "Pays-Bas", "PL": "Pologne", "PT": "Portugal", "AT": "Autriche", "IE": "Irlande", "DK": "Danemark",
    "SE": "Suède", "FI": "Finlande", "CZ": "Tchéquie", "GR": "Grèce", "RO": "Roumanie", "HU": "Hongrie",
    "CH": "Suisse", "GB": "Royaume-Uni", "MC": "Monaco",
}


def document_languages(language: str) -> tuple[str, ...]:
    """A document's stored language ("fr" or "fr+en") as the languages its wording is printed in."""
    return ("fr", "en") if language == FRENCH_AND_ENGLISH else ("fr",)


def label(key: str, languages: tuple[str, ...]) -> str:
    french, english = LABELS[key]
    return f"{french} / {english}" if "en" in languages and english != french else french


def french_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def french_number(value: Decimal) -> str:
    """2 -> '2', 10.4250 -> '10,425' (no trailing zeros, decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def operation_category_text(category: str, languages: tuple[str, ...]) -> str:
    if category not in OPERATION_CATEGORIES:
        return ""
    french, english = OPERATION_CATEGORIES[category]
    return f"{french} / {english}" if "en" in languages else french


def exemption_word(category: str, exemption_code: str) -> str:
    """'' for a taxed category (S): its rate is printed instead."""
    return EXEMPTION_WORDS.get((category, exemption_code)) or EXEMPTION_WORDS.get((category, ""), "")


def vat_rate_text(rate: Decimal) -> str:
    return f"{french_number(rate)} %"


def unit_price_text(price: Decimal) -> str:
    """Printed to the cent, as an accountant expects (the XML's BT-146 may keep more decimals)."""
    return format_eur(price)


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code.upper(), code.upper())
