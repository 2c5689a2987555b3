"""Issue #13 "Nothing lost, nothing stuck": the real client, the simulator over HTTP and the database.

Each test serves one kind of bad data the outside test found, and checks that the order carries its reason,
that nothing is dropped and that the orders around it are read and invoiced.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import dateformat, translation

from facturier.accounts.models import MarketplaceConnection
from facturier.core.clock import PARIS, paris_date
from facturier.core.stored_text import render
from facturier.invoicing.issuing import issue_invoices
from facturier.invoicing.models import Invoice
from facturier.invoicing.tests.orders import market_order, order_line, sales_order
from facturier.jobs.tests.passes import run_pass
from facturier.portal.tests.helpers import logged_in
from facturier.sales import sync
from facturier.sales.eligibility import date_of_supply
from facturier.sales.models import RefundRecord, SalesOrder, SyncRun
from facturier.sales.sync import sync_seller
from facturier.simulator.generator import iso
from facturier.simulator.tests.fixtures import make_client
from facturier.simulator.variants import (
    first_title_of,
    set_first_line_quantity,
    total_paid_of,
    updated_at_of,
    variant,
)

ORDERS = 16  # the scenario orders: one odd order among them proves as much as among more


@pytest.fixture
def sim(start_simulator):
    return start_simulator(seed=99, orders=ORDERS)


@pytest.fixture
def seller(sim, connect_to_simulator):
    return connect_to_simulator(sim)


def stored(order_id: str) -> SalesOrder:
    return SalesOrder.objects.get(order_id=order_id)


@pytest.mark.django_db
def test_an_order_dated_in_the_future_never_moves_the_cursor_past_the_read(sim, seller):
    sim.add_order(variant(sim, "FUTURE0001", updated_at="2028-01-10T10:00:00Z"))
    before_read = datetime.now(UTC)
    sync_seller(seller, client=make_client(sim))
    cursor = MarketplaceConnection.objects.get(seller=seller).orders_cursor
    sim.add_order(variant(sim, "LATER00001"))

    sync_seller(seller, client=make_client(sim))

    assert before_read - timedelta(hours=1) < cursor <= datetime.now(UTC)
    assert stored("LATER00001").eligibility == SalesOrder.ELIGIBLE
    future = stored("FUTURE0001")
    assert future.eligibility == SalesOrder.INVALID
    assert render(future.reason) == (
        "Date invraisemblable envoyée par la marketplace : mise à jour 10 janvier 2028 à 11:00, dans le futur. "
        "La commande sera relue aux prochaines synchronisations."
    )


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_flag_their_order_and_every_other_order_is_read(sim, seller):
    sim.set_faults(non_utf8_orders=1)
    (damaged_id,) = sim.state.fault_targets("98979")["non_utf8"]

    run = sync_seller(seller, client=make_client(sim))

    assert run.status == SyncRun.SUCCEEDED, render(run.message)
    assert SalesOrder.objects.count() == ORDERS
    damaged = stored(damaged_id)
    assert damaged.eligibility == SalesOrder.INVALID
    assert render(damaged.reason).startswith(
        "Texte abîmé reçu de la marketplace (octets qui ne sont pas de l'UTF-8 dans "
    )
    title = first_title_of(sim.state.sellers["98979"].orders[damaged_id]) + " – édition été"
    # Sent in Latin-1: each byte above 127 is not UTF-8 (one U+FFFD each); what Latin-1 lacks was sent as "?".
    latin1_read = "".join(c if ord(c) < 128 else "\ufffd" if ord(c) < 256 else "?" for c in title)
    assert damaged.lines.get(position=1).title == latin1_read


@pytest.mark.django_db
def test_an_order_served_malformed_once_is_fetched_again_and_ends_as_a_clean_read_leaves_it(
    sim, seller, connect_to_simulator
):
    sim.set_faults(malformed_orders=3)
    broken_ids = sorted(sim.state.malformed_reasons("98979"))
    sync_seller(seller, client=make_client(sim))
    assert sorted(SalesOrder.objects.filter(eligibility=SalesOrder.INVALID).values_list("order_id", flat=True)) == (
        broken_ids
    )
    sim.set_faults(malformed_orders=0)

    sync_seller(seller, client=make_client(sim))

    reference = connect_to_simulator(sim, holds_account=False)
    sync_seller(reference, client=make_client(sim))
    verdicts = {s: dict(SalesOrder.objects.filter(seller=s).values_list("order_id", "eligibility")) for s in
                (seller, reference)}  # fmt: skip
    assert verdicts[seller] == verdicts[reference]
    assert SalesOrder.objects.filter(seller=seller, eligibility=SalesOrder.INVALID).count() == 0


@pytest.mark.django_db
def test_an_order_in_another_currency_is_refused_with_its_reason_and_never_invoiced(sim, seller):
    sim.add_order(variant(sim, "DOLLARS001", currency="USD"))

    run_pass(seller, "test")

    order = stored("DOLLARS001")
    assert order.eligibility == SalesOrder.FOREIGN_CURRENCY
    assert render(order.reason) == (
        "Commande en USD : seules les commandes en euros (EUR) sont facturées automatiquement ; "
        "cette commande ne peut pas être facturée automatiquement."
    )
    assert not Invoice.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_an_order_without_currency_is_refused_never_assumed_in_euros(sim, seller):
    sim.add_order(variant(sim, "NOCURRENCY", currency=None))

    run_pass(seller, "test")

    assert (stored("NOCURRENCY").eligibility, render(stored("NOCURRENCY").reason)) == (
        SalesOrder.FOREIGN_CURRENCY,
        "Devise de la commande absente : cette commande ne peut pas être facturée automatiquement.",
    )


@pytest.mark.django_db
def test_implausible_quantities_and_prices_leave_the_eligible_state_with_their_reason(sim, seller):
    sim.add_order(variant(sim, "QTYZERO001", quantity=0))
    sim.add_order(variant(sim, "QTYHUGE001", quantity=10**12))
    sim.add_order(variant(sim, "PRICEHUGE1", unit_price=10**13))

    first = run_pass(seller, "test")
    second = run_pass(seller, "test")

    reasons = {o.order_id: (o.eligibility, render(o.reason)) for o in SalesOrder.objects.filter(order_id__in=[
        "QTYZERO001", "QTYHUGE001", "PRICEHUGE1"])}  # fmt: skip
    assert reasons == {
        "QTYZERO001": (SalesOrder.INVALID, "Ligne 1 : quantité 0, invraisemblable pour une ligne expédiée."),
        "QTYHUGE001": (SalesOrder.INVALID, "Ligne 1 : quantité 1000000000000, au-delà de 100000 : invraisemblable."),
        "PRICEHUGE1": (
            SalesOrder.INVALID,
            "Ligne 1 : prix unitaire 10000000000000 €, au-delà de 1000000 € : invraisemblable.",
        ),
    }
    assert Invoice.objects.filter(order__order_id__in=reasons).count() == 0
    assert (first.status, second.status) == (SyncRun.SUCCEEDED, SyncRun.SUCCEEDED)
    assert "QTY" not in render(first.message) + render(second.message)


@pytest.mark.django_db
def test_an_order_whose_invoice_cannot_be_worked_out_leaves_the_eligible_state_with_the_reason(seller):
    # Stored before quantities were checked at sync time: issuing finds out, and says so on the order.
    order = sales_order(seller, market_order("LEGACYQTY0", [order_line("1", "12.00", quantity=0)]))
    SalesOrder.objects.filter(pk=order.pk).update(eligibility=SalesOrder.ELIGIBLE, reason="")  # its verdict then

    batch = issue_invoices([order])

    order.refresh_from_db()
    assert batch.issued == []
    assert order.eligibility == SalesOrder.INVALID
    assert render(order.reason) == (
        "La facture n'a pas pu être établie : erreur interne « 1: quantity must be positive, got 0 ». Elle sera "
        "tentée à nouveau dès que la marketplace enverra d'autres données pour cette commande."
    )


@pytest.mark.django_db
def test_an_order_served_twice_in_a_page_keeps_its_newest_copy_and_the_conflict_is_recorded(
    start_simulator, connect_to_simulator
):
    sim = start_simulator(seed=99, orders=1)  # the b2c scenario alone: shipped in France, to be invoiced
    seller = connect_to_simulator(sim)
    sim.set_faults(duplicated_orders=1)
    (order_id,) = sim.state.fault_targets("98979")["duplicated"]
    fresh = sim.state.sellers["98979"].orders[order_id]

    run = run_pass(seller, "test")

    order = stored(order_id)
    assert order.eligibility == SalesOrder.ELIGIBLE
    assert order.marketplace_updated_at == updated_at_of(fresh)
    invoice = Invoice.objects.get(order=order, kind=Invoice.KIND_INVOICE)
    assert invoice.total_gross == total_paid_of(fresh)
    fresh_at = updated_at_of(fresh)
    stale_at = fresh_at - timedelta(days=1)
    note = (
        f"{order_id} : reçue 2 fois dans la même page avec des contenus différents ; gardé la version mise à jour "
        f"le plus récemment ({french_moment(fresh_at)}), "
        f"écarté celle du {french_moment(stale_at)}."
    )
    assert note in render(run.message).splitlines()
    assert [render(entry["note"]) for entry in order.sync_notes] == [note]
    assert updated_at_of(order.sync_notes[0]["discarded"]) == stale_at


@pytest.mark.django_db
def test_nul_characters_and_overlong_ids_are_stored_with_their_reason(sim, seller):
    long_id = "L" * 80
    sim.add_order(variant(sim, "NULCHAR001", billing_last_name="Mar\u0000tin"))
    sim.add_order(variant(sim, long_id))
    sim.add_refund(kind="commercial_gesture", orderId=long_id, amount="4.00", id="CG-LONG")

    run = sync_seller(seller, client=make_client(sim))

    assert run.status == SyncRun.SUCCEEDED
    assert run.orders_seen == ORDERS + 2
    nul = stored("NULCHAR001")
    assert (nul.eligibility, nul.billing_last_name) == (SalesOrder.INVALID, "Mar\ufffdtin")
    assert render(nul.reason).startswith("Texte abîmé reçu de la marketplace (caractère NUL dans ")
    (long,) = SalesOrder.objects.filter(order_id__startswith="LLLL")
    assert len(long.order_id) == 64
    assert long.full_order_id == long_id
    assert long.eligibility == SalesOrder.INVALID
    assert render(long.reason) == (
        f"Identifiant de commande de 80 caractères (64 au plus) : enregistré sous {long.order_id}, l'identifiant "
        "complet est gardé dans les données reçues."
    )
    refund = RefundRecord.objects.get(refund_id="gesture:CG-LONG")
    assert (refund.order, refund.marketplace_order_id, refund.amount_gross) == (long, long.order_id, Decimal("4.00"))


@pytest.mark.django_db
def test_the_date_of_supply_falls_back_to_the_first_sync_that_saw_the_order_shipped(sim, seller):
    sim.add_order(variant(sim, "NOEVENTS01", shipping_events=False))
    before = datetime.now(UTC)

    run_pass(seller, "test")

    row = stored("NOEVENTS01")
    assert before <= row.first_seen_shipped_at <= datetime.now(UTC)
    assert row.shipped_at == row.first_seen_shipped_at
    assert Invoice.objects.get(order=row).delivery_date == paris_date(row.first_seen_shipped_at)


@pytest.mark.django_db
def test_the_date_of_supply_of_an_order_never_seen_shipped_by_the_sync_is_its_ship_by_date(seller):
    ship_by = datetime(2026, 9, 4, 16, 0, tzinfo=UTC)
    order = sales_order(seller, market_order("NOEVENTS02", [order_line("1", "12.00")], shipped=False, ship_by=ship_by))
    assert date_of_supply(market_order("NOEVENTS02", [], shipped=False, ship_by=ship_by), None) == ship_by
    SalesOrder.objects.filter(pk=order.pk).update(first_seen_shipped_at=None, shipped_at=ship_by)  # as sync stores it
    order.refresh_from_db()

    (invoice,) = issue_invoices([order]).issued

    assert invoice.delivery_date == date(2026, 9, 4)


@pytest.mark.django_db
def test_a_refund_dated_in_the_future_never_moves_the_refunds_cursor_past_the_read(sim, seller):
    order_id = sim.scenario_order("gesture")["orderId"]
    future = sim.add_refund(kind="commercial_gesture", orderId=order_id, amount="1.00", id="CG-FUTURE")
    future.update(createdAt="2028-01-10T10:00:00Z", updatedAt="2028-01-10T10:00:00Z")
    sync_seller(seller, client=make_client(sim))
    sim.add_refund(kind="commercial_gesture", orderId=order_id, amount="2.00", id="CG-LATER")

    sync_seller(seller, client=make_client(sim))

    assert MarketplaceConnection.objects.get(seller=seller).refunds_cursor <= datetime.now(UTC)
    assert RefundRecord.objects.get(refund_id="gesture:CG-LATER").amount_gross == Decimal("2.00")


def invalid_in_the_past(sim, order_id: str, days: int) -> dict:
    """An order refused for its quantity 0, last updated `days` ago: later listings (past the cursor) skip it."""
    updated = iso(sim.state.clock() - timedelta(days=days))
    return variant(sim, order_id, updated_at=updated, quantity=0)


@pytest.mark.django_db
def test_an_invalid_order_the_marketplace_no_longer_has_does_not_take_every_refetch_turn(sim, seller, monkeypatch):
    monkeypatch.setattr(sync, "REFETCH_INVALID_PER_PASS", 1)
    for order_id in ("GONE000001", "KEPT000001", "KEPT000002"):
        sim.add_order(invalid_in_the_past(sim, order_id, days=3))
    sync_seller(seller, client=make_client(sim))
    first_read = stored("GONE000001").last_seen_at
    for rank, order_id in enumerate(("GONE000001", "KEPT000001", "KEPT000002")):  # least recently seen first
        SalesOrder.objects.filter(order_id=order_id).update(last_seen_at=first_read - timedelta(minutes=3 - rank))
    with sim.state.lock:
        del sim.state.sellers["98979"].orders["GONE000001"]
    for order_id in ("KEPT000001", "KEPT000002"):
        set_first_line_quantity(sim, order_id, 1)  # fixed, its update date untouched

    runs = [sync_seller(seller, client=make_client(sim)) for _ in range(3)]

    assert [run.status for run in runs] == [SyncRun.SUCCEEDED] * 3
    assert (stored("KEPT000001").eligibility, stored("KEPT000002").eligibility) == (SalesOrder.ELIGIBLE,) * 2
    gone = stored("GONE000001")
    assert (gone.eligibility, render(gone.reason)) == (
        SalesOrder.INVALID,
        "Ligne 1 : quantité 0, invraisemblable pour une ligne expédiée.",
    )
    assert ["GONE000001" in render(run.message) for run in runs] == [True, False, False]
    assert [note.get("kind") for note in gone.sync_notes] == ["gone"]
    tried_at = datetime.fromisoformat(gone.sync_notes[0]["at"]).astimezone(PARIS)
    assert render(gone.sync_notes[0]["note"]) == (
        f"La marketplace ne renvoie plus cette commande (dernier essai le {french_moment(tried_at)}) ; elle "
        "garde la raison de sa dernière lecture."
    )
    page = logged_in(seller).get("/commandes/").content.decode()
    assert render(gone.sync_notes[0]["note"]) in html.unescape(page)


@pytest.mark.django_db
def test_an_order_whose_invoice_failed_stays_invalid_until_the_marketplace_changes_it(sim, seller):
    sim.add_order(variant(sim, "TWINLINES1", twin_lines=True))
    first = run_pass(seller, "test")
    failed = stored("TWINLINES1")
    assert failed.eligibility == SalesOrder.INVALID
    assert render(failed.reason) == (
        "La facture n'a pas pu être établie : erreur interne « line keys must be unique: ['1', '1', 'shipping@20'] ». "
        "Elle sera tentée à nouveau dès que la marketplace enverra d'autres données pour cette commande."
    )
    assert "TWINLINES1" in render(first.message)

    second = run_pass(seller, "test")

    again = stored("TWINLINES1")
    assert (again.eligibility, again.reason) == (failed.eligibility, failed.reason)
    assert "TWINLINES1" not in render(second.message)
    changed = variant(sim, "TWINLINES1")  # one line now, its update date moved on
    sim.add_order(changed)
    run_pass(seller, "test")
    fixed = stored("TWINLINES1")
    assert (fixed.eligibility, render(fixed.reason), fixed.unworkable_digest) == (SalesOrder.ELIGIBLE, "", "")
    assert Invoice.objects.filter(order=fixed, kind=Invoice.KIND_INVOICE).count() == 1


@pytest.mark.django_db
def test_the_seller_sees_the_copy_left_out_on_the_invoiced_orders_page(
    start_simulator, connect_to_simulator, make_seller
):
    sim = start_simulator(seed=99, orders=1)
    seller = connect_to_simulator(sim)
    sim.set_faults(duplicated_orders=1)
    (order_id,) = sim.state.fault_targets("98979")["duplicated"]
    run_pass(seller, "test")
    order = stored(order_id)
    invoice = Invoice.objects.get(order=order, kind=Invoice.KIND_INVOICE)
    url = reverse("portal:invoice_detail", args=[invoice.pk])

    page = html.unescape(logged_in(seller).get(url).content.decode())

    notes = [render(entry["note"]) for entry in order.sync_notes]
    assert [note for note in notes if note in page] == [notes[0]]
    assert "Remarques de la synchronisation" in page
    assert logged_in(make_seller(legal_name="Gamma SARL")).get(url).status_code == 404


def french_moment(moment) -> str:
    """The French pages' one date format (config/formats/fr), with seconds, in Paris time."""
    with translation.override("fr"):
        return dateformat.format(moment.astimezone(PARIS), "j F Y à H:i:s")
