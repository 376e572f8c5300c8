"""Tables kept by triggers (the invoice tally, the uninvoiced items), and far-end pages.

Triggers keep them, so they must follow every kind of change: the services'
flows, and plain SQL behind their back (a bulk insert, a hand edit, a delete).
Runs on SQLite and, when the suite has one, PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, event, insert, select, update
from sqlmodel import col

from cp_tui.bootstrap import Services
from cp_tui.models import (
    BillingItem,
    Invoice,
    InvoiceLine,
    InvoiceNumberPrefix,
    InvoiceTally,
    UninvoicedItem,
)
from cp_tui.services.derived_tables import check_uninvoiced, recount, stored
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.invoice_query import STATUS_FILTERS, page_ids
from tests.conftest import Practice
from tests.unit.test_invoice_paging import book  # noqa: F401  (the fixture)


def assert_tally_matches(services: Services) -> None:
    with services.db.read() as session:
        invoices = session.execute(select(Invoice)).scalars().all()
        kept = {key: figures for key, figures in stored(session).items() if figures[0]}
        assert kept == recount(invoices)


def test_the_tally_follows_issue_payment_void_and_credit_notes(
    services: Services,
    book: dict[str, str],  # noqa: F811
) -> None:
    assert_tally_matches(services)
    with services.db.read() as session:
        paid = session.get(InvoiceTally, ("invoice", "paid"))
    assert paid is not None and (paid.count, paid.total, paid.amount_due) == (1, 8000, 0)
    services.payments.record(book["unpaid"], amount="50.00", method="cash")
    services.invoices.void(book["today"], reason="booked twice")
    assert_tally_matches(services)
    with services.db.read() as session:
        void = session.get(InvoiceTally, ("invoice", "void"))
    assert void is not None and (void.count, void.amount_due) == (2, 0)


def test_the_tally_follows_plain_sql_too(
    services: Services,
    practice: Practice,
    book: dict[str, str],  # noqa: F811
) -> None:
    someone = practice.client("Bulk Client")
    with services.db.write() as session:
        first = session.execute(select(Invoice).limit(1)).scalars().one()
        rows = [
            {
                "number": f"BULK-{n}",
                "kind": "invoice",
                "status": "unpaid",
                "client_id": someone,
                "currency": first.currency,
                "issue_date": first.issue_date,
                "due_date": first.due_date,
                "total": 1000 * n,
                "created_at": first.created_at,
            }
            for n in range(1, 4)
        ]
        session.execute(insert(Invoice), rows)
        session.execute(
            update(Invoice).where(col(Invoice.number) == "BULK-1").values(amount_paid=400)
        )
        session.execute(
            update(Invoice).where(col(Invoice.number) == "BULK-2").values(status="paid")
        )
        session.execute(delete(Invoice).where(col(Invoice.number) == "BULK-3"))
    assert_tally_matches(services)
    assert prefixes(services) == {"INV-", "CN-", "BULK-"}
    assert [row.number for row in services.invoices.page(search="bulk")] == ["BULK-2", "BULK-1"]
    everything = services.invoices.summary()
    listed = services.invoices.list()
    assert everything.count == len(listed)
    assert everything.total == sum(i.total for i in listed)
    assert everything.amount_due == sum(i.amount_due for i in listed)


def test_check_names_a_tally_that_drifted(
    services: Services,
    book: dict[str, str],  # noqa: F811
) -> None:
    assert IntegrityService(services.db, services.clock).check().ok
    with services.db.write() as session:
        session.execute(
            update(InvoiceTally)
            .where(col(InvoiceTally.status) == "paid")
            .where(col(InvoiceTally.kind) == "invoice")
            .values(total=1)
        )
    report = IntegrityService(services.db, services.clock).check()
    assert not report.ok
    assert [(f.check, f.subject) for f in report.findings] == [("invoice_tally", "invoice paid")]


@pytest.mark.parametrize("status", STATUS_FILTERS)
@pytest.mark.parametrize("search", ["", "alex"])
def test_pages_read_from_the_oldest_end_are_the_same_pages(
    services: Services,
    book: dict[str, str],  # noqa: F811
    status: str,
    search: str,
) -> None:
    today = services.clock.today()
    with services.db.read() as session:
        for limit in (1, 2, 3, 200):
            for offset in range(0, 9):
                newest = page_ids(
                    session, status, search, today, offset=offset, limit=limit, reverse_from=10**9
                )
                oldest = page_ids(
                    session, status, search, today, offset=offset, limit=limit, reverse_from=0
                )
                assert oldest == newest, (limit, offset)


def uninvoiced(services: Services) -> dict[int, int]:
    with services.db.read() as session:
        rows = session.execute(select(UninvoicedItem.item_id, UninvoicedItem.client_id)).all()
    return {int(item): int(client) for item, client in rows}


def assert_uninvoiced_matches(services: Services) -> None:
    problems: list[tuple[str, str, str]] = []
    with services.db.read() as session:
        check_uninvoiced(session, lambda *finding: problems.append(finding))
    assert problems == []


def test_uninvoiced_items_follow_invoicing_voiding_and_deleting(
    services: Services, practice: Practice
) -> None:
    ann, ben = practice.client("Ann"), practice.client("Ben")
    first = services.items.add(client_id=ann, description="Session", price="100.00")
    second = services.items.add(client_id=ann, description="Report", price="20.00")
    other = services.items.add(client_id=ben, description="Session", price="90.00")
    assert uninvoiced(services) == {first.id: ann, second.id: ann, other.id: ben}
    number = services.invoices.create(client_id=ann, item_ids=[first.id]).number
    assert uninvoiced(services) == {second.id: ann, other.id: ben}
    services.invoices.void(number, reason="wrong item")
    assert uninvoiced(services) == {first.id: ann, second.id: ann, other.id: ben}
    services.invoices.create(client_id=ann)
    assert uninvoiced(services) == {other.id: ben}
    assert services.clients.get(ann).uninvoiced_total == 0
    assert services.clients.get(ben).uninvoiced_total == 9000
    assert_uninvoiced_matches(services)
    with services.db.write() as session:  # behind the services' back
        session.execute(
            update(BillingItem).where(col(BillingItem.id) == other.id).values(client_id=ann)
        )
        live = col(InvoiceLine.active_item_id).is_not(None)
        line = session.execute(select(InvoiceLine).where(live).limit(1)).scalars().one()
        freed = line.active_item_id
        session.execute(delete(InvoiceLine).where(col(InvoiceLine.id) == line.id))
    assert uninvoiced(services) == {other.id: ann, freed: ann}
    with services.db.write() as session:
        session.execute(delete(BillingItem).where(col(BillingItem.id) == other.id))
    assert uninvoiced(services) == {freed: ann}
    assert_uninvoiced_matches(services)


def test_check_names_an_uninvoiced_list_that_drifted(
    services: Services, practice: Practice
) -> None:
    ann = practice.client("Ann")
    kept = services.items.add(client_id=ann, description="Session", price="100.00")
    billed = services.items.add(client_id=ann, description="Report", price="20.00")
    services.invoices.create(client_id=ann, item_ids=[billed.id])
    assert IntegrityService(services.db, services.clock).check().ok
    with services.db.write() as session:
        session.execute(delete(UninvoicedItem))
        session.execute(insert(UninvoicedItem).values(item_id=billed.id, client_id=ann))
    report = IntegrityService(services.db, services.clock).check()
    assert {(f.check, f.subject) for f in report.findings} == {
        ("uninvoiced_item", f"item {kept.id}"),
        ("uninvoiced_item", f"item {billed.id}"),
    }


def prefixes(services: Services) -> set[str]:
    with services.db.read() as session:
        return set(session.execute(select(InvoiceNumberPrefix.prefix)).scalars())


def test_a_search_reads_the_numbers_only_when_a_prefix_or_a_digit_could_match(
    services: Services,
    book: dict[str, str],  # noqa: F811
) -> None:
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        statements.append(sql)

    def searches_numbers(search: str) -> bool:
        statements.clear()
        event.listen(services.db.engine, "before_cursor_execute", capture)
        try:
            services.invoices.page(search=search)
        finally:
            event.remove(services.db.engine, "before_cursor_execute", capture)
        return any("invoice.number LIKE" in s or "invoice.number ILIKE" in s for s in statements)

    assert prefixes(services) == {"INV-", "CN-"}
    assert not searches_numbers("rivera")
    assert searches_numbers("inv")  # in the prefix "INV-"
    assert searches_numbers("n-")  # in "CN-"
    assert searches_numbers("0001")
    assert [r.number for r in services.invoices.page(search="cn")] == [book["credit_note"]]
    services.practice.update(invoice_prefix="RIV-")
    services.items.add(client_id=services.clients.list()[0].id, description="x", price="1.00")
    services.invoices.create(client_id=services.clients.list()[0].id)
    assert "RIV-" in prefixes(services)
    assert searches_numbers("riv")  # now a prefix holds it: numbers and names both


def test_check_names_a_missing_number_prefix(
    services: Services,
    book: dict[str, str],  # noqa: F811
) -> None:
    with services.db.write() as session:
        session.execute(delete(InvoiceNumberPrefix).where(col(InvoiceNumberPrefix.prefix) == "CN-"))
    report = IntegrityService(services.db, services.clock).check()
    assert [(f.check, f.subject) for f in report.findings] == [("invoice_number_prefix", "CN-")]
