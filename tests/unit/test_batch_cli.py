"""`cp-tui invoices batch` through the real entry point, in subprocesses."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from cp_tui.bootstrap import build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from tests.conftest import FROZEN_NOW
from tests.unit.test_cli import run

pytestmark = pytest.mark.sqlite_only


def make_week(data_dir: Path) -> tuple[int, int]:
    services = build_services(resolve_settings(data_dir, environ={}), clock=FrozenClock(FROZEN_NOW))
    try:
        therapy = services.catalogue.add(name="Therapy", price="150.00").id
        alex = services.clients.add(name="Alex").id
        blair = services.clients.add(name="Blair").id
        for client, day in ((alex, 23), (alex, 24), (blair, 24)):
            appt = services.calendar.add(
                client_ids=[client], service_ids=[therapy], start=datetime(2026, 11, day, 10)
            )[0]
            services.calendar.complete(appt.id)
        services.calendar.add(
            client_ids=[blair],
            service_ids=[therapy],
            start=datetime(2026, 11, 2, 9),
            repeat="weekly",
            count=4,
        )
        return alex, blair
    finally:
        services.close()


def test_dry_run_json_then_a_real_run_then_nothing_more(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    alex, blair = make_week(data_dir)
    args = ("invoices", "batch", "--period", "week", "--date", "2026-11-25")

    dry = run(data_dir, *args, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert (preview["start"], preview["end"]) == ("2026-11-23", "2026-11-29")
    assert [(r["client_id"], r["items"], r["total"]) for r in preview["rows"]] == [
        (alex, 2, 30000),
        (blair, 1, 15000),
    ]
    assert [u["start"][:10] for u in preview["unbilled"]] == ["2026-11-23"]
    assert json.loads(run(data_dir, "invoices", "list", "--json").stdout) == []

    real = run(data_dir, *args)
    assert real.returncode == 0, real.stderr
    assert "2 invoice(s) created" in real.stdout
    assert "recurring session(s)" in real.stderr
    listed = json.loads(run(data_dir, "invoices", "list", "--json").stdout)
    assert sorted((i["client_id"], i["total"]) for i in listed) == [
        (alex, 30000),
        (blair, 15000),
    ]

    again = run(data_dir, *args, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["outcomes"] == []
    assert len(json.loads(run(data_dir, "invoices", "list", "--json").stdout)) == 2


def test_a_run_whose_invoices_cannot_be_sent_says_so_and_exits_1(tmp_path: Path) -> None:
    """cron reports a failed job: made but unsent invoices are one, and the note says how."""
    data_dir = tmp_path / "practice"
    make_week(data_dir)
    args = ("invoices", "batch", "--period", "week", "--date", "2026-11-25", "--send")

    done = run(data_dir, *args)

    assert done.returncode == 1, done.stderr
    assert "2 invoice(s) created" in done.stdout
    assert "2 not sent or not charged (INV-0001, INV-0002)" in done.stdout
    as_json = json.loads(run(data_dir, *args[:-1], "--dry-run", "--json").stdout)
    assert as_json["rows"] == []  # the invoices stand
    listed = json.loads(run(data_dir, "invoices", "list", "--json").stdout)
    assert sorted(i["number"] for i in listed) == ["INV-0001", "INV-0002"]
    assert "`cp-tui invoices send INV-0002` retries" in done.stdout
    assert "e-mail is not set up" in run(data_dir, "invoices", "send", "INV-0001").stderr


def test_a_bad_period_is_refused(tmp_path: Path) -> None:
    done = run(tmp_path / "practice", "invoices", "batch", "--period", "year")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_items_before_the_period_are_counted_and_billed_on_request(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    alex, _blair = make_week(data_dir)
    later = ("invoices", "batch", "--period", "week", "--date", "2026-12-02")

    dry = run(data_dir, *later, "--dry-run")
    assert "3 uninvoiced item(s) of 2 client(s) are dated before 2026-11-30" in dry.stdout
    assert "`--include-earlier` bills them too" in dry.stdout

    done = run(data_dir, *later, "--include-earlier", "--json")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["include_earlier"] is True
    assert sorted((o["client_id"], o["total"]) for o in made["outcomes"])[0] == (alex, 30000)
    assert json.loads(run(data_dir, *later, "--dry-run", "--json").stdout)["earlier_items"] == 0


def test_a_name_that_looks_like_markup_runs_through_the_progress_bar(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    services = build_services(resolve_settings(data_dir, environ={}), clock=FrozenClock(FROZEN_NOW))
    try:
        therapy = services.catalogue.add(name="Therapy", price="150.00").id
        lou = services.clients.add(name="Lou [/b] [x] Test").id
        appt = services.calendar.add(
            client_ids=[lou], service_ids=[therapy], start=datetime(2026, 11, 23, 10)
        )[0]
        services.calendar.complete(appt.id)
    finally:
        services.close()

    done = run(data_dir, "invoices", "batch", "--period", "week", "--date", "2026-11-25")

    assert done.returncode == 0, done.stderr
    assert "Lou [/b] [x] Test" in done.stdout and "1 invoice(s) created" in done.stdout
