"""SimulatorServer: the fake Octopia (token endpoint + /seller/v2 + /_simulator control) on stdlib HTTP.

Runs in a background thread for tests (`start()` returns the base URL, `stop()` ends it) or in the
foreground through cli.run. Needs neither Django nor a database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import datetime

from .api import API_PREFIX, TOKEN_PATH, seller_api, token_endpoint
from .control import CONTROL_PREFIX, control_api
from .faults import FaultConfig
from .scenarios import SCENARIOS
from .serving import LocalHandler, LocalServer, StateServer, read_request, write_response
from .state import DEFAULT_SELLER_ID, SimulatorState, Upload
from .wire import Request, Response, problem

logger = logging.getLogger(__name__)
FAULTS_ENV_VAR = "SIMULATOR_FAULTS"


def route(state: SimulatorState, request: Request) -> Response:
    try:
        if request.path == TOKEN_PATH:
            return token_endpoint(state, request)
        if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
            return seller_api(state, request)
        if request.path.startswith(CONTROL_PREFIX + "/"):
            return control_api(state, request)
        return problem(404, "Not Found", f"No resource at {request.path}.")
    except Exception:  # a simulator bug must answer 500, like a real server, not kill the thread
        logger.exception("Simulator failed on %s %s", request.method, request.path)
        return problem(500, "Internal Server Error", "The simulator failed; see its log.")


class _Handler(LocalHandler):
    server_version = "OctopiaSimulator/1"
    server: _Server

    def do_GET(self) -> None:
        path, query, body = read_request(self)
        write_response(self, route(self.server.state, Request(self.command, path, query, self.headers, body)))

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


class _Server(StateServer):
    state: SimulatorState

    def __init__(self, address: tuple[str, int], state: SimulatorState):
        super().__init__(address, _Handler, state)


class SimulatorServer(LocalServer):
    thread_name = "octopia-simulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | str = 0,
        orders: int = 30,
        faults: FaultConfig | str | Mapping[str, object] | None = None,
        now: datetime | None = None,
        sellers: Iterable[str] = (DEFAULT_SELLER_ID,),
        clients: Mapping[str, str] | None = None,
        token_ttl: int = 7200,
        import_polls_before_done: int = 1,
    ):
        """clients: {client_id: secret}; None accepts any client_id whose secret is "secret-<client_id>".
        faults: None reads SIMULATOR_FAULTS ("latency_ms=50,burst_429=2,..."); see faults.FaultConfig."""
        if faults is None:
            faults = os.environ.get(FAULTS_ENV_VAR, "")
        config = faults if isinstance(faults, FaultConfig) else FaultConfig.parse(faults)
        super().__init__(host, port)
        self.state = SimulatorState(
            seed=seed,
            orders=orders,
            sellers=sellers,
            faults=config,
            now=now,
            clients=clients,
            token_ttl=token_ttl,
            import_polls_before_done=import_polls_before_done,
        )

    def make_server(self) -> _Server:
        return _Server((self.host, self.port), self.state)

    def before_stop(self) -> None:
        self.state.stop_event.set()  # wakes handlers sleeping in a latency/timeout fault

    # -- addresses and credentials -----------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def auth_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def credentials(self, seller_id: str = DEFAULT_SELLER_ID) -> dict[str, str]:
        """client_id / client_secret / seller_id accepted by this simulator; creates the seller if new."""
        self.state.ensure_seller(str(seller_id))
        if self.state.clients:
            client_id, secret = next(iter(self.state.clients.items()))
        else:
            client_id = f"client-{seller_id}"
            secret = self.state.client_secret(client_id)
        return {"client_id": client_id, "client_secret": secret, "seller_id": str(seller_id)}

    # -- in-process control (same operations as /_simulator/) --------------------------------------

    def orders(self, seller_id: str = DEFAULT_SELLER_ID) -> list[dict]:
        with self.state.lock:
            return list(self.state.ensure_seller(seller_id).orders.values())

    def scenario_order(self, name: str, seller_id: str = DEFAULT_SELLER_ID) -> dict:
        """The order of a named scenario (see scenarios.SCENARIOS), e.g. "business" or "relay"."""
        if name not in dict(SCENARIOS):
            raise KeyError(f"unknown scenario {name!r}")
        return next(order for order in self.orders(seller_id) if order.get("reference") == f"SIM-{name}")

    def add_order(self, order: dict, seller_id: str = DEFAULT_SELLER_ID) -> None:
        self.state.put_order(seller_id, order)

    def set_order_status(self, order_id: str, status: str, seller_id: str = DEFAULT_SELLER_ID) -> dict:
        return self.state.set_order_status(seller_id, order_id, status)

    def add_refund(self, seller_id: str = DEFAULT_SELLER_ID, **refund: object) -> dict:
        return self.state.add_refund(seller_id, refund)

    def set_faults(self, **changes: object) -> None:
        self.state.faults.configure(self.state.faults.config.updated(changes))

    def reset(self) -> None:
        self.state.reset()

    def uploaded_invoices(self, seller_id: str = DEFAULT_SELLER_ID) -> list[Upload]:
        with self.state.lock:
            return list(self.state.ensure_seller(seller_id).uploads.values())

    def requests(self, since: int = 0) -> list[tuple[str, str, dict[str, str]]]:
        """The seller-API requests served from position `since` on: (method, path under /seller/v2, query)."""
        with self.state.lock:
            return list(self.state.requests[since:])

    @property
    def token_requests(self) -> int:
        return self.state.stats["token_requests"]

    @property
    def api_requests(self) -> int:
        return self.state.stats["api_requests"]
