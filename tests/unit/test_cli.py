"""The command line, run through the real entry point in subprocesses.

Each subprocess costs about half a second, so a test makes its fixtures through
the services in-process and runs only the commands it checks through ``cp-tui``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import build_parser, main
from cp_tui.config import DB_FILENAME, resolve_settings

ROOT = Path(__file__).resolve().parents[2]

CLIENT_KEYS = {"id", "name", "email", "credit_balance", "balance_due", "uninvoiced_total"}
SERVICE_KEYS = {"id", "name", "code", "unit_price", "tax_rate"}
APPOINTMENT_KEYS = {"id", "start", "status", "series_id", "client_ids", "service_ids"}
ITEM_KEYS = {
    "id",
    "client_id",
    "appointment_id",
    "service_id",
    "date",
    "units",
    "unit_price",
    "tax_rate",
    "net",
    "tax",
    "total",
    "invoice_number",
}
INVOICE_KEYS = {
    "number",
    "kind",
    "status",
    "client_id",
    "currency",
    "lines",
    "subtotal",
    "tax",
    "total",
    "credit_applied",
    "amount_paid",
    "amount_due",
}
LINE_KEYS = {"item_id", "description", "units", "unit_price", "tax_rate", "net", "tax", "total"}
INVOICE_MONEY = ("subtotal", "tax", "total", "credit_applied", "amount_paid", "amount_due")

# The section 5: every command the command line must have.
DOCUMENTED = {
    ("demo",),
    ("settings", "show"),
    ("settings", "set"),
    ("clients", "add"),
    ("clients", "list"),
    ("clients", "show"),
    ("services", "add"),
    ("appointments", "add"),
    ("appointments", "list"),
    ("appointments", "complete"),
    ("appointments", "cancel"),
    ("appointments", "no-show"),
    ("appointments", "generate-items"),
    ("items", "list"),
    ("items", "edit"),
    ("invoices", "create"),
    ("invoices", "list"),
    ("invoices", "show"),
    ("invoices", "void"),
    ("invoices", "edit"),
    ("credits", "add"),
    ("payments", "record"),
}


# -- running the real thing ------------------------------------------------------------


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CP_TUI_")}
    env.update(extra or {})
    return env


def run(
    data_dir: Path | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "cp_tui", *prefix, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(env),
        timeout=120,
        check=False,
    )


def ok(data_dir: Path, *args: str) -> Any:
    """Run a command with --json; it must succeed and print one JSON document."""
    done = run(data_dir, *args, "--json")
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return json.loads(done.stdout)


def refused(data_dir: Path, *args: str) -> str:
    """Run a command that must be refused: exit 2, one line on stderr, nothing on stdout."""
    done = run(data_dir, *args)
    assert done.returncode == 2, f"{args} exited {done.returncode}: {done.stderr}"
    assert done.stdout == "", args
    lines = done.stderr.splitlines()
    assert len(lines) == 1, f"{args}: {done.stderr}"
    assert done.stderr.endswith("\n")
    assert "Traceback" not in done.stderr
    return lines[0]


def dump(data_dir: Path) -> list[str]:
    """Every row of every table, to show a refused command changed nothing."""
    conn = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def is_money(value: object) -> bool:
    return type(value) is int


# -- fixtures built in-process (fast) ------------------------------------------------------


@pytest.fixture
def cli_dir(tmp_path: Path) -> Path:
    return tmp_path / "cli-practice"


@pytest.fixture
def built(cli_dir: Path) -> Iterator[Services]:
    services = build_services(resolve_settings(cli_dir, environ={}))
    yield services
    services.close()


def _finished_session(
    services: Services, clients: list[int], service: int, start: datetime
) -> list[int]:
    """A completed single appointment; returns its items' ids."""
    appt = services.calendar.add(client_ids=clients, service_ids=[service], start=start)[0]
    services.calendar.complete(appt.id)
    return [i.id for i in services.items.list() if i.appointment_id == appt.id]


# -- help ---------------------------------------------------------------------------------


