"""Every legal reference and legally prescribed wording printed on a document: the one table to edit.

French VAT law moved from the CGI to the Code des impositions sur les biens et services (CIBS, Livre II) on
1 September 2026 (ordonnance n° 2025-1247, same rules, new numbers). Invoices may keep quoting the CGI articles
below until 31 December 2027 (invoicing-rules.md, "The VAT code has been renumbered"); before 1 January 2028,
replace each CGI citation here by its CIBS equivalent (column `cibs` of CGI_TO_CIBS, to be filled from the
official concordance table when it is checked) and nothing else changes: every module that prints one of
these texts reads it from here. EU Directive and Code de commerce references do not move.

The printed texts are frozen into each issued document (notes, VAT breakdown reasons), so a change here only
affects documents issued afterwards; issued ones keep the wording they were issued with.
"""

from __future__ import annotations

# The CGI articles quoted below, and where their CIBS equivalents go (empty: not yet checked).
CGI_TO_CIBS: dict[str, str] = {
    "293 B": "",  # franchise en base
    "283-1": "",  # reverse charge, supplier not established in France
    "289 I-2": "",  # invoices issued by a third party under a billing mandate
}

LEGAL_TEXTS: dict[str, str] = {
    # CGI 293 B: franchise en base (category E, VATEX-FR-FRANCHISE).
    "franchise": "TVA non applicable, art. 293 B du CGI",
    # Directive art. 226 (11) lets an invoice cite the Directive itself, and art. 219a puts intra-EU supplies
    # under the departure state's invoicing rules; CGI 262 ter I only covers goods leaving France, which never
    # happens in this intra-EU case (goods arrive in France). [I]
    "intra_eu": "Exonération de TVA, art. 138 de la directive 2006/112/CE (livraison intracommunautaire)",
    # CGI 242 nonies A 13°: the word itself must be printed (VAT breakdown reason of category AE).
    "reverse_charge": "Autoliquidation",
    # CGI 283-1, 2nd paragraph: a supplier not established in France, the buyer identified in France.
    "reverse_charge_mention": "Autoliquidation : TVA due par le preneur, art. 283-1 du CGI",
    # Our own B2B service fees to EU businesses (Directive art. 44 and 196).
    "fee_reverse_charge": "Autoliquidation - reverse charge, art. 196 Directive 2006/112/CE",
    # CGI 289 I-2 (and ann. II art. 242 nonies): the invoice is issued by a third party under a mandate.
    "billing_mandate": (
        "Facture émise par Facturier au nom et pour le compte de {seller} en vertu d'un mandat de facturation "
        "(CGI art. 289 I-2)."
    ),
    # Code de commerce L441-9 / L441-10 / D441-5: payment mentions of every B2B invoice.
    "late_penalty": "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
    "recovery_indemnity": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
    "no_discount": "Pas d'escompte pour paiement anticipé.",
    # Decree 2022-1299: the option for paying VAT on debits (services; CGI 269-2-c), when the seller opted.
    "vat_on_debits": "Option pour le paiement de la taxe d'après les débits",
}

FRANCHISE_TEXT = LEGAL_TEXTS["franchise"]
INTRA_EU_TEXT = LEGAL_TEXTS["intra_eu"]
REVERSE_CHARGE_TEXT = LEGAL_TEXTS["reverse_charge"]
REVERSE_CHARGE_MENTION = LEGAL_TEXTS["reverse_charge_mention"]
FEE_REVERSE_CHARGE_TEXT = LEGAL_TEXTS["fee_reverse_charge"]
MANDATE_MENTION = LEGAL_TEXTS["billing_mandate"]
LATE_PENALTY_TEXT = LEGAL_TEXTS["late_penalty"]
RECOVERY_INDEMNITY_TEXT = LEGAL_TEXTS["recovery_indemnity"]
NO_DISCOUNT_TEXT = LEGAL_TEXTS["no_discount"]
PAYMENT_NOTES = (LATE_PENALTY_TEXT, RECOVERY_INDEMNITY_TEXT, NO_DISCOUNT_TEXT)
VAT_ON_DEBITS_MENTION = LEGAL_TEXTS["vat_on_debits"]
