"""issue_each: one item's defect is recorded and the others go on; a lost database connection stops the loop."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from facturier.invoicing.services import issue_each


def issue_all_but_defective(item: str) -> str | None:
    if item == "defective":
        raise ValueError("no VAT rate for this line")
    return None if item == "nothing due" else f"document of {item}"


def test_a_defective_item_is_recorded_and_the_others_are_issued():
    issued, errors = issue_each(["a", "defective", "nothing due", "b"], issue_all_but_defective, str.upper)

    assert (issued, errors) == (2, ["DEFECTIVE : no VAT rate for this line"])


def test_a_lost_connection_is_raised_for_the_task_to_retry():
    seen = []

    def issue(item: str) -> str:
        seen.append(item)
        if item == "b":
            raise OperationalError("server closed the connection unexpectedly")
        return item

    with pytest.raises(OperationalError, match="server closed the connection"):
        issue_each(["a", "b", "c"], issue, str)
    assert seen == ["a", "b"]
