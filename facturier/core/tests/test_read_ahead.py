"""read_ahead: the same items in the same order, the next one produced while the caller holds the current one,
errors raised where a plain loop would raise them, and an early exit stops the producing thread."""

from __future__ import annotations

import threading

import pytest
from django.utils import translation

from facturier.core.read_ahead import read_ahead

WAIT = 5  # seconds; only reached when the behaviour under test is broken


def test_items_come_in_order_and_all_of_them():
    assert list(read_ahead(iter(range(250)), depth=3)) == list(range(250))
    assert list(read_ahead(iter([]))) == []


def test_the_next_item_is_produced_while_the_caller_still_holds_the_current_one():
    second_started = threading.Event()

    def listing():
        yield "page 1"
        second_started.set()
        yield "page 2"

    reader = read_ahead(listing())
    assert next(reader) == "page 1"
    assert second_started.wait(WAIT)  # the caller has not asked for page 2 yet
    assert list(reader) == ["page 2"]


def test_an_error_is_raised_after_the_items_produced_before_it():
    def listing():
        yield 1
        yield 2
        raise ConnectionError("page 3 unreadable")

    seen = []
    with pytest.raises(ConnectionError, match="page 3 unreadable"):
        for item in read_ahead(listing()):
            seen.append(item)
    assert seen == [1, 2]


def test_leaving_the_loop_early_stops_the_producer():
    produced = []
    finished = threading.Event()

    def listing():
        try:
            for number in range(1000):
                produced.append(number)
                yield number
        finally:
            finished.set()

    for item in read_ahead(listing(), depth=1):
        if item == 2:
            break

    assert finished.wait(WAIT)
    # 0, 1, 2 taken; at most one waiting in the queue and one in the producer's hand when it saw the stop
    assert produced == list(range(len(produced)))
    assert 3 <= len(produced) <= 5


def test_the_thread_produces_in_the_callers_language():
    def languages():
        yield translation.get_language()

    with translation.override("en"):
        assert list(read_ahead(languages())) == ["en"]
    with translation.override("fr"):
        assert list(read_ahead(languages())) == ["fr"]
