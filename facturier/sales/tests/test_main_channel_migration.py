"""Migration 0011 renames the stored marketplace's own channel, "cdiscount", to the neutral "main"; other channels
(a seller's opt-ins name them) are left as they are."""

from __future__ import annotations

import pytest

from facturier.core.tests.migrations import latest_schema_after, migrate  # noqa: F401 (a fixture)
from facturier.sales.models import SalesOrder

BEFORE = [("sales", "0010_search_text")]
AFTER = [("sales", "0011_main_sales_channel")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_the_own_storefront_becomes_main_and_other_channels_stay(seller_a):
    Order = migrate(BEFORE).get_model("sales", "SalesOrder")
    for order_id, channel in (("OWN", "cdiscount"), ("PARTNER", "OCTOBE"), ("NONE", "")):
        Order.objects.create(seller_id=seller_a.pk, order_id=order_id, eligibility="eligible", sales_channel=channel)

    migrate(AFTER)

    assert dict(SalesOrder.objects.values_list("order_id", "sales_channel")) == {
        "OWN": "main", "PARTNER": "OCTOBE", "NONE": "",
    }  # fmt: skip
    migrate(BEFORE)
    assert SalesOrder.objects.get(order_id="OWN").sales_channel == "cdiscount"
