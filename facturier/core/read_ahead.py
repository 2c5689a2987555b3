"""Reading the next page of a remote listing while the current one is being stored.

A marketplace answers a page in tens to hundreds of milliseconds; storing a page takes about as long. Reading one
page ahead in a thread overlaps the two, so a sync takes the longer of them per page instead of their sum. The
thread only talks HTTP (the client is used by it alone); everything that touches the database stays in the caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.utils import translation

T = TypeVar("T")
_END = object()
_POLL_SECONDS = 0.1


def read_ahead(items: Iterable[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what `items` yields, while a thread already produces up to `depth` more.

    An exception raised by `items` is raised here after the items produced before it, as a plain loop would.
    Leaving the loop early (a break, an exception in the caller) stops the thread before its next item.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()
    # The thread works in the caller's language: texts written while producing (the reasons of the orders parsed
    # from a page) are in the language they would have had in a plain loop.
    language = translation.get_language()
    producer = threading.Thread(
        target=_produce, args=(items, ready, stopped, language), name="read-ahead", daemon=True
    )
    producer.start()
    try:
        while True:
            item, error = ready.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stopped.set()


def _produce(items: Iterable, ready: queue.Queue, stopped: threading.Event, language: str | None) -> None:
    try:
        with translation.override(language):
            for item in items:
                if not _offer(ready, stopped, (item, None)):
                    return
    except BaseException as error:  # handed to the consumer, who raises it where the loop would have
        _offer(ready, stopped, (_END, error))
    else:
        _offer(ready, stopped, (_END, None))


def _offer(ready: queue.Queue, stopped: threading.Event, entry: tuple) -> bool:
    """Put `entry` for the consumer; False once the consumer has left."""
    while not stopped.is_set():
        try:
            ready.put(entry, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False
