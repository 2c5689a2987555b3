import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail

from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.crashes import killed_between_attaching_and_releasing
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue, logged_in
from facturier.portal.views import invoices as invoice_views


def listed_numbers(response) -> list[str]:
    return [invoice.number for invoice, _status in response.context["rows"]]


@pytest.fixture
def three(seller_a):
    first = issue(seller_a, buyer=("Jeanne", "Martin"), unit_price=Decimal("10.00"), days_ago=3)
    second = issue(seller_a, buyer=("Paul", "Durand"), unit_price=Decimal("20.00"), days_ago=2)
    third = issue(seller_a, buyer=("Zoé", "Martin"), unit_price=Decimal("30.00"), days_ago=1)
    return first, second, third


@pytest.mark.django_db
def test_list_is_newest_first(seller_a, three):
    response = logged_in(seller_a).get("/factures/")
    assert listed_numbers(response) == ["FAC-000003", "FAC-000002", "FAC-000001"]


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "query", "expected"), [
    ("number prefix", "FAC-000002", ["FAC-000002"]),
    ("number lower case", "fac-00000", ["FAC-000003", "FAC-000002", "FAC-000001"]),
    ("buyer name prefix", "paul", ["FAC-000002"]),
    ("no match", "Inconnu", []),
])  # fmt: skip
def test_search(seller_a, three, _case, query, expected):
    response = logged_in(seller_a).get("/factures/", {"q": query})
    assert listed_numbers(response) == expected


@pytest.mark.django_db
def test_search_by_order_reference_and_amount(seller_a, three):
    client = logged_in(seller_a)
    second = three[1]
    assert listed_numbers(client.get("/factures/", {"q": second.order_reference})) == ["FAC-000002"]
    amount = f"{second.total_gross}".replace(".", ",")
    assert listed_numbers(client.get("/factures/", {"q": amount})) == ["FAC-000002"]


@pytest.mark.django_db
def test_filters(seller_a, three):
    client = logged_in(seller_a)
    first = three[0]
    by_date = client.get("/factures/", {"date_from": first.issue_date, "date_to": first.issue_date})
    assert len(listed_numbers(by_date)) == 3  # all issued today
    assert listed_numbers(client.get("/factures/", {"kind": "credit_note"})) == []
    assert listed_numbers(client.get("/factures/", {"upload_status": "pending"})) == [
        "FAC-000003", "FAC-000002", "FAC-000001"]
    OutgoingEmail.objects.filter(related_key=f"invoice:{first.pk}").update(state=OutgoingEmail.STATE_BOUNCED)
    assert listed_numbers(client.get("/factures/", {"email_status": "bounced"})) == ["FAC-000001"]


@pytest.mark.django_db
def test_keyset_pagination(seller_a, three, monkeypatch):
    monkeypatch.setattr(invoice_views, "PAGE_SIZE", 2)
    client = logged_in(seller_a)
    first_page = client.get("/factures/")
    assert listed_numbers(first_page) == ["FAC-000003", "FAC-000002"]
    cursor = first_page.context["next_cursor"]
    second_page = client.get("/factures/", {"after": cursor})
    assert listed_numbers(second_page) == ["FAC-000001"]
    assert second_page.context["next_cursor"] == ""
    assert listed_numbers(client.get("/factures/", {"after": "garbage"})) == ["FAC-000003", "FAC-000002"]


