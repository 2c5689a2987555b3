"""Issue #18's acceptance journeys in Debian's Chromium, each at 1280 and 390 px wide and in French and English.

Every journey asserts what the seller sees (exact texts, counts, links); every page it lands on is checked the same
way (the page is in the journey's language, nothing wider than the screen, no serious or critical axe-core
violation) and photographed into $FACTURIER_ARTEFACTS/journeys/<journey>-<lang>-<width>-<step>.png (default: the
pytest temporary folder). One browser serves the module; the live server is pytest-django's, shared by the session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import formats, translation

from acceptance.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from acceptance.browser.test_browser_phone import serious_violations
from facturier.accounts.models import MarketplaceConnection, Seller
from facturier.accounts.tests.factories import PASSWORD
from facturier.billing.usage import next_month
from facturier.core.clock import today_in_paris
from facturier.invoicing.models import Invoice
from facturier.jobs.inline import run_pass
from facturier.outbox.models import OutgoingEmail
from facturier.portal.tests.helpers import issue
from facturier.portal.tests.test_orders_not_invoiced import record
from facturier.sales.models import SalesOrder, SyncRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {1280: 900, 390: 844}  # viewport width -> height
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
VARIANTS = [(language, width) for language in LOCALES for width in WIDTHS]


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    root = os.environ.get("FACTURIER_ARTEFACTS")
    folder = (Path(root) if root else tmp_path_factory.getbasetemp() / "artefacts") / "journeys"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium missing: bash scripts/system-deps.sh --with-browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Journey:
    """One journey in one language at one width: the browser tab and the checks every page gets."""

    page: object
    base: str
    name: str
    language: str
    width: int
    artefacts: Path
    visited: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    @property
    def english(self) -> bool:
        return self.language == "en"

    def says(self, french: str, english: str) -> str:
        """The text the seller reads in the journey's language."""
        return english if self.english else french

    def goto(self, path: str, step: str) -> None:
        self.page.goto(self.base + path)
        self.seen(step)

    def seen(self, step: str, page=None) -> None:
        """The page on screen is in the journey's language, fits the screen, passes axe; photographed."""
        page = page or self.page
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == self.language, page.url
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= self.width, f"{page.url}: {scroll_width} px wide at {self.width} px"
        assert serious_violations(page) == [], page.url
        page.screenshot(path=str(self.artefacts / f"{self.name}-{self.language}-{self.width}-{step}.png"),
                        full_page=True)
        self.checked.add(urlsplit(page.url).path)

    def watch(self, page) -> None:
        """Records every page the tab lands on, so that none escapes the checks."""
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(
            urlsplit(frame.url).path))

    def menu(self, href: str, step: str) -> None:
        """Follows a link of the main menu, which a phone shows only once its button is pressed."""
        if not self.page.is_visible("#mainnav"):
            self.page.click("#menu-toggle")
        self.page.click(f"#mainnav a[href='{href}']")
        self.seen(step)

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector).strip()

    def messages(self) -> list[str]:
        return [text.strip() for text in self.page.locator("ul.messages li").all_inner_texts()]

    def log_in(self, email: str) -> None:
        self.goto("/connexion/", "login")
        self.page.fill("#id_email", email)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_url(f"{self.base}/")
        self.seen("dashboard")


@pytest.fixture(params=VARIANTS, ids=[f"{language}-{width}" for language, width in VARIANTS])
def journey(request, chromium, live_server, artefacts) -> Iterator[Journey]:
    language, width = request.param
    context = chromium.new_context(accept_downloads=True, locale=LOCALES[language],
                                   viewport={"width": width, "height": WIDTHS[width]})
    page = context.new_page()
    name = request.node.originalname.removeprefix("test_").replace("_", "-")
    journey = Journey(page, live_server.url, name, language, width, artefacts)
    journey.watch(page)
    yield journey
    context.close()
    assert set(journey.visited) - journey.checked == set(), "pages seen by the seller but not checked"