def _commands(parser: argparse.ArgumentParser) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(p: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[path] = p
            return
        for action in subs:
            for name, child in action.choices.items():
                walk(child, (*path, name))

    walk(parser, ())
    return found


def test_top_level_help_through_the_entry_point_and_console_script() -> None:
    done = run(None, "--help")
    assert done.returncode == 0, done.stderr
    for word in ("--data-dir", "--demo", "demo", "settings", "clients", "services"):
        assert word in done.stdout
    for word in ("appointments", "items", "invoices", "credits", "payments"):
        assert word in done.stdout

    script = Path(sys.executable).parent / "cp-tui"
    assert script.exists(), "the console script cp-tui is not installed"
    done = subprocess.run(
        [str(script), "invoices", "--help"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for action in ("create", "list", "show", "void", "edit"):
        assert action in done.stdout


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands(build_parser())
    assert set(commands) >= DOCUMENTED
    for path in sorted(commands):
        with pytest.raises(SystemExit) as exited:
            main([*path, "--help"])
        assert exited.value.code == 0, path
        text = capsys.readouterr().out
        assert text.startswith("usage: cp-tui " + " ".join(path)), path
        assert "--json" in text, path
    for group in {path[0] for path in commands if len(path) == 2}:
        with pytest.raises(SystemExit) as exited:
            main([group, "--help"])
        assert exited.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: cp-tui {group}")

    with pytest.raises(SystemExit):
        main(["services", "add", "--help"])
    text = capsys.readouterr().out
    for flag in ("--name", "--price", "--tax-rate", "--duration", "--code"):
        assert flag in text
    with pytest.raises(SystemExit):
        main(["appointments", "add", "--help"])
    text = capsys.readouterr().out
    for flag in ("--client", "--service", "--start", "--repeat", "--count"):
        assert flag in text


# -- the JSON contract --------------------------------------------------------------------


def test_settings_clients_and_services(cli_dir: Path) -> None:
    shown = ok(cli_dir, "settings", "show")
    assert isinstance(shown, dict)
    assert shown["currency"] == "USD"

    changed = ok(
        cli_dir,
        "settings",
        "set",
        "--currency",
        "NZD",
        "--tax-rate",
        "15",
        "--practice-name",
        "Harbour Therapy",
        "--payment-terms",
        "30",
    )
    assert changed["currency"] == "NZD"
    assert changed["default_tax_rate"] == "15"
    assert changed["name"] == "Harbour Therapy"
    assert changed["payment_terms_days"] == 30

    ann = ok(cli_dir, "clients", "add", "--name", "Ann Lee", "--email", "ann@example.com")
    assert ann.keys() >= CLIENT_KEYS
    assert (ann["name"], ann["email"]) == ("Ann Lee", "ann@example.com")
    assert (ann["credit_balance"], ann["balance_due"], ann["uninvoiced_total"]) == (0, 0, 0)
    assert all(is_money(ann[k]) for k in ("credit_balance", "balance_due", "uninvoiced_total"))

    therapy = ok(
        cli_dir,
        "services",
        "add",
        "--name",
        "Therapy",
        "--price",
        "150.00",
        "--tax-rate",
        "12.5",
        "--duration",
        "50",
        "--code",
        "90837",
    )
    assert therapy.keys() >= SERVICE_KEYS
    assert therapy["unit_price"] == 15000 and is_money(therapy["unit_price"])
    assert therapy["tax_rate"] == "12.5"
    assert therapy["code"] == "90837"
    # Without --tax-rate a service takes the practice's default rate.
    short = ok(cli_dir, "services", "add", "--name", "Check-in", "--price", "80.50")
    assert (short["unit_price"], short["tax_rate"]) == (8050, "15")

    clients = ok(cli_dir, "clients", "list")
    assert isinstance(clients, list)
    assert [c["id"] for c in clients] == [ann["id"]]
    assert ok(cli_dir, "clients", "show", str(ann["id"])) == clients[0]


def test_appointments(cli_dir: Path, built: Services) -> None:
    ann = built.clients.add(name="Ann Lee").id
    ben = built.clients.add(name="Ben Lee").id
    therapy = built.catalogue.add(name="Therapy", price="150.00", tax_rate="15").id

    single = ok(
        cli_dir,
        "appointments",
        "add",
        "--client",
        str(ann),
        "--service",
        str(therapy),
        "--start",
        "2024-03-04T10:00",
    )
    assert isinstance(single, list) and len(single) == 1
    assert single[0].keys() >= APPOINTMENT_KEYS
    assert single[0]["start"] == "2024-03-04T10:00:00"
    assert single[0]["status"] == "scheduled"
    assert single[0]["series_id"] is None
    assert (single[0]["client_ids"], single[0]["service_ids"]) == ([ann], [therapy])

    series = ok(
        cli_dir,
        "appointments",
        "add",
        "--client",
        str(ann),
        "--service",
        str(therapy),
        "--start",
        "2024-03-11T10:00",
        "--repeat",
        "weekly",
        "--count",
        "4",
    )
    assert len(series) == 4
    assert len({a["series_id"] for a in series}) == 1
    assert series[0]["series_id"] is not None
    assert [a["start"] for a in series] == [
        "2024-03-11T10:00:00",
        "2024-03-18T10:00:00",
        "2024-03-25T10:00:00",
        "2024-04-01T10:00:00",
    ]

    group = ok(
        cli_dir,
        "appointments",
        "add",
        "--client",
        str(ann),
        "--client",
        str(ben),
        "--service",
        str(therapy),
        "--start",
        "2024-03-05T15:00",
    )
    assert group[0]["client_ids"] == [ann, ben]

    # Both days included; 1 April is outside.
    march = ok(cli_dir, "appointments", "list", "--from", "2024-03-01", "--to", "2024-03-25")
    assert isinstance(march, list)
    assert [a["id"] for a in march] == [
        single[0]["id"],
        group[0]["id"],
        *[a["id"] for a in series[:3]],
    ]

    done = ok(cli_dir, "appointments", "complete", str(group[0]["id"]))
    assert done["status"] == "completed"
    group_items = built.items.list()
    assert sorted(i.client_id for i in group_items) == [ann, ben]

    first = str(series[0]["id"])
    generated = ok(cli_dir, "appointments", "generate-items", first)
    assert len(generated["created"]) == 1
    item = generated["created"][0]
    assert item.keys() >= ITEM_KEYS
    assert item["date"] == "2024-03-11"
    assert (item["units"], item["unit_price"], item["tax_rate"]) == ("1", 15000, "15")
    assert (item["net"], item["tax"], item["total"]) == (15000, 2250, 17250)
    again = run(cli_dir, "appointments", "generate-items", first, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["created"] == []
    assert "nothing changed" in again.stderr
    assert len(built.items.list()) == 3

    assert ok(cli_dir, "appointments", "cancel", str(series[1]["id"]))["status"] == "cancelled"
    assert ok(cli_dir, "appointments", "no-show", str(series[2]["id"]))["status"] == "no-show"
    assert len(built.items.list()) == 3


def test_items_remove(cli_dir: Path, built: Services) -> None:
    ann = built.clients.add(name="Ann Lee").id
    therapy = built.catalogue.add(name="Therapy", price="150.00").id
    (session,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 4, 10))
    wrong = built.items.add(client_id=ann, description="Report", price="80.00").id

    assert ok(cli_dir, "items", "remove", str(wrong)) == {
        "id": wrong,
        "result": "removed item: Report ($80.00)",
    }
    before = dump(cli_dir)
    assert refused(cli_dir, "items", "remove", str(session)) == (
        f"cp-tui: error: item {session} is the session of appointment 1: if it did not take "
        "place, cancel it or mark it a no-show (`cp-tui appointments cancel 1`), which takes "
        "its items away"
    )
    assert refused(cli_dir, "items", "remove", str(wrong)).startswith(
        f"cp-tui: error: no billing item with id {wrong}"
    )
    assert dump(cli_dir) == before


def test_items_and_invoices(cli_dir: Path, built: Services) -> None:
    ann = built.clients.add(name="Ann Lee").id
    ben = built.clients.add(name="Ben Lee").id
    therapy = built.catalogue.add(name="Therapy", price="150.00", tax_rate="15").id
    (first,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 4, 10))
    (second,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 11, 10))
    couple = _finished_session(built, [ann, ben], therapy, datetime(2024, 3, 12, 17))
    bens = next(i.id for i in built.items.list(client_id=ben) if i.id in couple)

    items = ok(cli_dir, "items", "list", "--client", str(ann), "--uninvoiced")
    assert isinstance(items, list)
    assert len(items) == 3
    assert all(i.keys() >= ITEM_KEYS and i["invoice_number"] is None for i in items)

    edited = ok(cli_dir, "items", "edit", str(first), "--units", "1.5")
    assert (edited["units"], edited["net"], edited["tax"], edited["total"]) == (
        "1.5",
        22500,
        3375,
        25875,
    )

    invoice = ok(
        cli_dir, "invoices", "create", "--client", str(ann), "--items", f"{first},{second}"
    )
    assert invoice.keys() >= INVOICE_KEYS
    assert (invoice["number"], invoice["kind"], invoice["status"]) == (
        "INV-0001",
        "invoice",
        "unpaid",
    )
    assert (invoice["client_id"], invoice["currency"]) == (ann, "USD")
    assert [ln["item_id"] for ln in invoice["lines"]] == [first, second]
    assert all(ln.keys() >= LINE_KEYS for ln in invoice["lines"])
    assert invoice["lines"][0]["units"] == "1.5"
    assert invoice["lines"][0]["tax_rate"] == "15"
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (37500, 5625, 43125)
    assert (invoice["credit_applied"], invoice["amount_paid"]) == (0, 0)
    assert invoice["amount_due"] == 43125
    assert all(is_money(invoice[k]) for k in INVOICE_MONEY)
    date.fromisoformat(invoice["issue_date"])

    listed = {i["id"]: i for i in ok(cli_dir, "items", "list", "--client", str(ann))}
    assert listed[first]["invoice_number"] == "INV-0001"
    assert listed[second]["invoice_number"] == "INV-0001"

    changed = ok(
        cli_dir,
        "invoices",
        "edit",
        "INV-0001",
        "--line",
        str(first),
        "--units",
        "2",
        "--price",
        "140.00",
        "--tax-rate",
        "10",
        "--remove",
        str(second),
    )
    (line,) = changed["lines"]
    assert (line["item_id"], line["units"], line["unit_price"], line["tax_rate"]) == (
        first,
        "2",
        14000,
        "10",
    )
    assert (line["net"], line["tax"], line["total"]) == (28000, 2800, 30800)
    assert (changed["subtotal"], changed["tax"], changed["total"]) == (28000, 2800, 30800)
    assert changed["amount_due"] == 30800
    assert second in {i.id for i in built.items.list(uninvoiced=True)}
    added = ok(cli_dir, "invoices", "edit", "INV-0001", "--add", str(second))
    assert [ln["item_id"] for ln in added["lines"]] == [first, second]
    assert added["total"] == 30800 + 17250

    # The couple's session: Ben's item billed to Ann.
    billed = ok(
        cli_dir,
        "invoices",
        "create",
        "--client",
        str(ben),
        "--items",
        str(bens),
        "--bill-to",
        str(ann),
    )
    assert (billed["number"], billed["client_id"]) == ("INV-0002", ann)
    assert [ln["item_id"] for ln in billed["lines"]] == [bens]

    everything = ok(cli_dir, "invoices", "list")
    assert isinstance(everything, list)
    assert [v["number"] for v in everything] == ["INV-0001", "INV-0002"]
    assert ok(cli_dir, "invoices", "list", "--status", "paid") == []
    assert ok(cli_dir, "invoices", "list", "--client", str(ben)) == []

    voided = ok(cli_dir, "invoices", "void", "INV-0002")
    assert (voided["number"], voided["status"]) == ("INV-0002", "void")
    assert bens in {i.id for i in built.items.list(uninvoiced=True)}

    shown = ok(cli_dir, "invoices", "show", "INV-0001")
    assert shown == added | {"payments": shown["payments"]}
    assert ok(cli_dir, "clients", "show", str(ann))["balance_due"] == added["total"]


def test_payments_and_credits(cli_dir: Path, built: Services) -> None:
    ann = built.clients.add(name="Ann Lee").id
    therapy = built.catalogue.add(name="Therapy", price="100.00", tax_rate="0").id
    _finished_session(built, [ann], therapy, datetime(2024, 3, 4, 10))
    built.invoices.create(client_id=ann)  # INV-0001, 100.00
    later = _finished_session(built, [ann], therapy, datetime(2024, 3, 11, 10))

    part = ok(cli_dir, "payments", "record", "INV-0001", "--amount", "80.00", "--method", "cash")
    assert (part["amount_paid"], part["amount_due"], part["status"]) == (
        8000,
        2000,
        "partially paid",
    )
    over = ok(
        cli_dir, "payments", "record", "INV-0001", "--amount", "50.00", "--method", "transfer"
    )
    assert (over["amount_paid"], over["amount_due"], over["status"]) == (10000, 0, "paid")

    note = ok(
        cli_dir, "credits", "add", "--client", str(ann), "--amount", "50.00", "--reason", "Goodwill"
    )
    assert note.keys() >= INVOICE_KEYS
    assert (note["number"], note["kind"]) == ("CN-0001", "credit_note")
    assert (note["subtotal"], note["total"]) == (-5000, -5000)
    assert note["lines"][0]["unit_price"] == -5000

    client = ok(cli_dir, "clients", "show", str(ann))
    # 30.00 overpaid + 50.00 credit note.
    assert (client["credit_balance"], client["balance_due"]) == (8000, 0)
    assert client["uninvoiced_total"] == 10000

    invoice = ok(cli_dir, "invoices", "create", "--client", str(ann), "--apply-credit")
    assert invoice["number"] == "INV-0002"
    assert [ln["item_id"] for ln in invoice["lines"]] == later
    assert (invoice["total"], invoice["credit_applied"], invoice["amount_due"]) == (
        10000,
        8000,
        2000,
    )
    assert built.clients.get(ann).credit_balance == 0
    assert built.clients.get(ann).balance_due == 2000


def test_text_output_for_people(
    cli_dir: Path, built: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process: the same main() the entry point calls, without the --json flag.
    for command in (["invoices", "list"], ["items", "list"], ["appointments", "list"]):
        assert main(["--data-dir", str(cli_dir), *command]) == 0
        printed = capsys.readouterr().out
        assert printed == "(none)\n", command  # not a clients table with no rows
    ann = built.clients.add(name="Ann Lee", email="ann@example.com").id
    therapy = built.catalogue.add(name="Therapy", price="150.00", tax_rate="15").id
    _finished_session(built, [ann], therapy, datetime(2024, 3, 4, 10))
    built.invoices.create(client_id=ann)
    assert main(["--data-dir", str(cli_dir), "clients", "list"]) == 0
    printed = capsys.readouterr().out
    assert "Ann Lee" in printed and "$172.50" in printed
    assert main(["--data-dir", str(cli_dir), "invoices", "show", "INV-0001"]) == 0
    printed = capsys.readouterr().out
    assert "Invoice INV-0001" in printed and "Total $172.50" in printed


# -- bad input --------------------------------------------------------------------------------


def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    cli_dir: Path, built: Services
) -> None:
    ann = built.clients.add(name="Ann Lee").id
    therapy = built.catalogue.add(name="Therapy", price="100.00", tax_rate="10").id
    (paid_item,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 4, 10))
    paid = built.invoices.create(client_id=ann).number
    built.payments.record(paid, amount="110.00", method="cash")
    (part_item,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 11, 10))
    partly = built.invoices.create(client_id=ann).number
    built.payments.record(partly, amount="10.00", method="card")
    (loose,) = _finished_session(built, [ann], therapy, datetime(2024, 3, 18, 10))
    series = built.calendar.add(
        client_ids=[ann],
        service_ids=[therapy],
        start=datetime(2099, 1, 5, 10),
        repeat="weekly",
        count=2,
    )
    cancelled = built.calendar.add(
        client_ids=[ann], service_ids=[therapy], start=datetime(2024, 3, 25, 10)
    )
    built.calendar.cancel(cancelled[0].id)

    invoices_before = ok(cli_dir, "invoices", "list")
    items_before = ok(cli_dir, "items", "list")
    rows_before = dump(cli_dir)

    unknown = [
        refused(cli_dir, "clients", "show", "999"),
        refused(cli_dir, "invoices", "create", "--client", "999"),
        refused(cli_dir, "payments", "record", "INV-9999", "--amount", "10.00", "--method", "cash"),
    ]
    assert "999" in unknown[0] and "INV-9999" in unknown[2]
    assert "negative" in refused(cli_dir, "services", "add", "--name", "X", "--price", "-5.00")
    assert "100" in refused(
        cli_dir, "services", "add", "--name", "X", "--price", "5.00", "--tax-rate", "100.5"
    )
    assert "units" in refused(cli_dir, "items", "edit", str(loose), "--units", "0")
    assert paid in refused(
        cli_dir, "invoices", "create", "--client", str(ann), "--items", str(paid_item)
    )
    assert partly in refused(cli_dir, "items", "edit", str(part_item), "--price", "1.00")
    assert paid in refused(
        cli_dir, "invoices", "edit", paid, "--line", str(paid_item), "--units", "2"
    )
    assert partly in refused(cli_dir, "invoices", "edit", partly, "--add", str(loose))
    assert partly in refused(cli_dir, "invoices", "void", partly)
    assert "date" in refused(
        cli_dir,
        "appointments",
        "add",
        "--client",
        str(ann),
        "--service",
        str(therapy),
        "--start",
        "2024-02-30T10:00",
    )
    assert "date" in refused(
        cli_dir,
        "payments",
        "record",
        partly,
        "--amount",
        "1.00",
        "--method",
        "cash",
        "--date",
        "yesterday",
    )
    assert "bogus" in refused(cli_dir, "invoices", "list", "--status", "bogus")
    assert "future" in refused(cli_dir, "appointments", "generate-items", str(series[0].id))
    assert "cancelled" in refused(cli_dir, "appointments", "generate-items", str(cancelled[0].id))

    assert dump(cli_dir) == rows_before
    assert ok(cli_dir, "invoices", "list") == invoices_before
    assert ok(cli_dir, "items", "list") == items_before


