from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from facturier.billing.models import BillingRun, FeeInvoice
from facturier.billing.tests.helpers import french_seller, german_seller, issue_invoices
from facturier.core.clock import PARIS, today_in_paris
from facturier.invoicing.models import InvoiceSeries
from facturier.outbox.models import OutgoingEmail

IN_OCTOBER = datetime(2026, 10, 20, 15, 0, tzinfo=PARIS)


def billing(*args: str) -> str:
    out = StringIO()
    call_command("billing", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_count_tier_and_fee_per_seller_and_issues_nothing(make_seller):
    alpha = french_seller(make_seller, legal_name="Alpha SAS")
    beta = german_seller(make_seller, legal_name="Beta GmbH")
    issue_invoices(alpha, 100, IN_OCTOBER)
    issue_invoices(beta, 301, IN_OCTOBER)

    output = billing("run", "--month", "2026-10", "--dry-run")

    assert output.splitlines() == [
        f"#{alpha.pk} Alpha SAS : 100 factures, palier 0-100, 9.99 € HT",
        f"#{beta.pk} Beta GmbH : 301 factures, palier 301+, 39.99 € HT",
        "Simulation 2026-10 : 2 vendeur(s), aucune facture émise.",
    ]
    assert (FeeInvoice.objects.count(), BillingRun.objects.count(), OutgoingEmail.objects.count()) == (0, 0, 0)
    assert not InvoiceSeries.objects.filter(key="facturier:fee").exists()


def test_run_issues_then_a_dry_run_shows_the_months_already_billed(make_seller):
    alpha = french_seller(make_seller, legal_name="Alpha SAS")
    issue_invoices(alpha, 201, IN_OCTOBER)

    issued = billing("run", "--month", "2026-10")
    preview = billing("run", "--month", "2026-10", "--dry-run")

    assert issued.splitlines() == [
        f"#{alpha.pk} Alpha SAS : 201 factures, palier 201-300, 29.99 € HT (émise FCT-000001)",
        "Facturation 2026-10 : 1 facture(s) émise(s), 0 déjà facturée(s), 0 erreur(s).",
    ]
    assert preview.splitlines() == [
        f"#{alpha.pk} Alpha SAS : 201 factures, palier 201-300, 29.99 € HT (déjà facturé FCT-000001)",
        "Simulation 2026-10 : 1 vendeur(s), aucune facture émise.",
    ]
    assert FeeInvoice.objects.get().month == date(2026, 10, 1)


@pytest.mark.parametrize("_case, month", [("month 13", "2026-13"), ("text", "octobre"), ("a day", "2026-10-01")])
def test_a_bad_month_is_a_clear_error(db, _case, month):
    with pytest.raises(CommandError, match=f"Mois « {month} » invalide : format attendu AAAA-MM"):
        billing("run", "--month", month)


def test_the_current_month_is_refused_but_can_be_previewed(make_seller):
    french_seller(make_seller)
    current = f"{today_in_paris():%Y-%m}"

    with pytest.raises(CommandError, match=f"Le mois {current} n'est pas terminé"):
        billing("run", "--month", current)
    assert billing("run", "--month", current, "--dry-run").splitlines()[-1] == (
        f"Simulation {current} : 1 vendeur(s), aucune facture émise."
    )
    assert FeeInvoice.objects.count() == 0


def test_the_subcommand_and_month_are_required(db):
    with pytest.raises(CommandError, match="the following arguments are required: action"):
        billing()
    with pytest.raises(CommandError, match="the following arguments are required: --month"):
        billing("run")


def test_the_summary_says_when_documents_are_left_to_the_rendering_sweeper(make_seller, monkeypatch):
    from facturier.invoicing import rendering

    french_seller(make_seller)
    monkeypatch.setattr(rendering, "render_document", lambda snapshot: (_ for _ in ()).throw(OSError("disk full")))

    output = billing("run", "--month", "2026-10")

    assert output.splitlines()[-1] == (
        "Facturation 2026-10 : 1 facture(s) émise(s), 0 déjà facturée(s), 0 erreur(s). "
        "1 document(s) pas encore rendu(s) : le balayage de rendu s'en charge."
    )
    assert FeeInvoice.objects.get().pdf.name == ""
