"""`facturier ereporting build|send --seller EMAIL --from YYYY-MM-DD --to YYYY-MM-DD [--output FILE.xml]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.models import Seller
from facturier.ereporting.models import EReport
from facturier.ereporting.reports import ReportError, period_for_dates, prepare_report, send_now


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Date invalide « {text} » : format attendu AAAA-MM-JJ.") from error


class Command(BaseCommand):
    help = "Build (and check) or send the flux 10.3 e-reporting of one period of a seller."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["build", "send"])
        parser.add_argument("--seller", required=True, help="the seller owner's e-mail")
        parser.add_argument("--from", dest="start", required=True, type=_day)
        parser.add_argument("--to", dest="end", required=True, type=_day)
        parser.add_argument("--output", type=Path, help="build: where to write the XML")

    def handle(self, *args, action: str, seller: str, start: date, end: date, output: Path | None, **options):
        account = Seller.objects.filter(owner__email__iexact=seller).first()
        if account is None:
            raise CommandError(f"Aucun vendeur pour l'e-mail {seller}.")
        try:
            period = period_for_dates(account, start, end)
            if action == "send":
                return self._send(account, period)
            return self._build(account, period, output)
        except ReportError as error:
            raise CommandError(str(error)) from error

    def _build(self, seller: Seller, period, output: Path | None) -> None:
        if output is None:
            raise CommandError("--output FICHIER.xml est requis pour build.")
        report = prepare_report(seller, period)
        if report is None:
            self.stdout.write("Rien à déclarer sur cette période (pas de rapport à blanc) ; aucun fichier écrit.")
            return
        if report.status == EReport.STATUS_INVALID:
            raise CommandError("Rapport invalide, non écrit :\n" + "\n".join(report.errors))
        output.write_text(report.xml, encoding="utf-8")
        self.stdout.write(
            f"{report.report_id} ({report.type_code}) : base {report.taxable_total} €, TVA {report.tax_total} €, "
            f"conforme XSD et schematron Flux10 -> {output}"
        )

    def _send(self, seller: Seller, period) -> None:
        report = send_now(seller, period)
        line = f"{report.report_id} ({report.type_code}) : {report.get_status_display()}"
        if report.last_error and report.status == EReport.STATUS_PENDING:
            line += f" — {report.last_error} (nouvel essai automatique)"
        if report.ack_message:
            line += f" — {report.ack_message}"
        self.stdout.write(line)