# -- where the data lives, and the demo --------------------------------------------------------


def test_data_dir_environment_and_flag(tmp_path: Path) -> None:
    from_env = tmp_path / "env-folder"
    from_flag = tmp_path / "flag-folder"
    done = run(
        None,
        "clients",
        "add",
        "--name",
        "Ann Lee",
        "--json",
        env={"CP_TUI_DATA_DIR": str(from_env)},
    )
    assert done.returncode == 0, done.stderr
    assert (from_env / DB_FILENAME).exists()

    done = run(from_flag, "clients", "list", "--json", env={"CP_TUI_DATA_DIR": str(from_env)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # --data-dir beats the environment
    assert (from_flag / DB_FILENAME).exists()

    shared = tmp_path / "server" / "office.db"
    done = run(
        from_flag,
        "clients",
        "add",
        "--name",
        "Ben Lee",
        "--json",
        env={"CP_TUI_DATABASE_URL": f"sqlite:///{shared}"},
    )
    assert done.returncode == 0, done.stderr
    assert shared.exists()
    conn = sqlite3.connect(shared)
    assert conn.execute("SELECT name FROM client").fetchall() == [("Ben Lee",)]
    conn.close()


def test_demo_loads_and_resets(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    loaded = ok(demo_dir, "demo")
    assert loaded["clients"] >= 10
    clients = ok(demo_dir, "clients", "list")
    assert isinstance(clients, list)
    assert 10 <= len(clients) <= 14
    assert len(clients) == loaded["clients"]
    assert any(c["credit_balance"] > 0 for c in clients)
    assert any(c["balance_due"] > 0 for c in clients)

    ok(demo_dir, "clients", "add", "--name", "Someone Added")
    reset = ok(demo_dir, "demo", "--reset")
    assert reset["clients"] == loaded["clients"]
    names = {c["name"] for c in ok(demo_dir, "clients", "list")}
    assert len(names) == loaded["clients"]
    assert "Someone Added" not in names


def test_demo_reset_refuses_a_real_practice(cli_dir: Path, built: Services) -> None:
    built.clients.add(name="Real Client")
    built.close()
    rows_before = dump(cli_dir)
    assert "demo" in refused(cli_dir, "demo", "--reset")
    assert dump(cli_dir) == rows_before
    assert [c.name for c in built.clients.list()] == ["Real Client"]


def test_a_date_of_birth_is_set_and_forgotten(cli_dir: Path, built: Services) -> None:
    alex = built.clients.add(name="Alex Rivera", email="alex@example.com").id
    set_ = ok(cli_dir, "codes", "client", str(alex), "--dob", "1988-04-02")
    assert set_["date_of_birth"] == "1988-04-02"
    both = refused(cli_dir, "codes", "client", str(alex), "--dob", "1988-04-02", "--no-dob")
    assert "--no-dob: not allowed with argument --dob" in both
    forgotten = ok(cli_dir, "codes", "client", str(alex), "--no-dob")
    assert forgotten["date_of_birth"] is None


def test_an_error_that_echoes_a_control_character_stays_on_one_line(tmp_path: Path) -> None:
    done = run(
        tmp_path / "practice",
        "mail",
        "set",
        "--host",
        "smtp.example.com",
        "--ca-file",
        "bad\rname\n.pem",
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "bad\\rname\\n.pem" in done.stderr
