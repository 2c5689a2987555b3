"""The demo's plateforme agréée: the one named by FACTURIER_PA_* in the environment, else the built-in simulator."""

from __future__ import annotations

import os

from facturier.accounts.models import Seller
from facturier.ereporting.demo import PASettings, connect_demo_seller
from facturier.ereporting.reports import run_seller

ENVIRONMENT = ("FACTURIER_PA_URL", "FACTURIER_PA_TOKEN_URL", "FACTURIER_PA_CLIENT_ID", "FACTURIER_PA_CLIENT_SECRET")
SIMULATOR_PORT = int(os.environ.get("FACTURIER_PA_SIMULATOR_PORT", "8101"))
SIMULATOR_REJECT_EVERY = 4  # the demo shows a rejected report now and then


def start_demo_pa(seller: Seller, say):
    """Connect the demo seller to its PA and run a first e-reporting pass; returns the simulator to stop, if any."""
    simulator = None
    if all(os.environ.get(name) for name in ENVIRONMENT):
        url, token_url, client_id, secret = (os.environ[name] for name in ENVIRONMENT)
        pa = PASettings(url, token_url, client_id, secret, os.environ.get("FACTURIER_PA_CODE", "0000"),
                        os.environ.get("FACTURIER_PA_NAME", "PA"))
        say(f"Plateforme agréée: {url} (from the environment)")
    else:
        from facturier.pa_simulator.server import PASimulator

        simulator = PASimulator("127.0.0.1", SIMULATOR_PORT)
        simulator.start()
        simulator.set_faults(reject_every=SIMULATOR_REJECT_EVERY)
        credentials = simulator.credentials()
        pa = PASettings(credentials["flow_url"], credentials["token_url"], credentials["client_id"],
                        credentials["client_secret"], "9999", "PA simulateur")
        say(f"PA simulator (AFNOR Flow Service): {simulator.base_url}")
    connect_demo_seller(seller, pa)
    result = run_seller(seller)
    say(f"E-reporting: {result.built} reports built, {result.sent} sent to the PA")
    return simulator
