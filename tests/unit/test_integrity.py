"""`cp-tui check`'s recomputation: a sound practice passes, and each kind of damage is named.

Each test breaks one figure behind the services' back (a plain UPDATE or
DELETE, as a bug or a hand edit would) and asserts that the check names that
figure and that invoice or client. Runs on SQLite and, when the suite has one,
PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlmodel import col

from cp_tui.bootstrap import Services
from cp_tui.models import CreditEntry, Invoice, InvoiceLine, NumberSeries, Payment
from cp_tui.services.integrity import IntegrityReport, IntegrityService
from tests.conftest import Practice

TUE = datetime(2026, 11, 24, 10, 0)


def check(services: Services) -> IntegrityReport:
    return IntegrityService(services.db, services.clock).check()


def found(report: IntegrityReport) -> set[tuple[str, str]]:
    return {(f.check, f.subject) for f in report.findings}


@pytest.fixture
def busy(services: Services, practice: Practice) -> Services:
    """A practice with one of everything: paid, part-paid, overpaid, credited, void."""
    ann, ben = practice.client("Ann"), practice.client("Ben", "ben@example.com")
    therapy = practice.service("150.00", tax_rate="15")
    report = practice.service("25.06", name="Report")
    for day in range(4):
        practice.session([ann], [therapy, report], datetime(2026, 11, 16 + day, 9, 0))
        practice.session([ben], [therapy], datetime(2026, 11, 16 + day, 11, 0))
    ann_items = [i.id for i in services.items.list(client_id=ann, uninvoiced=True)]
    ben_items = [i.id for i in services.items.list(client_id=ben, uninvoiced=True)]
    services.invoices.create(client_id=ann, item_ids=ann_items[:2])  # INV-0001 paid
    services.payments.record("INV-0001", amount="200.00", method="cash")  # overpaid
    services.invoices.create(client_id=ann, item_ids=ann_items[2:4], apply_credit=True)
    services.invoices.create(client_id=ben, item_ids=ben_items[:2])  # INV-0003 part paid
    services.payments.record("INV-0003", amount="20.00", method="transfer")
    services.invoices.create(client_id=ben, item_ids=ben_items[2:3])  # INV-0004 void
    services.invoices.void("INV-0004", reason="wrong client")
    services.credits.add(
        client_id=ben, amount="30.00", reason="Goodwill", invoice_number="INV-0003"
    )
    services.credits.add(client_id=ann, amount="10.00", reason="Late start")
    return services


def test_a_sound_practice_passes_every_check(busy: Services) -> None:
    report = check(busy)
    assert report.findings == []
    assert report.ok
    assert report.counts["invoices"] == 4
    assert report.counts["credit_notes"] == 2
    assert report.counts["payments"] == 2
    assert {"invoice_totals", "amount_paid", "credit_ledger", "numbers", "item_once"} <= set(
        report.checks
    )


def test_an_empty_practice_passes(services: Services) -> None:
    assert check(services).ok


def _run(services: Services, *statements: object) -> None:
    with services.db.write() as session:
        for statement in statements:
            session.execute(statement)  # type: ignore[call-overload]


def test_a_total_that_is_not_the_sum_of_its_lines(busy: Services) -> None:
    _run(busy, update(Invoice).where(col(Invoice.number) == "INV-0002").values(total=1))
    assert ("invoice_totals", "INV-0002") in found(check(busy))


def test_a_line_whose_amounts_do_not_follow_the_rounding_rule(busy: Services) -> None:
    with busy.db.read() as session:
        line_id = session.execute(
            text(
                "SELECT min(l.id) FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
                "WHERE i.number = 'INV-0003'"
            )
        ).scalar_one()
    _run(busy, update(InvoiceLine).where(col(InvoiceLine.id) == line_id).values(tax=1))
    report = check(busy)
    assert ("line_amounts", "INV-0003") in found(report)
    assert ("invoice_totals", "INV-0003") in found(report)


def test_amount_paid_that_the_payments_do_not_add_up_to(busy: Services) -> None:
    _run(busy, update(Invoice).where(col(Invoice.number) == "INV-0003").values(amount_paid=0))
    report = check(busy)
    assert ("amount_paid", "INV-0003") in found(report)
    assert not report.ok


def test_a_payment_lost_from_the_table(busy: Services) -> None:
    _run(busy, delete(Payment).where(col(Payment.method) == "transfer"))
    assert ("amount_paid", "INV-0003") in found(check(busy))


def test_a_credit_balance_that_goes_negative(busy: Services, practice: Practice) -> None:
    cleo = practice.client("Cleo", "cleo@example.com")
    _run(
        busy,
        CreditEntry.__table__.insert().values(  # type: ignore[attr-defined]
            client_id=cleo,
            amount=-500,
            kind="applied",
            note="",
            created_at=TUE.replace(tzinfo=UTC),
        ),
    )
    report = check(busy)
    assert ("credit_ledger", f"client {cleo}") in found(report)
    assert any("falls to -500" in f.message for f in report.findings)


def test_credit_applied_that_the_ledger_did_not_take(busy: Services) -> None:
    _run(busy, update(Invoice).where(col(Invoice.number) == "INV-0002").values(credit_applied=7))
    report = check(busy)
    assert ("credit_applied", "INV-0002") in found(report)


def test_an_overpayment_missing_from_the_ledger(busy: Services) -> None:
    _run(busy, delete(CreditEntry).where(col(CreditEntry.kind) == "overpayment"))
    subjects = {f.subject for f in check(busy).findings}
    assert any(s.startswith("payment ") for s in subjects)


def test_an_invoice_without_lines(busy: Services) -> None:
    with busy.db.read() as session:
        invoice_id = session.execute(
            text("SELECT id FROM invoice WHERE number = 'INV-0004'")
        ).scalar_one()
    _run(busy, delete(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice_id))
    assert ("invoice_has_lines", "INV-0004") in found(check(busy))


def test_an_item_on_two_live_invoices(busy: Services) -> None:
    # The UNIQUE key on active_item_id stops this; a line that lost its mark does not.
    with busy.db.read() as session:
        line_id, item_id = session.execute(
            text(
                "SELECT l.id, l.item_id FROM invoice_line l JOIN invoice i "
                "ON i.id = l.invoice_id WHERE i.number = 'INV-0004'"
            )
        ).first() or (0, 0)
    busy.invoices.create(client_id=2, item_ids=[item_id])  # INV-0005, the voided item again
    _run(
        busy,
        update(Invoice).where(col(Invoice.number) == "INV-0004").values(status="unpaid"),
    )
    report = check(busy)
    assert ("item_once", f"item {item_id}") in found(report)
    assert any("INV-0004" in f.message and "INV-0005" in f.message for f in report.findings)
    assert line_id


def test_a_gap_in_the_numbers(busy: Services) -> None:
    _run(busy, update(Invoice).where(col(Invoice.number) == "INV-0003").values(number="INV-0009"))
    report = check(busy)
    assert ("numbers", "INV-0009") in found(report)


def test_a_number_series_that_skipped_ahead(busy: Services) -> None:
    _run(
        busy,
        update(NumberSeries).where(col(NumberSeries.series) == "invoice").values(next_value=9),
    )
    assert ("numbers", "invoice series") in found(check(busy))


def test_a_status_that_its_amounts_contradict(busy: Services) -> None:
    _run(busy, update(Invoice).where(col(Invoice.number) == "INV-0003").values(status="paid"))
    assert ("status", "INV-0003") in found(check(busy))


def test_drafts_and_a_new_prefix_keep_the_series_whole(busy: Services) -> None:
    ann_left = [i.id for i in busy.items.list(client_id=1, uninvoiced=True)]
    draft = busy.invoices.create(client_id=1, item_ids=ann_left[:1], draft=True)
    discarded = busy.invoices.create(client_id=1, item_ids=ann_left[1:2], draft=True)
    busy.drafts.discard(f"DRAFT-{discarded.id}")
    busy.practice.update(invoice_prefix="B-")
    later = busy.invoices.create(client_id=1, item_ids=ann_left[2:3])
    issued = busy.drafts.issue(f"DRAFT-{draft.id}")
    # Numbers follow the order of issue, not of creation; a draft still held is fine.
    busy.invoices.create(client_id=1, item_ids=ann_left[3:4], draft=True)
    assert (later.number, issued.number) == ("B-0005", "B-0006")
    report = check(busy)
    assert report.findings == []

    _run(busy, update(Invoice).where(col(Invoice.number) == "B-0006").values(number="A-0005"))
    messages = [f.message for f in check(busy).findings if f.check == "numbers"]
    assert any("5 is taken twice" in m for m in messages)
    assert any("number 6 is missing" in m for m in messages)
