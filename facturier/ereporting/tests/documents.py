"""Issued documents with any issue date, their amounts allocated by the real facturier.tax.allocation."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal

from facturier.core.clock import PARIS
from facturier.invoicing.models import Invoice, InvoiceLine
from facturier.sales.models import SalesOrder
from facturier.tax.allocation import GrossLine, allocate

_numbers = itertools.count(1)


def issue(seller, day: date, lines: list[tuple[str, str]], *, credit_note: bool = False,
          vat_case: str = "FR_DOMESTIC", buyer_vat: str = "", line_kind: str = "goods") -> Invoice:
    """One document of `lines` = [(gross, rate)], issued on `day`."""
    number = next(_numbers)
    allocation = allocate([
        GrossLine(key=str(i), quantity=Decimal(1), gross_amount=Decimal(gross), rate=Decimal(rate))
        for i, (gross, rate) in enumerate(lines)
    ])
    order = SalesOrder.objects.create(
        seller=seller, order_id=f"T{number:09d}", status="Shipped", eligibility=SalesOrder.ELIGIBLE, raw={},
        placed_at=datetime.combine(day, time(9), tzinfo=PARIS),
    )
    kind = Invoice.KIND_CREDIT_NOTE if credit_note else Invoice.KIND_INVOICE
    invoice = Invoice.objects.create(
        seller=seller, kind=kind, number=f"{kind[:2].upper()}-{number:06d}", sequence=number,
        series_key=f"test:{seller.pk}:{kind}", order=order, issued_at=datetime.combine(day, time(12), tzinfo=PARIS),
        issue_date=day, order_reference=order.order_id, vat_case=vat_case, seller_snapshot={},
        buyer_snapshot={"name": "Client", "vat_number": buyer_vat},
        vat_breakdown=[
            {"category": "S", "rate": str(t.rate), "taxable_amount": str(t.taxable_amount),
             "tax_amount": str(t.tax_amount)}
            for t in allocation.totals
        ],
        total_net=allocation.total_net, total_vat=allocation.total_vat, total_gross=allocation.total_gross,
        amount_paid=allocation.total_gross,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, kind=line_kind, description="Article",
                    quantity=net.quantity, unit_net_price=net.unit_net_price, net_amount=net.net_amount,
                    gross_amount=net.gross_amount, vat_category="S", vat_rate=net.rate)
        for position, net in enumerate(allocation.lines, start=1)
    )
    return invoice


def reform_seller(make_seller, *, pa_code: str = "0042", regime: str = "normal_quarterly", **overrides):
    from facturier.accounts.reform import ReformProfile

    seller = make_seller(**overrides)
    ReformProfile.objects.create(
        seller=seller, established_in_france=seller.country == "FR", company_size=ReformProfile.SIZE_LARGE,
        vat_regime=regime, pa_code=pa_code, pa_name="PA de test",
    )
    return seller
