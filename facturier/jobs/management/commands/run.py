"""`facturier run`: the embedded default in the foreground — simulator, worker with its schedule, web portal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from facturier.jobs import demo, inline
from facturier.jobs.pa_demo import start_demo_pa

WEB_ADDRESS = "127.0.0.1:8000"


def serve_portal(address: str) -> None:
    """Django's development server with DEBUG off: it serves the static files only when told to (--insecure)."""
    call_command("runserver", address, use_reloader=False, insecure_serving=True)


class Command(BaseCommand):
    help = "Run Facturier's embedded default (SQLite, .eml outbox, simulator, demo seller) on http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=40, help="orders in the built-in simulator")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, orders: int, seed: int, **options):
        # SIGTERM (a supervisor, `timeout`) stops everything as Ctrl-C does: the worker is never left behind.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the shared cache (log-in throttling) is a table here
        simulator = self._start_simulator(orders, seed)
        mirakl_simulator = self._start_mirakl_simulator(seed)
        worker = self._start_worker()
        pa_simulator = None
        try:
            seller = demo.ensure_demo_seller()
            demo.ensure_mirakl_connection(seller, mirakl_simulator.base_url if mirakl_simulator else "")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Portal: http://{WEB_ADDRESS}/  login: {demo.DEMO_EMAIL}  password: {demo.DEMO_PASSWORD}"
                )
            )
            run = inline.run_pass(seller, trigger="start")
            self.stdout.write(
                f"First sync: {run.orders_seen} orders seen, {run.invoices_issued} invoices issued. "
                f"Mail outbox: {settings.EMAIL_FILE_PATH or settings.EMAIL_BACKEND}"
            )
            pa_simulator = start_demo_pa(seller, self.stdout.write)
            serve_portal(WEB_ADDRESS)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
            if simulator:
                simulator.stop()
            if mirakl_simulator:
                mirakl_simulator.stop()
            if pa_simulator:
                pa_simulator.stop()

    def _start_simulator(self, orders: int, seed: int):
        if os.environ.get("OCTOPIA_API_URL"):
            self.stdout.write(f"Marketplace API: {settings.OCTOPIA_API_URL} (from the environment)")
            return None
        from facturier.simulator.server import SimulatorServer

        simulator = SimulatorServer("127.0.0.1", settings.SIMULATOR_PORT, seed=seed, orders=orders)
        simulator.start()
        self.stdout.write(f"Marketplace simulator: {settings.OCTOPIA_API_URL} ({orders} orders, seed {seed})")
        return simulator

    def _start_mirakl_simulator(self, seed: int):
        if os.environ.get("MIRAKL_API_URL"):
            self.stdout.write(f"Mirakl API: {os.environ['MIRAKL_API_URL']} (from the environment)")
            return None
        from facturier.simulator.mirakl.server import MiraklSimulatorServer

        simulator = MiraklSimulatorServer("127.0.0.1", settings.MIRAKL_SIMULATOR_PORT, seed=seed, orders=20)
        simulator.start()
        self.stdout.write(f"Mirakl simulator: {simulator.base_url} (20 orders, shop {demo.DEMO_MIRAKL_SHOP_ID})")
        return simulator

    def _start_worker(self) -> subprocess.Popen:
        for folder in ("queue", "processed", "control"):
            (settings.VAR_DIR / "celery" / folder).mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=WARNING",
            "-s",
            str(settings.VAR_DIR / "celery" / "beat-schedule"),
        ]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        return subprocess.Popen(command, env=env)
