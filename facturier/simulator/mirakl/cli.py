"""`python -m facturier.simulator.mirakl --port 8102 --seed N --orders N`: the Mirakl simulator, in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from .server import DEFAULT_API_KEY, DEFAULT_SHOP_ID, MiraklSimulatorServer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facturier.simulator.mirakl", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--seed", default="0", help="same seed, same orders")
    parser.add_argument("--orders", type=int, default=20, help="orders of the shop (scenarios first)")
    parser.add_argument("--faults", default="", help='e.g. "latency_ms=50,burst_429=2"')
    options = parser.parse_args(argv)
    server = MiraklSimulatorServer(
        options.host, options.port, seed=options.seed, orders=options.orders, faults=options.faults
    )
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    sys.stdout.write(
        f"Mirakl simulator on http://{options.host}:{options.port} ({options.orders} orders)\n"
        f"  MIRAKL_API_URL=http://{options.host}:{options.port} MIRAKL_API_KEY={DEFAULT_API_KEY} "
        f"MIRAKL_SHOP_ID={DEFAULT_SHOP_ID}\n"
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stdout.write("Mirakl simulator stopped.\n")
    return 0


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
