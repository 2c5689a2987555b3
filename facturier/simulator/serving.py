"""A local HTTP server run in a daemon thread (tests, demo) or in the foreground (`python -m`): what the marketplace
and PA simulators share."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

from .wire import Response

logger = logging.getLogger(__name__)


def read_request(handler: BaseHTTPRequestHandler) -> tuple[str, dict[str, str], bytes]:
    """The request's path, its query (first value of each parameter) and its body."""
    url = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
    return url.path, query, body


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart/form-data body."""

    name: str  # the form field's name ("" when the part names none)
    filename: str  # "" for a plain field
    content_type: str  # as the part declared it, "" when it declared none
    content: bytes


def form_parts(content_type: str, body: bytes) -> list[FormPart]:
    """The parts of a multipart/form-data request body, in order; none when the body is not multipart."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    return [
        FormPart(
            name=part.get_param("name", header="content-disposition") or "",
            filename=part.get_filename() or "",
            content_type=part.get_content_type() if part.get("Content-Type") else "",
            content=part.get_payload(decode=True) or b"",
        )
        for part in message.iter_parts()
    ]


def write_response(handler: BaseHTTPRequestHandler, response: Response) -> None:
    try:
        handler.send_response(response.status)
        handler.send_header("Content-Type", response.content_type)
        handler.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(response.body)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client gave up (timeout fault): nothing to answer


class LocalHandler(BaseHTTPRequestHandler):
    """What every simulator's handler shares: keep-alive HTTP/1.1 as httpx expects, and answers sent at once."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle on, the body waits for the client's delayed ACK (up to 40 ms
    # a request on loopback), which no real server does.
    disable_nagle_algorithm = True
    timeout = 10  # idle keep-alive connections end instead of holding a thread forever

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class StateServer(ThreadingHTTPServer):
    """A threaded HTTP server holding the simulator's state for its handlers."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], state: object):
        super().__init__(address, handler)
        self.state = state

    def handle_error(self, request: object, client_address: object) -> None:
        logger.debug("Connection from %s ended abruptly", client_address, exc_info=True)


class LocalServer:
    thread_name = "simulator"

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def make_server(self) -> ThreadingHTTPServer:
        raise NotImplementedError

    def before_stop(self) -> None:
        """Called first by `stop` (e.g. to wake handlers sleeping in a fault)."""

    def start(self) -> str:
        self._server = self.make_server()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self.base_url

    def serve_forever(self) -> None:
        self._server = self.make_server()
        self.port = self._server.server_address[1]
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self.before_stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
