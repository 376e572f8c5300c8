"""What is owed: aging buckets as of a day, billed versus received by month, the CSV."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cp_tui.bootstrap import Services
from cp_tui.clock import FrozenClock
from cp_tui.services.errors import InvalidInput
from cp_tui.services.reports import BUCKETS, bucket_of, months_between
from tests.conftest import FROZEN_NOW, Practice


def invoice_on(practice: Practice, clock: FrozenClock, client: int, day: date, price: str) -> str:
    """A session on ``day`` for ``client``, invoiced that day (terms: 14 days)."""
    clock.set(datetime.combine(day, FROZEN_NOW.time()))
    practice.session([client], [practice.service(price)], datetime.combine(day, FROZEN_NOW.time()))
    number = practice.s.invoices.create(client_id=client).number
    clock.set(FROZEN_NOW)
    return number


def test_bucket_edges() -> None:
    assert [bucket_of(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 400)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert len(BUCKETS) == 5
    assert months_between(date(2025, 11, 3), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_aging_buckets_by_client_and_as_of_an_earlier_day(
    services: Services, practice: Practice, clock: FrozenClock
) -> None:
    alex = practice.client()
    sam = practice.client("Sam Lee", "sam@example.com")
    today = FROZEN_NOW.date()
    # Due dates are issue + 14 days.
    current = invoice_on(practice, clock, alex, today - timedelta(days=3), "100.00")
    late_10 = invoice_on(practice, clock, alex, today - timedelta(days=24), "200.00")
    late_45 = invoice_on(practice, clock, sam, today - timedelta(days=59), "300.00")
    invoice_on(practice, clock, sam, today - timedelta(days=84), "400.00")  # 70 past due
    invoice_on(practice, clock, sam, today - timedelta(days=120), "500.00")  # 106 past due
    services.payments.record(late_45, amount="120.00", method="cash", received_on=today)

    report = services.reports.aging()
    assert report.as_of == today
    by_name = {row.client_name: row for row in report.rows}
    assert by_name["Alex Rivera"].buckets == (10000, 20000, 0, 0, 0)
    assert by_name["Sam Lee"].buckets == (0, 0, 18000, 40000, 50000)
    assert report.rows[0].client_name == "Sam Lee"  # the largest balance first
    assert report.totals == (10000, 20000, 18000, 40000, 50000)
    assert report.total == sum(report.totals)
    # As of today the report agrees with every invoice's amount due.
    open_due = sum(inv.amount_due for inv in services.invoices.list(status="open"))
    assert report.total == open_due

    # A week ago: the payment had not come in, the 3-day-old invoice did not exist,
    # and each of the others was a week less late (3 days late was still 1-30).
    earlier = services.reports.aging(today - timedelta(days=7))
    by_name = {row.client_name: row for row in earlier.rows}
    assert by_name["Alex Rivera"].buckets == (0, 20000, 0, 0, 0)
    assert by_name["Sam Lee"].buckets == (0, 0, 30000, 40000, 50000)
    assert {r.client_name: r.invoices for r in earlier.rows} == {"Alex Rivera": 1, "Sam Lee": 3}
    assert current != late_10


def test_aging_leaves_out_void_invoices_and_counts_credit(
    services: Services, practice: Practice, clock: FrozenClock
) -> None:
    alex = practice.client()
    today = FROZEN_NOW.date()
    voided = invoice_on(practice, clock, alex, today - timedelta(days=40), "100.00")
    services.invoices.void(voided, reason="wrong client")
    # The voided invoice's item goes back to uninvoiced and onto this one: 250.00.
    kept = invoice_on(practice, clock, alex, today - timedelta(days=40), "150.00")
    services.credits.add(client_id=alex, amount="50.00", reason="goodwill", invoice_number=kept)
    report = services.reports.aging(today)
    assert [(r.client_name, r.buckets) for r in report.rows] == [
        ("Alex Rivera", (0, 20000, 0, 0, 0))
    ]
    assert services.reports.aging(today - timedelta(days=100)).rows == []


def test_billed_versus_received_by_month(
    services: Services, practice: Practice, clock: FrozenClock
) -> None:
    alex = practice.client()
    october = invoice_on(practice, clock, alex, date(2026, 10, 12), "200.00")
    invoice_on(practice, clock, alex, date(2026, 11, 2), "150.00")
    services.payments.record(
        october, amount="250.00", method="transfer", received_on=date(2026, 11, 3)
    )
    services.credits.add(client_id=alex, amount="30.00", reason="goodwill")
    report = services.reports.monthly(date(2026, 9, 1), date(2026, 11, 30))
    assert [(m.month, m.billed, m.credited, m.received) for m in report.months] == [
        ("2026-09", 0, 0, 0),
        ("2026-10", 20000, 0, 0),
        ("2026-11", 15000, 3000, 25000),
    ]
    assert (report.billed, report.credited, report.received) == (35000, 3000, 25000)
    default = services.reports.monthly()
    assert len(default.months) == 12
    assert default.months[-1].month == "2026-11" and default.months[0].month == "2025-12"
    with pytest.raises(InvalidInput):
        services.reports.monthly(date(2026, 11, 1), date(2026, 10, 1))


def test_csv_for_the_accountant(
    services: Services, practice: Practice, clock: FrozenClock, tmp_path: Path
) -> None:
    alex = practice.client()
    number = invoice_on(practice, clock, alex, date(2026, 11, 2), "150.00")
    invoice_on(practice, clock, alex, date(2026, 9, 2), "90.00")  # outside the period
    services.payments.record(
        number, amount="100.00", method="cash", reference="R1", received_on=date(2026, 11, 4)
    )
    target = tmp_path / "accounts.csv"
    result = services.reports.export_csv(date(2026, 11, 1), date(2026, 11, 30), target)
    assert (result.invoices, result.credit_notes, result.payments) == (1, 0, 1)
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["type"], r["date"], r["total"]) for r in rows] == [
        ("invoice", "2026-11-02", "150.00"),
        ("payment", "2026-11-04", "100.00"),
    ]
    assert rows[0]["number"] == number and rows[1]["invoice"] == number
    assert rows[1]["client"] == "Alex Rivera" and rows[1]["reference"] == "R1"
    assert target.stat().st_mode & 0o077 == 0


def test_an_aging_report_for_a_day_far_away_is_refused_with_the_range(services: Services) -> None:
    with pytest.raises(InvalidInput, match="use a year from 1900 to 2200"):
        services.reports.aging(date(9999, 12, 31))


def test_insurers_claimed_and_paid_count_by_month_and_in_the_csv(
    services: Services, practice: Practice, tmp_path: Path
) -> None:
    """The insurer's part of a co-pay session is billed and received too: not by invoice."""
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30.00")
    practice.session([alex], [therapy], datetime(2026, 11, 2, 10, 0))
    [claim] = services.insurance.claims()
    services.insurance.submit([claim.id], "AET-1")
    services.insurance.record_payment(claim.id, "100.00")

    report = services.reports.monthly(date(2026, 11, 1), date(2026, 11, 30))
    [november] = report.months
    assert (november.claimed, november.insurer_paid) == (12000, 10000)
    assert (report.claimed, report.insurer_paid) == (12000, 10000)
    assert november.received_in_all == november.received + 10000

    target = tmp_path / "accounts.csv"
    services.reports.export_csv(date(2026, 11, 1), date(2026, 11, 30), target)
    with target.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["type"] == "insurer payment"]
    assert [(r["total"], r["method"], r["reference"], r["client"]) for r in rows] == [
        ("100.00", "Aetna", "AET-1", "Alex Rivera")
    ]
