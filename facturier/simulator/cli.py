"""`facturier simulator --port 8100 --seed N --orders N`: run the Octopia simulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from .server import FAULTS_ENV_VAR, SimulatorServer
from .state import DEFAULT_SELLER_ID


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--seed", default="0", help="same seed, same orders")
    parser.add_argument("--orders", type=int, default=30, help="orders per seller (scenarios first)")
    parser.add_argument("--sellers", default=DEFAULT_SELLER_ID, help="comma-separated seller ids")
    parser.add_argument("--faults", default=None, help=f'e.g. "latency_ms=50,burst_429=2" (or ${FAULTS_ENV_VAR})')


def run(
    port: int = 8100,
    seed: int | str = 0,
    orders: int = 30,
    *,
    host: str = "127.0.0.1",
    sellers: Sequence[str] = (DEFAULT_SELLER_ID,),
    faults: str | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    server = SimulatorServer(host, port, seed=seed, orders=orders, faults=faults, sellers=sellers)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    credentials = server.credentials(sellers[0])
    sys.stdout.write(
        f"Octopia simulator on http://{host}:{port} (seed {seed}, {orders} orders per seller)\n"
        f"  OCTOPIA_API_URL=http://{host}:{port}/seller/v2\n"
        f"  OCTOPIA_AUTH_URL=http://{host}:{port}/auth/realms/maas/protocol/openid-connect/token\n"
        f"  client_id={credentials['client_id']} client_secret={credentials['client_secret']} "
        f"seller_id={credentials['seller_id']} (any client_id works with secret-<client_id>)\n"
    )
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.stdout.write("Simulator stopped.\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="facturier simulator", description=__doc__)
    add_arguments(parser)
    options = parser.parse_args(argv)
    run(
        options.port,
        options.seed,
        options.orders,
        host=options.host,
        sellers=[seller.strip() for seller in options.sellers.split(",") if seller.strip()],
        faults=options.faults,
    )
    return 0


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
