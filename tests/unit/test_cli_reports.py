"""`cp-tui reports ...` through the real entry point (fixtures built in-process)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from cp_tui.bootstrap import Services, build_services
from cp_tui.config import resolve_settings
from tests.unit.test_cli import ok, refused, run


@pytest.fixture
def cli_dir(tmp_path: Path) -> Path:
    return tmp_path / "cli-practice"


@pytest.fixture
def built(cli_dir: Path) -> Iterator[Services]:
    services = build_services(resolve_settings(cli_dir, environ={}))
    yield services
    services.close()


def test_reports_aging_monthly_and_export(cli_dir: Path, built: Services, tmp_path: Path) -> None:
    client = built.clients.add(name="Alex Rivera", email="alex@example.com").id
    service = built.catalogue.add(name="Therapy", price="150.00").id
    appt = built.calendar.add(
        client_ids=[client], service_ids=[service], start=datetime(2026, 1, 5, 10, 0)
    )[0]
    built.calendar.complete(appt.id)
    invoice = built.invoices.create(client_id=client)
    built.payments.record(invoice.number, amount="50.00", method="cash")
    built.close()
    issued = invoice.issue_date

    aging = ok(cli_dir, "reports", "aging", "--as-of", issued.isoformat())
    assert aging["buckets"] == ["current", "1-30", "31-60", "61-90", "over 90"]
    assert [(r["client_name"], r["total"]) for r in aging["rows"]] == [("Alex Rivera", 10000)]
    assert aging["rows"][0]["buckets"] == [10000, 0, 0, 0, 0]

    text = run(cli_dir, "reports", "aging", "--as-of", issued.isoformat())
    assert text.returncode == 0 and "Alex Rivera" in text.stdout and "$100.00" in text.stdout

    start = date(issued.year, issued.month, 1).isoformat()
    monthly = ok(cli_dir, "reports", "monthly", "--from", start, "--to", issued.isoformat())
    assert [(m["billed"], m["received"]) for m in monthly["months"]] == [(15000, 5000)]
    chart = run(cli_dir, "reports", "monthly", "--from", start, "--to", issued.isoformat())
    assert chart.returncode == 0 and "█" in chart.stdout and "$150.00" in chart.stdout

    target = tmp_path / "out.csv"
    args = ("reports", "export", "--from", start, "--to", issued.isoformat(), "-o", str(target))
    result = ok(cli_dir, *args)
    assert (result["invoices"], result["payments"]) == (1, 1)
    with target.open(newline="") as handle:
        assert [r["type"] for r in csv.DictReader(handle)] == ["invoice", "payment"]

    message = refused(cli_dir, "reports", "monthly", "--from", "2026-05-01", "--to", "2026-04-01")
    assert "before it starts" in message
    assert "is not a date" in refused(cli_dir, "reports", "aging", "--as-of", "soon")


def test_packages_sell_list_show_refund(cli_dir: Path, built: Services) -> None:
    client = built.clients.add(name="Alex Rivera", email="alex@example.com").id
    service = built.catalogue.add(name="Therapy", price="150.00").id
    built.close()
    sale = ok(
        cli_dir,
        "packages",
        "sell",
        "--client",
        str(client),
        "--service",
        str(service),
        "--sessions",
        "4",
        "--price",
        "500.00",
    )
    package_id = sale["package"]["id"]
    assert sale["invoice"]["total"] == 50000 and sale["package"]["left"] == 4
    listed = ok(cli_dir, "packages", "list", "--client", str(client))
    assert [(p["id"], p["status"]) for p in listed] == [(package_id, "active")]
    text = run(cli_dir, "packages", "show", str(package_id))
    assert text.returncode == 0 and "0 of 4 used, 4 left" in text.stdout
    refund = ok(cli_dir, "packages", "refund", str(package_id))
    assert refund["sessions"] == 4 and refund["amount"] == 50000
    assert ok(cli_dir, "packages", "list", "--active") == []
    assert "no unused sessions" in refused(cli_dir, "packages", "refund", str(package_id))
    assert "no package with id 99" in refused(cli_dir, "packages", "show", "99")
