"""Ready-made document snapshots for tests (reusable by other apps).

Amounts follow invoicing-rules §3.5: per VAT rate, base = round(gross paid / (1 + rate)), VAT = gross - base,
the base spread over the lines by largest remainder. Every total below was checked by hand and passes the
EN 16931 schematron.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from facturier.documents.snapshot import (
    CREDIT_NOTE,
    GOODS,
    INVOICE,
    SERVICES,
    CtcFr,
    DocumentLine,
    DocumentSnapshot,
    Party,
    VatBreakdown,
)

FRANCHISE_TEXT = "TVA non applicable, art. 293 B du CGI"
REVERSE_CHARGE_TEXT = "Autoliquidation - reverse charge, art. 196 Directive 2006/112/CE"
L441_NOTES = (
    "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
    "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
    "Pas d'escompte pour paiement anticipé.",
)

FACTURIER = Party(
    name="Facturier SAS",
    address_lines=("10 rue de la Paix",),
    postal_code="75002",
    city="Paris",
    country_code="FR",
    vat_number="FR65912345675",
    siren="912345675",
    siret="91234567500017",
    legal_form="SAS",
    share_capital="50 000 €",
    rcs_city="Paris",
    email="facturation@facturier.example",
    electronic_address="912345675",
    electronic_address_scheme="0225",
)

GERMAN_SELLER = Party(
    name="Müller Elektronik GmbH",
    address_lines=("Hauptstraße 5",),
    postal_code="80331",
    city="München",
    country_code="DE",
    vat_number="DE136695976",
    legal_form="GmbH",
    trade_register="HRB 12345 Amtsgericht München",
    email="rechnung@mueller-elektronik.example",
)

FRENCH_SELLER = Party(
    name="Maison Lumière SAS",
    address_lines=("8 quai Saint-Antoine",),
    postal_code="69002",
    city="Lyon",
    country_code="FR",
    vat_number="FR14850123456",
    siren="850123456",
    legal_form="SAS",
    share_capital="10 000 €",
    rcs_city="Lyon",
    electronic_address="850123456",
    electronic_address_scheme="0225",
)

CONSUMER = Party(
    name="Zoë Ødegård",
    address_lines=("12 rue des Lilas", "Bât. B"),
    postal_code="75011",
    city="Paris",
    country_code="FR",
)

RELAY_POINT = Party(
    name="Point Relais - Tabac Le Central",
    address_lines=("40 boulevard Voltaire",),
    postal_code="75011",
    city="Paris",
    country_code="FR",
)


def _mandate_note(seller: Party) -> str:
    return (
        f"Facture émise au nom et pour le compte de {seller.name} par Facturier (mandat de facturation)"
    )


def _line(position: int, description: str, quantity: str, unit: str, net: str, rate: str, **extra: str):
    category = extra.pop("category", "S")
    return DocumentLine(position, description, D(quantity), D(unit), D(net), category, D(rate), **extra)


def b2c_multi_rate_invoice() -> DocumentSnapshot:
    """German OSS seller, French consumer, 20 % + 5.5 %, shipping split pro rata, relay-point delivery."""
    lines = (
        _line(1, "Casque audio Bluetooth", "1", "45.82", "45.82", "20.00", sku="CASQ-BT-01",
              ean="4006381333931"),
        _line(2, "Livre « Cuisine facile »", "2", "10.43", "20.86", "5.50", sku="LIV-CUI-02",
              ean="3012345678902"),
        _line(3, "Frais de livraison (part TVA 20 %)", "1", "4.17", "4.17", "20.00"),
        _line(4, "Frais de livraison (part TVA 5,5 %)", "1", "1.89", "1.89", "5.50"),
    )
    return DocumentSnapshot(
        type_code=INVOICE,
        number="CDX-42-2026-000001",
        issue_date=date(2026, 11, 21),
        seller=GERMAN_SELLER,
        buyer=CONSUMER,
        lines=lines,
        vat_breakdown=(
            VatBreakdown("S", D("20.00"), D("49.99"), D("10.00")),
            VatBreakdown("S", D("5.50"), D("22.75"), D("1.25")),
        ),
        total_net=D("72.74"),
        total_vat=D("11.25"),
        total_gross=D("83.99"),
        amount_paid=D("83.99"),
        delivery_address=RELAY_POINT,
        delivery_date=date(2026, 11, 20),
        order_reference="2611181532ZKQW7",
        notes=(_mandate_note(GERMAN_SELLER),),
        payment_terms="Payée sur Cdiscount le 18/11/2026",
        payment_date=date(2026, 11, 18),
    )


def b2b_company_invoice() -> DocumentSnapshot:
    """French seller, a company buyer with its VAT number and a contact person (Latin Extended-A name)."""
    buyer = Party(
        name="Atelier Dupont SARL",
        address_lines=("5 avenue Jean Jaurès",),
        postal_code="31000",
        city="Toulouse",
        country_code="FR",
        vat_number="FR75807654322",
        siren="807654322",
        contact_name="Łukasz Wiśniewski",
        electronic_address="807654322",
        electronic_address_scheme="0225",
    )
    return DocumentSnapshot(
        type_code=INVOICE,
        number="CDX-7-2026-000123",
        issue_date=date(2026, 11, 24),
        seller=FRENCH_SELLER,
        buyer=buyer,
        lines=(
            _line(1, "Suspension en laiton", "2", "34.99", "69.98", "20.00", sku="SUSP-LAI"),
            _line(2, "Applique murale", "1", "29.17", "29.17", "20.00", sku="APP-MUR",
                  ean="3700123456780"),
        ),
        vat_breakdown=(VatBreakdown("S", D("20.00"), D("99.15"), D("19.83")),),
        total_net=D("99.15"),
        total_vat=D("19.83"),
        total_gross=D("118.98"),
        amount_paid=D("118.98"),
        delivery_date=date(2026, 11, 23),
        order_reference="2611221010ABCDE",
        notes=(_mandate_note(FRENCH_SELLER),),
        due_date=date(2026, 11, 22),
        payment_terms="Payée sur Cdiscount le 22/11/2026",
        payment_date=date(2026, 11, 22),
        ctc_fr=CtcFr(*L441_NOTES, transaction_scope="B2B"),
        operation_category=GOODS,
    )


def credit_note() -> DocumentSnapshot:
    """Refund of the two books of b2c_multi_rate_invoice (returned within the withdrawal period)."""
    invoice = b2c_multi_rate_invoice()
    return replace(
        invoice,
        type_code=CREDIT_NOTE,
        number="CDX-42-AV-2026-000001",
        issue_date=date(2026, 12, 2),
        lines=(_line(1, "Livre « Cuisine facile » (retour)", "2", "10.43", "20.86", "5.50",
                     sku="LIV-CUI-02", ean="3012345678902"),),
        vat_breakdown=(VatBreakdown("S", D("5.50"), D("20.86"), D("1.14")),),
        total_net=D("20.86"),
        total_vat=D("1.14"),
        total_gross=D("22.00"),
        amount_paid=D("22.00"),
        delivery_address=None,
        payment_terms="Remboursée sur Cdiscount le 01/12/2026",
        payment_date=date(2026, 12, 1),
        preceding_invoice_number=invoice.number,
        preceding_invoice_date=invoice.issue_date,
    )


def franchise_invoice() -> DocumentSnapshot:
    """A French micro-entrepreneur under the franchise en base: category E, VATEX-FR-FRANCHISE."""
    seller = Party(
        name="Zoé Créations",
        address_lines=("3 chemin des Vignes",),
        postal_code="84000",
        city="Avignon",
        country_code="FR",
        vat_number="FR09799888771",
        siren="799888771",
        legal_form="Entrepreneur individuel",
    )
    return DocumentSnapshot(
        type_code=INVOICE,
        number="CDX-9-2026-000042",
        issue_date=date(2026, 11, 25),
        seller=seller,
        buyer=CONSUMER,
        lines=(
            _line(1, "Bougie parfumée", "2", "15.00", "30.00", "0", category="E"),
            _line(2, "Frais de livraison", "1", "4.90", "4.90", "0", category="E"),
        ),
        vat_breakdown=(VatBreakdown("E", D("0"), D("34.90"), D("0.00"), FRANCHISE_TEXT,
                                    "VATEX-FR-FRANCHISE"),),
        total_net=D("34.90"),
        total_vat=D("0.00"),
        total_gross=D("34.90"),
        amount_paid=D("34.90"),
        delivery_date=date(2026, 11, 24),
        order_reference="2611231200FRAN1",
        notes=(FRANCHISE_TEXT, _mandate_note(seller)),
        payment_terms="Payée sur Cdiscount le 23/11/2026",
        payment_date=date(2026, 11, 23),
    )


def _fee_lines(rate: str, category: str) -> tuple[DocumentLine, ...]:
    return (
        _line(1, "Abonnement Facturier - novembre 2026", "1", "29.00", "29.00", rate, category=category),
        _line(2, "Factures émises (312 × 0,10 €)", "312", "0.10", "31.20", rate, category=category),
    )


def reverse_charge_fee_invoice() -> DocumentSnapshot:
    """Facturier's monthly fee to a seller established in Germany: AE, both VAT numbers, bilingual."""
    return DocumentSnapshot(
        type_code=INVOICE,
        number="FAC-2026-000311",
        issue_date=date(2026, 12, 1),
        seller=FACTURIER,
        buyer=GERMAN_SELLER,
        lines=_fee_lines("0", "AE"),
        vat_breakdown=(VatBreakdown("AE", D("0"), D("60.20"), D("0.00"), REVERSE_CHARGE_TEXT,
                                    "VATEX-EU-AE"),),
        total_net=D("60.20"),
        total_vat=D("0.00"),
        total_gross=D("60.20"),
        amount_paid=D("0.00"),
        notes=(REVERSE_CHARGE_TEXT, *L441_NOTES),
        due_date=date(2026, 12, 31),
        payment_terms="Prélèvement SEPA à 30 jours",
        billing_period=(date(2026, 11, 1), date(2026, 11, 30)),
        languages=("fr", "en"),
        operation_category=SERVICES,
    )