@pytest.mark.django_db
def test_detail_shows_lines_totals_history_and_inline_pdf(seller_a):
    invoice = issue(seller_a)
    response = logged_in(seller_a).get(f"/factures/{invoice.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<iframe src="/factures/{invoice.pk}/pdf/"' in page
    assert invoice.lines.get(position=1).description in page
    assert '<td class="num" id="total-gross"><strong>28,80\u00a0€</strong></td>' in page  # French money format
    assert [entry.kind for entry in response.context["history"]][:2] == ["held", "queued"]
    inline = logged_in(seller_a).get(f"/factures/{invoice.pk}/pdf/")
    assert inline["Content-Disposition"] == 'inline; filename="FAC-000001.pdf"'


@pytest.mark.django_db
def test_download_is_the_stored_file(seller_a):
    invoice = issue(seller_a)
    response = logged_in(seller_a).get(f"/factures/{invoice.pk}/telecharger/")
    assert response["Content-Disposition"] == 'attachment; filename="FAC-000001.pdf"'
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    with invoice.pdf.open("rb") as stored:
        assert body == stored.read()


@pytest.mark.django_db
def test_resend_to_a_corrected_address(seller_a):
    invoice = issue(seller_a)
    mail.outbox.clear()
    response = logged_in(seller_a).post(f"/factures/{invoice.pk}/renvoyer/", {"to": "corrige@example.org"})
    assert response["Location"] == f"/factures/{invoice.pk}/"
    latest = OutgoingEmail.objects.filter(related_key=f"invoice:{invoice.pk}").first()
    assert latest.to == "corrige@example.org"
    assert latest.resend_of is not None


@pytest.mark.django_db
def test_resending_the_email_of_an_order_with_no_address_says_so_and_sends_nothing(seller_a):
    invoice = issue(seller_a, email="")
    emails = OutgoingEmail.objects.filter(related_key=f"invoice:{invoice.pk}")
    assert list(emails.values_list("state", flat=True)) == ["failed"]
    mail.outbox.clear()
    response = logged_in(seller_a).post(f"/factures/{invoice.pk}/renvoyer/", {"to": ""}, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "Cette commande n'a pas d'adresse e-mail : saisissez l'adresse de l'acheteur, puis renvoyez."]
    assert (emails.count(), mail.outbox) == (1, [])


def read_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def index_rows(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("index.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.django_db
def test_bulk_zip_of_the_filter_matches(seller_a, three):
    client = logged_in(seller_a)
    response = client.get("/factures/archive.zip", {"q": "Zoé"})
    assert response["Content-Type"] == "application/zip"
    assert read_zip(response).namelist() == ["index.csv", "factures/FAC-000003.pdf"]
    month = three[0].issue_date.replace(day=1)
    archive = read_zip(client.get("/factures/archive.zip", {"date_from": month, "date_to": three[0].issue_date}))
    assert archive.namelist() == ["index.csv", "factures/FAC-000003.pdf", "factures/FAC-000002.pdf",
                                  "factures/FAC-000001.pdf"]
    rows = index_rows(archive)
    assert [(row["Numéro"], row["Total TTC"], row["Fichier"]) for row in rows] == [
        (invoice.number, f"{invoice.total_gross}".replace(".", ","), f"factures/{invoice.number}.pdf")
        for invoice in reversed(three)
    ]
    with three[0].pdf.open("rb") as stored:
        assert archive.read("factures/FAC-000001.pdf") == stored.read()


@pytest.mark.django_db
def test_bulk_zip_of_a_selection_ignores_foreign_ids(seller_a, seller_b, three):
    foreign = issue(seller_b)
    response = logged_in(seller_a).post("/factures/selection.zip", {"ids": [three[1].pk, foreign.pk]})
    assert read_zip(response).namelist() == ["index.csv", "factures/FAC-000002.pdf"]


@pytest.mark.django_db
def test_lines_csv_for_the_accountant(seller_a):
    invoice = issue(seller_a)
    response = logged_in(seller_a).get("/factures/lignes.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    line = invoice.lines.get(position=1)
    assert rows[0][:3] == ["Numéro", "Type", "Date d'émission"]
    assert rows[1][0] == "FAC-000001"
    assert rows[1][7] == line.description
    assert rows[1][12] == f"{line.net_amount}".replace(".", ",")
    assert rows[1][11] == f"{line.unit_net_price:.2f}".replace(".", ",")  # to the cent, as printed
    assert len(rows) == 1 + Invoice.objects.get(pk=invoice.pk).lines.count()


@pytest.mark.django_db
def test_detail_shows_unit_prices_to_the_cent(seller_a):
    invoice = issue(seller_a)
    page = logged_in(seller_a).get(f"/factures/{invoice.pk}/").content.decode()

    unit = invoice.lines.get(position=1).unit_net_price
    assert f'<td class="num" data-label="PU HT"><span>{unit:.2f}</span></td>'.replace(".", ",") in page
    assert f"{unit:.4f}".replace(".", ",") not in page


@pytest.mark.django_db(transaction=True)
def test_resend_releases_an_email_a_crash_left_held_although_its_document_is_rendered(
    seller_a, smtp_server, monkeypatch
):
    invoice = killed_between_attaching_and_releasing(seller_a, "ORD-HELD", monkeypatch)

    response = logged_in(seller_a).post(f"/factures/{invoice.pk}/renvoyer/", {"to": ""}, follow=True)

    email = OutgoingEmail.objects.get(related_key=f"invoice:{invoice.pk}")  # released: no copy
    assert [str(message) for message in response.context["messages"]] == [f"E-mail renvoyé à {email.to}."]
    assert email.state == OutgoingEmail.STATE_SENT
    [sent] = smtp_server.received
    assert sent.rcpt_tos == (email.to,)
    [attachment] = list(sent.message.iter_attachments())
    with invoice.pdf.open("rb") as stored:
        assert (attachment.get_filename(), attachment.get_content()) == (f"{invoice.number}.pdf", stored.read())


@pytest.mark.django_db(transaction=True)
def test_resend_to_a_corrected_address_of_an_email_a_crash_left_held_sends_both_as_without_the_crash(
    seller_a, smtp_server, monkeypatch
):
    invoice = killed_between_attaching_and_releasing(seller_a, "ORD-HELD", monkeypatch)

    logged_in(seller_a).post(f"/factures/{invoice.pk}/renvoyer/", {"to": "corrige@example.org"})

    first, copy = OutgoingEmail.objects.filter(related_key=f"invoice:{invoice.pk}").order_by("pk")
    assert (first.state, copy.state, copy.resend_of_id) == ("sent", "sent", first.pk)
    assert sorted(sent.rcpt_tos for sent in smtp_server.received) == sorted([(first.to,), ("corrige@example.org",)])
    assert copy.attachments == first.attachments != []
