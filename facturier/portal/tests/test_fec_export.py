"""The FEC of the sales journal (LPF art. A47 A-1), downloaded from the portal and read back against the format's
rules: 18 fields named on the first line, `|` separator, ISO 8859-15, AAAAMMJJ dates, decimal commas, entries
numbered 1, 2, 3... each balanced, mandatory fields filled, totals equal to the issued documents' totals."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from facturier.accounts.accounting import AccountingSettings
from facturier.core.clock import today_in_paris
from facturier.invoicing.credit_notes import issue_credit_note
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import ADDRESS, issue_invoice, market_order, order_line, sales_order
from facturier.invoicing.tests.test_credit_notes import refund
from facturier.invoicing.tests.test_vat_cases import BUYER_COMPANY, GERMAN
from facturier.portal.tests.helpers import logged_in
from facturier.portal.tests.test_i18n import switched_to

COLUMNS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
]  # fmt: skip
# Filled on every record (CompAuxNum/Lib, lettering and currency fields may be empty when not used).
MANDATORY = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "PieceRef",
             "PieceDate", "EcritureLib", "Debit", "Credit", "ValidDate"]  # fmt: skip
DATES = ["EcritureDate", "PieceDate", "ValidDate"]
AMOUNT = re.compile(r"^\d+,\d{2}$")  # decimal comma, no sign, no thousands separator
COFFEE_MAKER = "Cafetière italienne inox 6 tasses"
BOOK = "Cuisine végétarienne : 200 recettes"


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def read_fec(data: bytes) -> list[dict[str, str]]:
    """The records of an FEC, each checked against the format's rules as it is read."""
    text = data.decode("iso-8859-15")
    assert text.endswith("\r\n")
    header, *lines = text[: -len("\r\n")].split("\r\n")
    assert header.split("|") == COLUMNS
    records = []
    for line in lines:
        cells = line.split("|")
        assert len(cells) == 18, line
        record = dict(zip(COLUMNS, cells, strict=True))
        assert [name for name in MANDATORY if not record[name]] == [], line
        for name in DATES:
            assert re.fullmatch(r"\d{8}", record[name]), line
            date.fromisoformat(record[name])  # a real day (AAAAMMJJ is ISO 8601 basic)
        assert AMOUNT.match(record["Debit"]) and AMOUNT.match(record["Credit"]), line
        assert (amount(record["Debit"]) == 0) != (amount(record["Credit"]) == 0), line  # one side per line
        assert re.fullmatch(r"\d+", record["CompteNum"]), line
        records.append(record)
    return records