def localized_date(day, language: str, pattern: str = "DATE_FORMAT") -> str:
    with translation.override(language):
        return formats.date_format(day, pattern)


# 1. Sign-up to first invoices ---------------------------------------------------------------------------------


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun as the sync progress words it (Django's plural: the singular for 1 only)."""
    return f"{count} {one if count == 1 else many}"


def sign_up(journey: Journey, email: str) -> None:
    page = journey.page
    journey.goto("/inscription/", "signup")
    page.fill("#id_email", email)
    page.fill("#id_password1", "un-mot-de-passe-long")
    page.fill("#id_password2", "un-mot-de-passe-long")
    page.check("#id_accept_terms")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1")
    journey.seen("check-inbox")
    assert journey.text("h1") == journey.says("Vérifiez votre boîte mail", "Check your inbox")
    (message,) = mail.outbox
    link = re.search(r"http://[^\s]+/inscription/confirmer/[^\s]+/", message.body).group(0)
    page.goto(link)
    journey.seen("company")


def fill_company_vat_and_mandate(journey: Journey) -> None:
    page = journey.page
    for name, value in {"legal_name": "Delta Maison SAS", "address_line1": "8 quai de Seine",
                        "postal_code": "75019", "city": "Paris", "siren": "732829320",
                        "vat_number": "FR44732829320"}.items():  # fmt: skip
        page.fill(f"#id_{name}", value)
    page.select_option("#id_country", "FR")
    page.click("button[type=submit].primary")
    journey.seen("vat")
    page.select_option("#id_default_vat_rate", "20")
    page.click("button[type=submit].primary")
    journey.seen("mandate")
    page.check("#id_accept")
    page.click("button[type=submit].primary")
    journey.seen("marketplace")


def test_sign_up_to_first_invoices(journey, simulator, settings):
    settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
    page = journey.page
    sign_up(journey, "delta@example.com")
    fill_company_vat_and_mandate(journey)
    assert journey.text("#credentials-help summary") == journey.says(
        "Où trouver ces identifiants ?", "Where to find these credentials?")
    assert journey.says("espace vendeur Octopia (Seller Portal)", "Octopia seller area (Seller Portal)") in (
        journey.text("#credentials-help p"))

    save_credentials(journey, simulator.credentials(), "connection-saved")
    # Every marketplace call is slowed down until the seller has watched the sync running.
    simulator.set_faults(latency_ms=1000)
    page.click(".test-connection", no_wait_after=True)

    watcher = page.context.new_page()
    journey.watch(watcher)
    seller = Seller.objects.get(owner__email="delta@example.com")
    for _tenth in range(300):  # the run is recorded within the connection test's request
        if SyncRun.objects.filter(seller=seller).exists():
            break
        watcher.wait_for_timeout(100)
    watcher.goto(f"{journey.base}/")
    watcher.wait_for_selector("#sync-progress[data-status=running]")
    progress = watcher.inner_text("#sync-progress")
    words = journey.says(r"En cours — \d+ commandes? lues?, \d+ factures? émises?, \d+ e-mails? envoyés?",
                         r"In progress — \d+ orders? read, \d+ invoices? issued, \d+ e-mails? sent")
    assert re.fullmatch(words, progress), progress
    journey.seen("sync-running", watcher)
    simulator.set_faults(latency_ms=0)

    watcher.wait_for_selector("#sync-progress[data-status=succeeded]", timeout=60_000)
    watcher.wait_for_selector("#recent-invoices")
    run = SyncRun.objects.get(seller=seller)
    invoices = Invoice.objects.filter(seller=seller, kind="invoice")
    assert (run.status, run.trigger, run.invoices_issued) == (SyncRun.SUCCEEDED, "first", invoices.count())
    assert run.invoices_issued > 0
    sent = OutgoingEmail.objects.filter(seller=seller, state=OutgoingEmail.STATE_SENT).count()
    orders, invoices_issued = run.orders_seen, run.invoices_issued
    assert watcher.inner_text("#sync-progress") == journey.says(
        f"Réussie — {counted(orders, 'commande lue', 'commandes lues')}, "
        f"{counted(invoices_issued, 'facture émise', 'factures émises')}, "
        f"{counted(sent, 'e-mail envoyé', 'e-mails envoyés')}",
        f"Succeeded — {counted(orders, 'order read', 'orders read')}, "
        f"{counted(invoices_issued, 'invoice issued', 'invoices issued')}, "
        f"{counted(sent, 'e-mail sent', 'e-mails sent')}")
    assert watcher.inner_text("#issued-this-month") == str(invoices.count())
    documents = Invoice.objects.filter(seller=seller).order_by("-issued_at", "-id")  # credit notes too
    newest = list(documents.values_list("number", flat=True)[:5])
    assert watcher.locator("#recent-invoices li a").all_inner_texts() == newest
    assert watcher.locator("#onboarding-checklist").count() == 0
    journey.seen("first-invoices", watcher)

    page.wait_for_selector("ul.messages")
    assert journey.messages() == [
        journey.says(f"Connexion à Cdiscount réussie (commandes visibles : {run.orders_seen}).",
                     f"Connected to Cdiscount (orders visible: {run.orders_seen})."),
        journey.says("Première synchronisation lancée : vos factures apparaissent ci-dessous.",
                     "First sync started: your invoices appear below."),
    ]
    journey.seen("connected")


# 2. Connect with wrong then right credentials -------------------------------------------------------------------


def save_credentials(journey: Journey, credentials: dict, step: str) -> None:
    page = journey.page
    page.fill("#id_client_id", credentials["client_id"])
    page.fill("#id_client_secret", credentials["client_secret"])
    if page.locator("#id_account_id").count():
        page.fill("#id_account_id", credentials["seller_id"])
    page.click("#connection-form button[type=submit], form button[type=submit].primary >> nth=-1")
    journey.seen(step)


def test_connect_with_wrong_then_right_credentials(journey, start_simulator, settings, make_seller):
    simulator = start_simulator(seed=1234, orders=4)
    settings.OCTOPIA_API_URL, settings.OCTOPIA_AUTH_URL = simulator.api_url, simulator.auth_url
    seller = make_seller(legal_name="Maison Écarlate SARL")
    page = journey.page
    journey.log_in(seller.owner.email)
    assert page.get_attribute("#step-marketplace", "data-done") == "false"
    page.click("#step-marketplace a")
    journey.seen("marketplace")

    credentials = simulator.credentials()
    save_credentials(journey, {**credentials, "client_secret": "not-the-secret"}, "wrong-saved")
    page.click(".test-connection")
    journey.seen("refused")
    refused = journey.says(
        "Cdiscount refuse ces identifiants d'API. Vérifiez-les dans votre espace vendeur, puis enregistrez-les "
        "à nouveau.",
        "Cdiscount refuses these API credentials. Check them in your seller area, then save them again.")
    assert journey.messages() == [journey.says("Connexion impossible : ", "Connection failed: ") + refused]
    assert journey.text("#connections td.status") == journey.says("Identifiants refusés", "Credentials rejected") + (
        " — " + refused)
    assert not SyncRun.objects.filter(seller=seller).exists()

    page.click("#connections a")  # edit the credentials
    journey.seen("edit")
    save_credentials(journey, credentials, "right-saved")
    page.click(".test-connection")
    page.wait_for_selector("#sync-progress[data-status=succeeded]")
    journey.seen("connected")
    run = SyncRun.objects.get(seller=seller)
    visible = MarketplaceConnection.objects.get(seller=seller).status_message
    assert journey.messages() == [
        journey.says(f"Connexion à Cdiscount réussie (commandes visibles : {run.orders_seen}).",
                     f"Connected to Cdiscount (orders visible: {run.orders_seen})."),
        journey.says("Première synchronisation lancée : vos factures apparaissent ci-dessous.",
                     "First sync started: your invoices appear below."),
    ], visible
    invoices = Invoice.objects.filter(seller=seller, kind="invoice").count()
    assert (run.trigger, run.invoices_issued) == ("first", invoices) and invoices > 0
    assert journey.text("#issued-this-month") == str(invoices)


# 3. Search by a fragment of a name ------------------------------------------------------------------------------


def test_search_by_a_fragment_of_a_name(journey, make_seller):
    seller = make_seller(legal_name="Maison Écarlate SARL")
    emilie = issue(seller, buyer=("Émilie", "Dupont"), email="emilie.dupont@example.org", render=False)
    issue(seller, buyer=("Jeanne", "Martin"), render=False)
    waiting = record(seller, "2612010000WAIT", status="WaitingForShipmentAcceptation", buyer=("Hugo", "DUPONTEL"))
    page = journey.page
    journey.log_in(seller.owner.email)
    journey.menu("/factures/", "invoices")
    assert page.locator("table.cards tbody tr").count() == 2

    for fragment, step in (("dupo", "dupo"), ("EMILIE", "emilie")):
        page.fill("#id_q", fragment)
        page.click("#filters button[type=submit]")
        journey.seen(step)
        rows = page.locator("table.cards tbody tr")
        assert rows.count() == 1
        assert rows.locator("td").nth(1).inner_text().strip() == emilie.number
        assert rows.locator("td").nth(4).inner_text().strip() == "Émilie Dupont"
    # "EMILIE" matches no order not invoiced; "dupo" matched Hugo DUPONTEL's, found again here with its reason.
    assert page.locator("#orders-not-invoiced").count() == 0
    page.fill("#id_q", "dupo")
    page.click("#filters button[type=submit]")
    journey.seen("dupo-again")
    assert journey.text("#orders-not-invoiced h2") == journey.says(
        "Commandes non facturées correspondantes", "Matching uninvoiced orders")
    (found,) = page.locator("#orders-not-invoiced li").all_inner_texts()
    label = journey.says("Pas encore expédiée", "Not shipped yet")
    assert found.startswith(f"2612010000WAIT Hugo DUPONTEL — {label}"), found

    page.click("#orders-not-invoiced li a")
    journey.seen("order")
    assert journey.text("h1") == journey.says("Commande 2612010000WAIT", "Order 2612010000WAIT")
    assert journey.text("#order-reason h2") == label
    assert journey.says("Rien à faire : elle sera facturée à son expédition.",
                        "Nothing to do: it will be invoiced when it ships.") in journey.text("#order-reason")
    assert waiting.eligibility == SalesOrder.NOT_SHIPPED


# 4. Fix a reason --------------------------------------------------------------------------------------------------


def test_fix_a_reason(journey, start_simulator, connect_to_simulator):
    simulator = start_simulator(seed=99, orders=2)
    simulator.set_faults(other_channel_orders=1)
    (other_id,) = simulator.state.fault_targets("98979")["other_channel"]
    seller = connect_to_simulator(simulator, legal_name="Maison Écarlate SARL")
    run_pass(seller, trigger="manual")
    other = SalesOrder.objects.get(seller=seller, order_id=other_id)
    assert other.eligibility == SalesOrder.OTHER_CHANNEL
    invoiced_before = Invoice.objects.filter(seller=seller).count()
    page = journey.page

    journey.log_in(seller.owner.email)
    assert journey.text("#orders-needing-action").startswith(other_id)
    assert page.locator("#orders-needing-action li").count() == 1
    page.click("text=" + journey.says("Tout voir", "See all"))
    journey.seen("orders")
    group = page.locator("#reason-other_channel")
    assert group.locator("h2").inner_text().strip() == journey.says(
        "Vendue hors du site de la marketplace (1)", "Sold outside the marketplace's own site (1)")
    advice = group.locator("p.problem")
    assert advice.inner_text().strip() == journey.says(
        "Seules les commandes passées sur le site même de la marketplace sont facturées. Pour facturer ce canal "
        "aussi, ajoutez-le aux autres canaux de vente à facturer. Choisir les canaux facturés",
        "Only orders placed on the marketplace's own site are invoiced. To invoice this channel too, add it to the "
        "other sales channels to invoice. Choose the invoiced channels")
    assert advice.locator("a").get_attribute("href") == "/reglages/#id_extra_sales_channels"
    assert group.locator("tbody tr").count() == 1

    advice.locator("a").click()
    journey.seen("settings")
    page.fill("#id_extra_sales_channels", "OCTOBE")
    page.click("form button[type=submit].primary")
    journey.seen("settings-saved")
    assert journey.messages() == [journey.says("Réglages enregistrés.", "Settings saved.")]

    journey.menu("/", "dashboard-fixed")
    assert page.locator("#orders-needing-action").count() == 0
    page.click("#sync-now")
    page.wait_for_selector("#sync-progress[data-status=succeeded]")
    journey.seen("synced")
    invoice = Invoice.objects.get(seller=seller, order__order_id=other_id)
    assert Invoice.objects.filter(seller=seller).count() == invoiced_before + 1
    assert invoice.number in page.locator("#recent-invoices li a").all_inner_texts()

    journey.goto(f"/commandes/{other.pk}/", "order-invoiced")
    assert page.locator("#order-reason a").all_inner_texts() == [invoice.number]


# 5. Resend an invoice email ---------------------------------------------------------------------------------------


def test_resend_an_invoice_email(journey, smtp_server, make_seller):
    seller = make_seller(legal_name="Maison Écarlate SARL")
    emilie = issue(seller, buyer=("Émilie", "Dupont"), email="emilie.dupont@example.org")
    nobody = issue(seller, buyer=("Paul", "Lefèvre"), email="")
    assert [received.rcpt_tos for received in smtp_server.received] == [("emilie.dupont@example.org",)]
    page = journey.page

    journey.log_in(seller.owner.email)
    journey.goto("/factures/", "invoices")
    page.click(f"table.cards a:text-is('{emilie.number}')")
    journey.seen("invoice")
    assert journey.text("#delivery") == journey.says("E-mail envoyé à emilie.dupont@example.org",
                                                    "Email sent to emilie.dupont@example.org")
    page.click("#resend button[type=submit]")
    journey.seen("resent")
    assert journey.messages() == [journey.says("E-mail renvoyé à emilie.dupont@example.org.",
                                               "Email resent to emilie.dupont@example.org.")]
    first, again = smtp_server.received
    assert again.rcpt_tos == ("emilie.dupont@example.org",)
    # Django folds the encoded subject onto a second line; the parser keeps the folding space.
    assert str(again.message["Subject"]).lstrip() == str(first.message["Subject"]).lstrip() == (
        f"Votre facture {emilie.number} – commande Cdiscount {emilie.order_reference}")
    (attachment,) = list(again.message.iter_attachments())
    with emilie.pdf.open("rb") as stored:
        assert attachment.get_content() == stored.read()

    journey.goto(f"/factures/{nobody.pk}/", "no-address")
    emails_before = OutgoingEmail.objects.count()
    page.click("#resend button[type=submit]")
    journey.seen("no-address-refused")
    assert journey.messages() == [journey.says(
        "Cette commande n'a pas d'adresse e-mail : saisissez l'adresse de l'acheteur, puis renvoyez.",
        "This order has no email address: enter the buyer's address, then resend.")]
    assert (len(smtp_server.received), OutgoingEmail.objects.count()) == (2, emails_before)
    assert journey.text("#delivery") == journey.says("Pas encore remise", "Not delivered yet")

    page.fill("#resend input[name=to]", "paul.lefevre@example.org")
    page.click("#resend button[type=submit]")
    journey.seen("corrected")
    assert journey.messages() == [journey.says("E-mail renvoyé à paul.lefevre@example.org.",
                                               "Email resent to paul.lefevre@example.org.")]
    assert smtp_server.received[-1].rcpt_tos == ("paul.lefevre@example.org",)
    assert len(smtp_server.received) == 3
    assert journey.text("#delivery") == journey.says("E-mail envoyé à paul.lefevre@example.org",
                                                    "Email sent to paul.lefevre@example.org")


# 6. Unsubscribe ---------------------------------------------------------------------------------------------------


def test_unsubscribe(journey, make_seller, settings):
    seller = make_seller(legal_name="Maison Écarlate SARL")
    invoice = issue(seller, buyer=("Émilie", "Dupont"), email="emilie.dupont@example.org")
    page = journey.page
    language = journey.language
    month = today_in_paris().replace(day=1)
    billed_on = localized_date(next_month(month), language)
    until = localized_date(today_in_paris() + timedelta(days=settings.FACTURIER_DOWNLOAD_WINDOW_DAYS), language)
    last_fee = journey.says(
        f"Dernière facture d'abonnement : {localized_date(month, language, 'F Y')}, 1 facture émise (palier 0-100), "
        f"soit 9,99\u00a0€ HT, facturée le {billed_on}.",
        f"Last subscription invoice: {localized_date(month, language, 'F Y')}, 1 invoice issued (tier 0-100), that "
        f"is €9.99 excl. VAT, billed on {billed_on}.")

    journey.log_in(seller.owner.email)
    journey.menu("/reglages/", "settings")
    page.click("a[href='/compte/desinscription/']")
    journey.seen("terms")
    assert journey.text("#last-fee") == last_fee
    assert journey.text("#download-window") == journey.says(
        f"Vos factures et avoirs restent téléchargeables jusqu'au {until} ; ils sont ensuite supprimés.",
        f"Your invoices and credit notes stay downloadable until {until}; they are deleted afterwards.")
    page.click("#confirm-unsubscribe")
    journey.seen("unconfirmed")
    assert journey.text("#error-confirm") == journey.says(
        "Cochez la case pour confirmer la désinscription : rien n'a été changé.",
        "Tick the box to confirm the unsubscription: nothing was changed.")
    assert Seller.objects.get(pk=seller.pk).status == Seller.STATUS_ACTIVE

    page.check("#id_confirm")
    page.click("#confirm-unsubscribe")
    journey.seen("unsubscribed")
    assert journey.messages() == [journey.says("Vous êtes désinscrit : la synchronisation est arrêtée.",
                                               "You have unsubscribed: synchronisation has stopped.")]
    assert journey.text("#download-until") == journey.says(
        f"Vous êtes désinscrit. Vos documents restent téléchargeables jusqu'au {until}.",
        f"You have unsubscribed. Your documents remain downloadable until {until}.")
    assert journey.text("#last-fee") == last_fee
    assert Seller.objects.get(pk=seller.pk).status == Seller.STATUS_UNSUBSCRIBED

    journey.goto(f"/factures/{invoice.pk}/", "read-only-invoice")
    assert journey.text(".banner.warning").startswith(journey.says(
        f"Compte désinscrit, en lecture seule : vos documents restent téléchargeables jusqu'au {until}.",
        f"Unsubscribed account, read-only: your documents remain downloadable until {until}."))
    assert page.locator("#resend").count() == 0
    with page.expect_download() as download:
        page.click("#download-pdf")
    with invoice.pdf.open("rb") as stored:
        assert Path(download.value.path()).read_bytes() == stored.read()
    journey.goto("/", "read-only-dashboard")
    assert page.locator("#sync-now").count() == 0
