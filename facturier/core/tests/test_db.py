"""core.db helpers that need no database."""

from __future__ import annotations

from facturier.core.db import in_batches, values_rows


def test_ids_come_in_consecutive_batches_the_last_one_shorter():
    assert in_batches([1, 2, 3, 4, 5, 6, 7], 3) == [[1, 2, 3], [4, 5, 6], [7]]
    assert in_batches((1, 2), 2) == [[1, 2]]
    assert in_batches([], 50) == []


def test_values_rows_gives_a_values_list_with_a_placeholder_per_value_and_the_flat_parameters():
    assert values_rows([(1, "a"), (2, "b")]) == ("(VALUES (%s, %s), (%s, %s)) AS v", [1, "a", 2, "b"])
