"""Batch runs: preview, run, idempotent rerun, unbilled occurrences, a run killed half-way."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import col, select

from cp_tui.bootstrap import Services
from cp_tui.models import Invoice, InvoiceLine, SavedCard
from cp_tui.services.batch import BatchOutcome, BatchService, period_bounds
from cp_tui.services.errors import InvalidInput, NotAllowed
from tests.conftest import Practice

MON, TUE = datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 24, 11, 0)
LAST_WEEK = datetime(2026, 11, 16, 10, 0)
OCTOBER = datetime(2026, 10, 14, 10, 0)


class Killed(Exception):
    pass


def save_card(services: Services, client_id: int) -> None:
    with services.db.write() as session:
        session.add(
            SavedCard(
                client_id=client_id,
                payment_method_ref=f"pm_{client_id}",
                brand="visa",
                last4="4242",
                exp_month=12,
                exp_year=2030,
                saved_at=services.clock.now(),
            )
        )


def invoices(services: Services) -> list[Invoice]:
    with services.db.read() as session:
        return list(session.exec(select(Invoice).order_by(col(Invoice.id))).all())


def lines_of(services: Services, invoice_id: int | None) -> int:
    with services.db.read() as session:
        rows = session.exec(
            select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice_id)
        ).all()
        return len(rows)


def test_period_bounds() -> None:
    assert period_bounds("week", date(2026, 11, 25)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_bounds("week", date(2026, 11, 29)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_bounds("month", date(2026, 11, 25)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert period_bounds("month", date(2026, 1, 3)) == (date(2025, 12, 1), date(2025, 12, 31))
    with pytest.raises(InvalidInput):
        period_bounds("year", date(2026, 11, 25))


def test_preview_lists_active_clients_with_items_in_the_week(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    casey, gone = practice.client("Casey", "c@example.com"), practice.client("Gone", "g@x.com")
    practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], TUE)
    practice.session([blair], [therapy], TUE)
    practice.session([casey], [therapy], LAST_WEEK)
    practice.session([gone], [therapy], MON)
    services.clients.remove(gone)  # archived: it has history
    services.credits.add(client_id=blair, amount="20.00", reason="goodwill")
    save_card(services, alex)

    preview = services.batch.preview("week", date(2026, 11, 25))

    assert (preview.start, preview.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert [r.client_name for r in preview.rows] == ["Alex", "Blair"]
    a, b = preview.rows
    assert (a.items, a.total, a.credit, a.card is not None) == (2, 30000, 0, True)
    assert (b.items, b.total, b.credit, b.card) == (1, 15000, 2000, None)
    assert preview.total == 45000
    assert preview.unbilled == []
    # Casey's session of last week is not in this week's run, and is not forgotten.
    assert (preview.earlier_items, preview.earlier_clients) == (1, 1)
    wider = services.batch.preview("week", date(2026, 11, 25), include_earlier=True)
    assert [(r.client_name, r.items) for r in wider.rows] == [
        ("Alex", 2),
        ("Blair", 1),
        ("Casey", 1),
    ]
    assert (wider.earlier_items, wider.earlier_clients) == (0, 0)
    month = services.batch.preview("month", date(2026, 12, 2))
    assert [r.client_name for r in month.rows] == ["Alex", "Blair", "Casey"]


def test_run_creates_one_invoice_per_client_and_a_rerun_creates_nothing(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], TUE)
    practice.session([blair], [therapy], TUE)
    practice.session([blair], [therapy], OCTOBER)  # not in the week: stays uninvoiced
    services.credits.add(client_id=blair, amount="20.00", reason="goodwill")
    preview = services.batch.preview("week")
    seen: list[tuple[int, int, str]] = []

    result = services.batch.run(
        preview.rows, progress=lambda done, total, o: seen.append((done, total, o.client_name))
    )

    assert [(o.status, o.client_name) for o in result.outcomes] == [
        ("created", "Alex"),
        ("created", "Blair"),
    ]
    assert seen == [(1, 2, "Alex"), (2, 2, "Blair")]
    made = {i.client_id: i for i in invoices(services) if i.kind == "invoice"}
    assert made[alex].total == 30000 and lines_of(services, made[alex].id) == 2
    assert made[blair].total == 15000 and made[blair].credit_applied == 2000
    assert len(services.items.list(client_id=blair, uninvoiced=True)) == 1
    before = len(invoices(services))

    again = services.batch.run(preview.rows)  # the same rows again
    by_ids = services.batch.run([alex, blair], period="week")
    assert services.batch.preview("week").rows == []

    assert len(invoices(services)) == before
    assert {o.status for o in again.outcomes + by_ids.outcomes} == {"skipped"}


def test_run_by_client_ids_bills_only_those(services: Services, practice: Practice) -> None:
    therapy = practice.service("150.00")
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    practice.session([alex], [therapy], MON)
    practice.session([blair], [therapy], MON)

    result = services.batch.run([blair], period="week", on=date(2026, 11, 27))

    assert [(o.client_id, o.status) for o in result.outcomes] == [(blair, "created")]
    assert [r.client_id for r in services.batch.preview("week").rows] == [alex]


def test_unbilled_recurring_occurrences_are_listed_never_billed(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    dana = practice.client("Dana", "d@example.com")
    series = services.calendar.add(
        client_ids=[dana],
        service_ids=[therapy],
        start=datetime(2026, 11, 2, 9, 0),
        repeat="weekly",
        count=6,
    )
    services.calendar.cancel(series[2].id)  # 16 Nov: did not happen

    week = services.batch.preview("week", date(2026, 11, 25))
    month = services.batch.preview("month", date(2026, 12, 1))

    assert [u.appointment_id for u in week.unbilled] == [series[3].id]  # 23 Nov, past
    assert week.unbilled[0].client_names == ["Dana"]
    assert week.unbilled[0].service_names == ["Therapy"]
    assert week.rows == []
    assert [u.start.day for u in month.unbilled] == [2, 9, 23]
    assert services.batch.run(week.rows).outcomes == []
    assert invoices(services) == []

    services.calendar.generate_items(series[3].id)
    after = services.batch.preview("week", date(2026, 11, 25))
    assert after.unbilled == [] and [r.client_name for r in after.rows] == ["Dana"]


def test_a_run_killed_half_way_leaves_whole_invoices_and_a_rerun_completes(
    services: Services, practice: Practice
) -> None:
    therapy, review = practice.service("150.00"), practice.service("90.00", name="Review")
    clients = [practice.client(n, f"{n}@example.com") for n in ("Ann", "Ben", "Cat", "Dev")]
    for client in clients:
        practice.session([client], [therapy, review], MON)
        practice.session([client], [therapy], TUE)

    def killer(done: int, total: int, outcome: BatchOutcome) -> None:
        if done == 2:
            raise Killed

    with pytest.raises(Killed):
        services.batch.run(services.batch.preview("week").rows, progress=killer)

    first = invoices(services)
    assert len(first) == 2
    assert all(lines_of(services, i.id) == 3 and i.total == 39000 for i in first)
    rest = services.batch.preview("week")
    assert [r.client_name for r in rest.rows] == ["Cat", "Dev"]

    services.batch.run(rest.rows)

    made = invoices(services)
    assert sorted(i.client_id for i in made) == sorted(clients)
    assert [i.number for i in made] == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
    assert all(lines_of(services, i.id) == 3 for i in made)
    assert services.batch.preview("week").rows == []


class FakeSender:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[str] = []
        self.fail = fail

    def send_invoice(self, number: str) -> object:
        if self.fail:
            raise NotAllowed("no SMTP server is set up")
        self.sent.append(number)
        return number


class FakeCharger:
    def __init__(self) -> None:
        self.charged: list[str] = []

    def charge(self, number: str) -> object:
        self.charged.append(number)
        return number


def test_send_and_charge_only_where_they_apply(services: Services, practice: Practice) -> None:
    therapy = practice.service("150.00")
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    practice.session([alex], [therapy], MON)
    practice.session([blair], [therapy], MON)
    save_card(services, alex)
    sender, charger = FakeSender(), FakeCharger()
    batch = BatchService(
        services.db, services.clock, services.invoices, sender=sender, charger=charger
    )

    result = batch.run(batch.preview("week").rows, send=True, charge=True)

    numbers = [o.invoice for o in result.outcomes]
    assert sender.sent == numbers
    assert charger.charged == [numbers[0]]  # only Alex has a card
    assert [o.sent for o in result.outcomes] == [True, True]
    assert result.outcomes[0].charged is not None and result.outcomes[1].charged is None


def test_a_failed_send_is_reported_and_the_invoice_stays(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    practice.session([practice.client("Alex")], [therapy], MON)
    batch = BatchService(services.db, services.clock, services.invoices, sender=FakeSender(True))

    result = batch.run(batch.preview("week").rows, send=True)

    assert result.outcomes[0].status == "created" and not result.outcomes[0].sent
    assert "not sent: no SMTP server" in result.outcomes[0].message
    assert len(invoices(services)) == 1


def test_a_run_by_client_ids_with_earlier_items_bills_those_too(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    alex = practice.client("Alex")
    practice.session([alex], [therapy], LAST_WEEK)
    practice.session([alex], [therapy], MON)

    only_week = services.batch.run([alex], period="week")
    assert [o.total for o in only_week.created] == [15000]
    assert services.batch.preview("week").earlier_items == 1

    rest = services.batch.run([alex], period="week", include_earlier=True)
    assert [o.total for o in rest.created] == [15000]
    assert services.batch.preview("week").earlier_items == 0
