"""The benchmark's SMTP server: it speaks enough SMTP for smtplib and Django, accepts every message and counts it.

The tests run aiosmtpd as a real server; here it would cost more than the work being measured: it reads a
message line by line in Python (about 2.5 ms for a 70 KB invoice email on this machine), on the same two cores
as the workers. This sink reads DATA in blocks and only looks for the end-of-data marker.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time

END_OF_DATA = b"\r\n.\r\n"
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*([^\r\n]+)", re.IGNORECASE | re.MULTILINE)
HEADERS_READ = 16384  # the Message-ID is among the headers, well before the attachment
EHLO_REPLY = b"250-facturier-bench\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 52428800\r\n"


class SinkProtocol(asyncio.Protocol):
    def __init__(self, sink: CountingSmtpSink) -> None:
        self.sink = sink
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 facturier-bench ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    # Keep the tail: the marker may straddle two reads.
                    return
                head = self.buffer[: min(end, HEADERS_READ)] if self.sink.timestamps is not None else b""
                self.buffer = self.buffer[end + len(END_OF_DATA) :]
                self.in_data = False
                self.sink.received(head)
                self.transport.write(b"250 OK\r\n")
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                return
            self.buffer = rest
            self.command(line.split(b" ", 1)[0].upper())

    def command(self, verb: bytes) -> None:
        if verb == b"EHLO":
            self.transport.write(EHLO_REPLY)
        elif verb == b"DATA":
            self.in_data = True
            # The marker is searched from the CRLF that ends the DATA line, so an empty message is seen too.
            self.buffer = b"\r\n" + self.buffer
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self.transport.write(b"250 OK\r\n")
        else:
            self.transport.write(b"502 Command not implemented\r\n")


class CountingSmtpSink:
    """A loopback SMTP server in a thread of its own; `count` is the number of messages accepted."""

    def __init__(self, host: str = "127.0.0.1", *, timestamps: bool = False) -> None:
        self.host = host
        self.port = 0
        self.count = 0
        # With `timestamps`, the moment (time.time()) each message was accepted, by its Message-ID (as sent, "<...>").
        self.timestamps: dict[str, float] | None = {} if timestamps else None
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="bench-smtp-sink", daemon=True)

    def received(self, head: bytes = b"") -> None:
        moment = time.time()
        with self._lock:
            self.count += 1
            if self.timestamps is not None and (found := MESSAGE_ID.search(head)):
                self.timestamps[found.group(1).decode("ascii", "replace").strip()] = moment

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: SinkProtocol(self), self.host, 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()
