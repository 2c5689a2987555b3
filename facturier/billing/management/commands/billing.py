"""`facturier billing run --month YYYY-MM [--dry-run]`: issue (or preview) a month's fee invoices."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from facturier.billing.fee_invoices import ALREADY_BILLED, FAILED, BillingReport, SellerBilling, run_monthly_billing
from facturier.billing.usage import parse_month
from facturier.core.errors import FacturierError

OUTCOME_TEXT = {ALREADY_BILLED: "déjà facturé", FAILED: "ERREUR"}


def month_argument(text: str):
    try:
        return parse_month(text)
    except FacturierError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def format_line(line: SellerBilling) -> str:
    head = f"#{line.seller_id} {line.seller_name}"
    if line.outcome == FAILED:
        return f"{head} : ERREUR {line.error}"
    text = f"{head} : {line.invoice_count} factures, palier {line.tier_label}, {line.amount_excl_vat} € HT"
    if line.number:
        text += f" ({OUTCOME_TEXT.get(line.outcome, 'émise')} {line.number})"
    return text


def format_summary(report: BillingReport) -> str:
    if report.dry_run:
        return f"Simulation {report.month:%Y-%m} : {len(report.lines)} vendeur(s), aucune facture émise."
    summary = (
        f"Facturation {report.month:%Y-%m} : {report.issued} facture(s) émise(s), "
        f"{report.count(ALREADY_BILLED)} déjà facturée(s), {len(report.errors)} erreur(s)."
    )
    if report.unrendered:
        summary += f" {report.unrendered} document(s) pas encore rendu(s) : le balayage de rendu s'en charge."
    return summary


class Command(BaseCommand):
    help = "Facturier's own monthly fee billing"

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        run = subcommands.add_parser("run", help="issue the fee invoices of a finished month")
        run.add_argument("--month", required=True, type=month_argument, help="month to bill, YYYY-MM")
        run.add_argument("--dry-run", action="store_true", help="print the fees, issue nothing")

    def handle(self, *args, action: str, month, dry_run: bool, **options):
        try:
            report = run_monthly_billing(month, dry_run=dry_run)
        except FacturierError as error:
            raise CommandError(error.message) from None
        for line in report.lines:
            self.stdout.write(format_line(line))
        self.stdout.write(format_summary(report))
        if report.errors:
            raise CommandError(f"{len(report.errors)} vendeur(s) non facturé(s) : relancez après correction.")