def domestic_fee_invoice() -> DocumentSnapshot:
    """Facturier's monthly fee to a French seller: 20 % VAT and the French CTC data (BR-FR)."""
    return DocumentSnapshot(
        type_code=INVOICE,
        number="FAC-2026-000312",
        issue_date=date(2026, 12, 1),
        seller=FACTURIER,
        buyer=FRENCH_SELLER,
        lines=_fee_lines("20.00", "S"),
        vat_breakdown=(VatBreakdown("S", D("20.00"), D("60.20"), D("12.04")),),
        total_net=D("60.20"),
        total_vat=D("12.04"),
        total_gross=D("72.24"),
        amount_paid=D("0.00"),
        notes=("Prestations de services",),
        due_date=date(2026, 12, 31),
        payment_terms="Prélèvement SEPA à 30 jours",
        billing_period=(date(2026, 11, 1), date(2026, 11, 30)),
        ctc_fr=CtcFr(*L441_NOTES, transaction_scope="B2B"),
        operation_category=SERVICES,
    )


def long_order_invoice(line_count: int = 60) -> DocumentSnapshot:
    """line_count lines of 1 × 12.00 € incl. 20 % VAT (net 10.00 each): spans several PDF pages."""
    lines = tuple(
        _line(n, f"Article de test n° {n} – coloris « bleu nuit »", "1", "10.00", "10.00", "20.00",
              sku=f"SKU-{n:03d}")
        for n in range(1, line_count + 1)
    )
    net = D(10 * line_count).quantize(D("0.01"))
    vat = D(2 * line_count).quantize(D("0.01"))
    return replace(
        b2c_multi_rate_invoice(),
        number="CDX-42-2026-000777",
        lines=lines,
        vat_breakdown=(VatBreakdown("S", D("20.00"), net, vat),),
        total_net=net,
        total_vat=vat,
        total_gross=net + vat,
        amount_paid=net + vat,
    )


ALL_SAMPLES = {
    "b2c_multi_rate": b2c_multi_rate_invoice,
    "b2b_company": b2b_company_invoice,
    "credit_note": credit_note,
    "franchise": franchise_invoice,
    "reverse_charge_fee": reverse_charge_fee_invoice,
    "domestic_fee": domestic_fee_invoice,
}
