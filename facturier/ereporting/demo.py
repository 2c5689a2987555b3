"""The demo seller's reform set-up: French, an SME that opted in early, connected to a PA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facturier.accounts.models import Seller
from facturier.accounts.reform import PAConnection, ReformProfile

DEMO_EARLY_START = date(2026, 9, 1)


@dataclass(frozen=True)
class PASettings:
    flow_url: str
    token_url: str
    client_id: str
    client_secret: str
    pa_code: str
    pa_name: str


def connect_demo_seller(seller: Seller, pa: PASettings) -> None:
    ReformProfile.objects.update_or_create(
        seller=seller,
        defaults={
            "established_in_france": True,
            "company_size": ReformProfile.SIZE_SME,
            "early_start": DEMO_EARLY_START,
            "vat_regime": ReformProfile.REGIME_MONTHLY,
            "pa_code": pa.pa_code,
            "pa_name": pa.pa_name,
        },
    )
    PAConnection.objects.update_or_create(
        seller=seller,
        defaults={"flow_url": pa.flow_url, "token_url": pa.token_url, "client_id": pa.client_id,
                  "client_secret": pa.client_secret, "status": PAConnection.STATUS_UNTESTED, "status_message": ""},
    )
