from decimal import Decimal

from facturier.documents.layout import TableRow, plan_pages
from facturier.documents.snapshot import DocumentLine

LINE = DocumentLine(1, "x", Decimal(1), Decimal(1), Decimal(1), "S", Decimal(20))


def _rows(count: int, lines_each: int = 1) -> list[TableRow]:
    return [TableRow(LINE, ("x",) * lines_each, "") for _ in range(count)]  # height 17 each


def test_everything_on_one_page_when_it_fits():
    assert [len(page) for page in plan_pages(_rows(3), 100, 200, 40)] == [3]


def test_rows_overflow_to_following_pages():
    assert [len(page) for page in plan_pages(_rows(10), 60, 100, 0)] == [3, 5, 2]


def test_last_row_is_carried_over_when_the_totals_do_not_fit():
    assert [len(page) for page in plan_pages(_rows(5), 100, 200, 40)] == [4, 1]


def test_a_lone_row_is_not_carried_and_totals_get_their_own_page():
    assert [len(page) for page in plan_pages(_rows(1), 20, 200, 40)] == [1, 0]


def test_a_row_taller_than_a_page_still_gets_placed_and_the_totals_follow():
    assert [len(page) for page in plan_pages(_rows(1, lines_each=30), 100, 100, 0)] == [1, 0]
