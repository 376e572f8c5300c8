"""Paging the invoice list in SQL: filters, search, order, totals, and the index it uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from cp_tui.bootstrap import Services
from cp_tui.clock import FrozenClock
from cp_tui.services.errors import InvalidInput
from cp_tui.services.invoice_query import STATUS_FILTERS
from cp_tui.services.readmodels import InvoiceSummary
from tests.conftest import Practice


def bill(services: Services, client: int, price: str, on_days_ago: int, clock: FrozenClock) -> str:
    """An invoice of one item issued ``on_days_ago`` before today; the clock comes back."""
    clock.advance(timedelta(days=-on_days_ago))
    try:
        services.items.add(client_id=client, description="Session", price=price)
        return services.invoices.create(client_id=client).number
    finally:
        clock.advance(timedelta(days=on_days_ago))


@pytest.fixture
def book(services: Services, practice: Practice, clock: FrozenClock) -> dict[str, str]:
    """Seven documents over two months, one of each state, for three clients."""
    alex = practice.client("Alex Rivera", "alex@example.com")
    sam = practice.client("Sam O'Neil", "sam@example.com")
    percent = practice.client("100% Focus_Ltd", "ops@example.com")
    numbers = {
        "old_overdue": bill(services, alex, "100.00", 40, clock),  # due 14 days later: overdue
        "paid": bill(services, sam, "80.00", 30, clock),
        "partial": bill(services, alex, "120.00", 20, clock),
        "void": bill(services, sam, "60.00", 10, clock),
        "unpaid": bill(services, percent, "50.00", 2, clock),
        "today": bill(services, alex, "70.00", 0, clock),
    }
    services.payments.record(numbers["paid"], amount="80.00", method="cash")
    services.payments.record(numbers["partial"], amount="20.00", method="card")
    services.invoices.void(numbers["void"], reason="booked twice")
    note = services.credits.add(client_id=sam, amount="15.00", reason="late start")
    numbers["credit_note"] = note.number
    return numbers


def numbers(rows: list[InvoiceSummary]) -> list[str]:
    return [row.number for row in rows]


def test_page_is_newest_first_with_client_names(services: Services, book: dict[str, str]) -> None:
    rows = services.invoices.page()
    assert numbers(rows) == [
        book["credit_note"],  # issued today, after "today"
        book["today"],
        book["unpaid"],
        book["void"],
        book["partial"],
        book["paid"],
        book["old_overdue"],
    ]
    first_invoice = rows[1]
    assert first_invoice == InvoiceSummary(
        number=book["today"],
        kind="invoice",
        status="unpaid",
        client_id=first_invoice.client_id,
        client_name="Alex Rivera",
        issue_date=services.clock.today(),
        due_date=services.clock.today() + timedelta(days=14),
        total=7000,
        amount_due=7000,
        sent=False,
    )
    assert rows[0].kind == "credit_note" and rows[0].total == -1500 and rows[0].amount_due == 0


def test_every_status_filter_shows_what_list_shows(
    services: Services, book: dict[str, str]
) -> None:
    for status in STATUS_FILTERS:
        expected = {inv.number for inv in services.invoices.list(status=status)}
        assert set(numbers(services.invoices.page(status=status))) == expected, status
    # Due 14 days after issue: the partly paid one of 20 days ago is overdue as well.
    assert numbers(services.invoices.page(status="overdue")) == [
        book["partial"],
        book["old_overdue"],
    ]
    assert numbers(services.invoices.page(status="void")) == [book["void"]]
    assert numbers(services.invoices.page(status="credit notes")) == [book["credit_note"]]
    assert set(numbers(services.invoices.page(status="open"))) == {
        book["today"],
        book["unpaid"],
        book["partial"],
        book["old_overdue"],
    }
    assert numbers(services.invoices.page(status="Partially_Paid")) == [book["partial"]]


def test_search_matches_number_or_client_name_ignoring_case(
    services: Services, book: dict[str, str]
) -> None:
    inv = services.invoices
    assert set(numbers(inv.page(search="rivera"))) == {
        book["old_overdue"],
        book["partial"],
        book["today"],
    }
    assert numbers(inv.page(search=book["paid"].lower())) == [book["paid"]]
    assert numbers(inv.page(search="  SAM   o'neil ")) == [
        book["credit_note"],
        book["void"],
        book["paid"],
    ]
    # Every word must match, each in the number or the name.
    assert numbers(inv.page(search=f"alex {book['partial']}")) == [book["partial"]]
    assert inv.page(search="nobody") == []


def test_search_wildcards_are_literal(services: Services, book: dict[str, str]) -> None:
    assert numbers(services.invoices.page(search="100%")) == [book["unpaid"]]
    assert numbers(services.invoices.page(search="focus_")) == [book["unpaid"]]
    assert services.invoices.page(search="%") == [
        row for row in services.invoices.page() if "%" in row.client_name
    ]
    assert services.invoices.page(search="s_m") == []  # "_" is not "any one character"


def test_search_and_status_combine(services: Services, book: dict[str, str]) -> None:
    assert numbers(services.invoices.page(status="unpaid", search="alex")) == [
        book["today"],
        book["old_overdue"],
    ]
    assert services.invoices.summary(status="unpaid", search="alex").count == 2


def test_offset_and_limit_page_through_everything_once(
    services: Services, book: dict[str, str]
) -> None:
    whole = numbers(services.invoices.page())
    pages = [numbers(services.invoices.page(offset=o, limit=3)) for o in range(0, 9, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [n for page in pages for n in page] == whole
    assert services.invoices.page(offset=7) == []
    assert services.invoices.page(limit=0) == []


def test_summary_counts_and_sums_the_filtered_set(services: Services, book: dict[str, str]) -> None:
    inv = services.invoices
    for status in STATUS_FILTERS:
        listed = inv.list(status=status)
        totals = inv.summary(status=status)
        assert totals.count == len(listed), status
        assert totals.total == sum(i.total for i in listed), status
        assert totals.amount_due == sum(i.amount_due for i in listed), status
    everything = inv.summary()
    # 100 + 80 + 120 + 60 (void) + 50 + 70 - 15 (credit note)
    assert (everything.count, everything.total) == (7, 46500)
    # 100 + (120 - 20) + 50 + 70: nothing on the paid, the void or the credit note
    assert everything.amount_due == 32000
    alex = inv.summary(search="RIVERA")
    assert (alex.count, alex.total, alex.amount_due) == (3, 29000, 27000)
    assert inv.summary(search="nobody").count == 0
    assert inv.summary(search="nobody").total == 0


def test_empty_practice_pages_nothing(services: Services) -> None:
    assert services.invoices.page() == []
    totals = services.invoices.summary()
    assert (totals.count, totals.total, totals.amount_due) == (0, 0, 0)


def test_unknown_status_is_refused_with_the_choices(services: Services) -> None:
    with pytest.raises(InvalidInput, match="one of: all, open"):
        services.invoices.page(status="pending")
    with pytest.raises(InvalidInput, match="one of"):
        services.invoices.summary(status="pending")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("status", ["all", "paid", "unpaid", "void"])
def test_a_page_walks_an_index_instead_of_sorting_every_invoice(
    services: Services, book: dict[str, str], status: str
) -> None:
    """With 200,000 invoices a sort of the filtered set costs 200 ms a page; an index, 1 ms."""
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, params: Any, *args: Any) -> None:
        if "LIMIT" in sql:
            statements.append((sql, params))

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        services.invoices.page(status=status, offset=0, limit=200)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    [(sql, params)] = statements
    assert "LIMIT" in sql and "OFFSET" in sql
    with engine.connect() as conn:
        plan = " | ".join(
            str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        )
    assert "TEMP B-TREE" not in plan, plan
    assert "ix_invoice_issue_date" in plan or "ix_invoice_kind_status_issue_date" in plan, plan


@pytest.mark.sqlite_only
def test_the_list_index_is_in_the_schema(services: Services) -> None:
    with services.db.engine.connect() as conn:
        rows = conn.execute(text("PRAGMA index_list('invoice')")).all()
    assert "ix_invoice_kind_status_issue_date" in {row[1] for row in rows}