def entries(records: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    """Records by EcritureNum, checked: numbered 1..N in file order, one document each, balanced."""
    by_number: dict[int, list[dict[str, str]]] = defaultdict(list)
    for record in records:
        by_number[int(record["EcritureNum"])].append(record)
    assert [int(record["EcritureNum"]) for record in records] == sorted(
        int(record["EcritureNum"]) for record in records
    )
    assert list(by_number) == list(range(1, len(by_number) + 1))
    for lines in by_number.values():
        assert len({line["PieceRef"] for line in lines}) == 1
        assert len({line["EcritureDate"] for line in lines}) == 1
        assert sum(amount(line["Debit"]) for line in lines) == sum(amount(line["Credit"]) for line in lines)
    return by_number


def this_month() -> dict[str, str]:
    today = today_in_paris()
    return {"period": "month", "year": str(today.year), "month": str(today.month)}


def download(client, params: dict[str, str]):
    response = client.get("/reglages/comptabilite/fec.txt", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=iso-8859-15"
    return response, b"".join(response.streaming_content)


def table(lines) -> list[tuple[str, str, str, str, str, str]]:
    return [(line["CompteNum"], line["CompteLib"], line["CompAuxNum"], line["EcritureLib"], line["Debit"],
             line["Credit"]) for line in lines]  # fmt: skip


@pytest.fixture
def french_journal(seller_a):
    """Two rates with their shipping, a one-rate invoice, and a credit note cancelling the book."""
    seller_a.sku_rates.create(key="BOOK-9791034", rate=Decimal("5.5"))
    first = issue_invoice(sales_order(seller_a, market_order("ORD-FEC-1", [
        order_line("1", "24.90", sku="STD-CAFE-014", title=COFFEE_MAKER, shipping="3.90"),
        order_line("2", "19.95", sku="BOOK-9791034", title=BOOK, shipping="2.50"),
    ])))  # fmt: skip
    buyer = replace(ADDRESS, first_name="Ærwan", last_name="Łukasz|Dupont")  # outside ISO 8859-15, a separator
    second = issue_invoice(sales_order(seller_a, market_order(
        "ORD-FEC-2", [order_line("1", "1234.56", quantity=2, shipping="5.00")], billing=buyer)))  # fmt: skip
    credit_note = issue_credit_note(refund(first, "cancellation", "22.45", ["2"]))
    return [first, second, credit_note]


@pytest.mark.django_db
def test_the_fec_of_a_month_reads_back_balanced_and_equal_to_the_documents(seller_a, french_journal):
    first, second, credit_note = french_journal
    response, data = download(logged_in(seller_a), this_month())

    today = today_in_paris()
    month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    assert response["Content-Disposition"] == f'attachment; filename="123456782FEC{month_end:%Y%m%d}.txt"'
    by_number = entries(read_fec(data))
    assert [lines[0]["PieceRef"] for lines in by_number.values()] == ["FAC-000001", "FAC-000002", "AV-000001"]
    day = f"{first.issue_date:%Y%m%d}"
    assert {(line["JournalCode"], line["JournalLib"], line["EcritureDate"], line["PieceDate"], line["ValidDate"])
            for lines in by_number.values() for line in lines} == {("VT", "Journal des ventes", day, day, day)}
    assert table(by_number[1]) == [
        ("411", "Clients", "CDISCOUNT", "Facture FAC-000001 Zoë Martin", "51,25", "0,00"),
        ("707", "Ventes de marchandises", "", "Facture FAC-000001 Marchandises TVA 20 %", "0,00", "20,75"),
        ("707", "Ventes de marchandises", "", "Facture FAC-000001 Marchandises TVA 5,5 %", "0,00", "18,91"),
        ("7085", "Ports et frais accessoires facturés", "", "Facture FAC-000001 Frais de port TVA 20 %", "0,00",
         "2,96"),
        ("7085", "Ports et frais accessoires facturés", "", "Facture FAC-000001 Frais de port TVA 5,5 %", "0,00",
         "2,70"),
        ("44571200", "TVA collectée 20 %", "", "Facture FAC-000001 TVA 20 %", "0,00", "4,74"),
        ("44571055", "TVA collectée 5,5 %", "", "Facture FAC-000001 TVA 5,5 %", "0,00", "1,19"),
    ]  # fmt: skip
    assert table(by_number[2])[0] == ("411", "Clients", "CDISCOUNT", "Facture FAC-000002 Ærwan Lukasz Dupont",
                                      "2474,12", "0,00")  # fmt: skip
    assert table(by_number[3]) == [
        ("411", "Clients", "CDISCOUNT", "Avoir AV-000001 Zoë Martin", "0,00", "22,45"),
        ("707", "Ventes de marchandises", "", "Avoir AV-000001 Marchandises TVA 5,5 %", "18,91", "0,00"),
        ("7085", "Ports et frais accessoires facturés", "", "Avoir AV-000001 Frais de port TVA 5,5 %", "2,37",
         "0,00"),
        ("44571055", "TVA collectée 5,5 %", "", "Avoir AV-000001 TVA 5,5 %", "1,17", "0,00"),
    ]  # fmt: skip
    assert {line["CompAuxLib"] for lines in by_number.values() for line in lines} == {"Cdiscount", ""}

    totals = _totals_per_account(by_number)
    invoices, credit_notes = [first, second], [credit_note]
    assert totals["411"] == sum(d.total_gross for d in invoices) - sum(d.total_gross for d in credit_notes)
    revenue = totals["707"] + totals["7085"]
    assert -revenue == sum(d.total_net for d in invoices) - sum(d.total_net for d in credit_notes)
    vat = sum((total for account, total in totals.items() if account.startswith("4457")), Decimal(0))
    assert -vat == sum(d.total_vat for d in invoices) - sum(d.total_vat for d in credit_notes)


def _totals_per_account(by_number) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for lines in by_number.values():
        for line in lines:
            totals[line["CompteNum"]] += amount(line["Debit"]) - amount(line["Credit"])
    return totals


@pytest.mark.django_db
def test_intra_eu_and_domestic_rates_of_an_eu_seller(make_seller):
    seller = make_seller(**GERMAN)
    retail = issue_invoice(sales_order(seller, market_order("ORD-DE-1", [order_line("1", "119.00",
                                                                                      shipping="5.95")])))
    business = issue_invoice(sales_order(seller, market_order(
        "ORD-DE-2", [order_line("1", "120.00", shipping="6.00")], business=True, billing=BUYER_COMPANY)))

    response, data = download(logged_in(seller), this_month())

    assert re.fullmatch(r'attachment; filename="FEC\d{8}\.txt"', response["Content-Disposition"])  # no SIREN
    by_number = entries(read_fec(data))
    assert table(by_number[1]) == [
        ("411", "Clients", "CDISCOUNT", f"Facture {retail.number} Zoë Martin", "124,95", "0,00"),
        ("707", "Ventes de marchandises", "", f"Facture {retail.number} Marchandises TVA 19 %", "0,00", "100,00"),
        ("7085", "Ports et frais accessoires facturés", "", f"Facture {retail.number} Frais de port TVA 19 %",
         "0,00", "5,00"),
        ("44571190", "TVA collectée 19 %", "", f"Facture {retail.number} TVA 19 %", "0,00", "19,95"),
    ]  # fmt: skip
    # The intra-EU supply is exempt (category K): revenue only, no VAT line, still balanced.
    assert table(by_number[2]) == [
        ("411", "Clients", "CDISCOUNT", f"Facture {business.number} Client Pro SARL", "126,00", "0,00"),
        ("707", "Ventes de marchandises", "",
         f"Facture {business.number} Marchandises Livraison intracommunautaire exonérée", "0,00", "120,00"),
        ("7085", "Ports et frais accessoires facturés", "",
         f"Facture {business.number} Frais de port Livraison intracommunautaire exonérée", "0,00", "6,00"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_accounts_set_on_the_page_are_the_file_s_accounts(seller_a, french_journal):
    client = logged_in(seller_a)
    response = client.post("/reglages/comptabilite/", {
        "journal_code": "ve", "journal_label": "Ventes | marketplace", "customer_account": "411000",
        "customer_auxiliary": "none", "goods_account": "707100", "shipping_account": "708500",
        "vat_account": "445710",
    })  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, "/reglages/comptabilite/")

    _response, data = download(client, this_month())

    by_number = entries(read_fec(data))
    first = by_number[1]
    assert {(line["JournalCode"], line["JournalLib"]) for line in first} == {("VE", "Ventes marketplace")}
    assert [(line["CompteNum"], line["CompteLib"], line["CompAuxNum"], line["CompAuxLib"]) for line in first] == [
        ("411000", "Clients", "", ""),
        ("707100", "Ventes de marchandises", "", ""), ("707100", "Ventes de marchandises", "", ""),
        ("708500", "Ports et frais accessoires facturés", "", ""),
        ("708500", "Ports et frais accessoires facturés", "", ""),
        ("445710", "TVA collectée", "", ""), ("445710", "TVA collectée", "", ""),
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("customer_account", "4II", "Un compte client commence par 41"),
        ("customer_account", "401", "Un compte client commence par 41"),
        ("goods_account", "7O7", "Un compte de ventes commence par 70"),
        ("shipping_account", "70850000000", "au plus 10 caractères"),
        ("vat_account", "44566", "Le compte de TVA collectée commence par 4457"),
        ("vat_account", "44571000", "au plus 7 caractères"),
        ("journal_code", "VT 1", "Le code journal compte de 1 à 8"),
    ],
)
def test_accounts_are_digits_of_their_class(seller_a, field, value, message):
    valid = {"journal_code": "VT", "journal_label": "Journal des ventes", "customer_account": "411",
             "customer_auxiliary": "marketplace", "goods_account": "707", "shipping_account": "7085",
             "vat_account": "44571", "vat_suffix_per_rate": "on"}  # fmt: skip
    response = logged_in(seller_a).post("/reglages/comptabilite/", {**valid, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccountingSettings.objects.filter(seller=seller_a).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, closing",
    [
        ({"period": "month", "year": "2026", "month": "2"}, "20260228"),
        ({"period": "quarter", "year": "2026", "quarter": "3"}, "20260930"),
        ({"period": "year", "year": "2025"}, "20251231"),
        ({"period": "custom", "date_from": "2025-07-01", "date_to": "2026-06-30"}, "20260630"),
    ],
)
def test_the_period_chooser_names_the_file_by_its_closing_date(seller_a, params, closing):
    response, data = download(logged_in(seller_a), params)
    assert response["Content-Disposition"] == f'attachment; filename="123456782FEC{closing}.txt"'
    assert read_fec(data) == []  # nothing issued then: the header line alone


@pytest.mark.django_db
def test_only_the_documents_of_the_period_are_in_the_file(seller_a, french_journal):
    month_start = today_in_paris().replace(day=1)
    before = {"period": "custom", "date_from": f"{month_start - timedelta(days=365):%Y-%m-%d}",
              "date_to": f"{month_start - timedelta(days=1):%Y-%m-%d}"}  # fmt: skip
    _response, data = download(logged_in(seller_a), before)
    assert read_fec(data) == []
    _response, data = download(logged_in(seller_a), {"period": "year", "year": str(month_start.year)})
    assert len(entries(read_fec(data))) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"period": "month", "year": "2026"}, "month", "Ce champ est obligatoire pour cette période."),
        ({"period": "custom", "date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to",
         "La date de clôture précède le début de la période."),
        ({"period": "custom", "date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_to",
         "Une période couvre 24 mois au plus (un exercice)."),
    ],
)  # fmt: skip
def test_a_period_that_is_not_one_is_refused_on_the_page(seller_a, params, field, message):
    response = logged_in(seller_a).get("/reglages/comptabilite/fec.txt", params)
    assert response.status_code == 400
    assert f'<p class="field-error" id="error-{field}">{message}</p>' in response.content.decode()


@pytest.mark.django_db
def test_another_seller_s_file_holds_none_of_the_first_seller_s_entries(seller_a, seller_b, french_journal):
    _response, data = download(logged_in(seller_b), this_month())
    assert read_fec(data) == []
    assert b"FAC-000001" not in data


@pytest.mark.django_db
def test_a_document_in_another_currency_is_named_not_written(seller_a, french_journal):
    first = french_journal[0]
    fields = model_to_dict(first, exclude=["id", "seller", "order", "refund", "credited_invoice", "pdf"])
    Invoice.objects.create(**{**fields, "number": "AV-USD-1", "sequence": 999, "kind": Invoice.KIND_CREDIT_NOTE,
                              "currency": "USD"}, seller=seller_a, order=first.order)  # fmt: skip
    response = logged_in(seller_a).get("/reglages/comptabilite/fec.txt", this_month())
    assert response.status_code == 400
    assert "AV-USD-1 (USD)" in response.content.decode()


@pytest.mark.django_db
def test_the_accounting_page_in_both_languages(seller_a):
    client = logged_in(seller_a)
    french = client.get("/reglages/comptabilite/").content.decode()
    assert ">Export comptable (FEC)<" in french and ">Télécharger le FEC<" in french
    english = switched_to(client, "en", "/reglages/comptabilite/").get("/reglages/comptabilite/").content.decode()
    assert ">Accounting export (FEC)<" in english and ">Download the FEC<" in english
    assert ">Plan de comptes<" not in english and "Compte clients" not in english


@pytest.mark.django_db
def test_the_file_s_address_without_a_period_leads_to_the_page(seller_a):
    response = logged_in(seller_a).get("/reglages/comptabilite/fec.txt")
    assert (response.status_code, response["Location"]) == (302, "/reglages/comptabilite/")


@pytest.mark.django_db
def test_a_franchise_seller_s_exempt_sales_have_no_vat_line(make_seller):
    seller = make_seller(franchise_en_base=True, vat_number="", fr_vat_number="")
    invoice = issue_invoice(sales_order(seller, market_order("ORD-FR-E", [order_line("1", "120.00",
                                                                                      shipping="6.00")])))

    _response, data = download(logged_in(seller), this_month())

    assert table(entries(read_fec(data))[1]) == [
        ("411", "Clients", "CDISCOUNT", f"Facture {invoice.number} Zoë Martin", "126,00", "0,00"),
        ("707", "Ventes de marchandises", "", f"Facture {invoice.number} Marchandises Exonération", "0,00",
         "120,00"),
        ("7085", "Ports et frais accessoires facturés", "", f"Facture {invoice.number} Frais de port Exonération",
         "0,00", "6,00"),
    ]  # fmt: skip
