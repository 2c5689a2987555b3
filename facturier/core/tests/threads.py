"""Run a callable from several threads at once, each with its own database connection, as concurrent workers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db import connections


def run_concurrently(target: Callable, arguments: Iterable[tuple]) -> tuple[list, list[Exception]]:
    """Start one thread per argument tuple behind a barrier; return (results, errors) once all are done."""
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    results: list = []
    errors: list[Exception] = []

    def run(args: tuple) -> None:
        barrier.wait()
        try:
            results.append(target(*args))
        except Exception as exc:  # collected for the test to assert on
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(args,)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
