"""Billing workloads run in subprocesses by the crash-safety and two-terminal tests.

    python -m tests.integration.workload crash DATA_DIR SEED
        Sets up a small practice (once), prints ``ready``, then issues invoices
        forever through the real services: items, invoices (some with credit,
        some billed to another client, some drafts issued or discarded later),
        payments (part, exact, over), credit notes, applied credit, voids and
        edits. Prints ``made NUMBER`` for each document it committed and
        ``op N`` after each use case. Meant to be killed with SIGKILL at any
        moment.

    python -m tests.integration.workload batch DATA_DIR SEED
        Sets up a practice of BATCH_CLIENTS clients (once), prints ``ready``,
        then forever: finishes the batch of the newest week that has items
        (what a killed run left), bills every client a session in the next
        week, and runs that week's batch (BatchService.run, 100 invoices a
        transaction). Prints ``made NUMBER`` for each invoice of a run that
        returned. Meant to be killed with SIGKILL at any moment.

    python -m tests.integration.workload finish-batches DATA_DIR
        Not killed: runs the batch of every week that has uninvoiced items,
        then prints one JSON line: items left uninvoiced, and (client, week)
        pairs billed on more than one invoice.

    python -m tests.integration.workload writer DATA_DIR NAME COUNT [GO_FILE]
        One "terminal": once GO_FILE exists (if given), COUNT times adds a
        client and an item, invoices it and pays half, then reads the whole
        client list (seeing the other terminal's clients). Prints one JSON
        line of what it did and every error it met; exits 1 if it met any.

``CP_TUI_DATABASE_URL`` in the environment points either workload at another
database (PostgreSQL) instead of ``DATA_DIR/practice.db``.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from cp_tui.bootstrap import Services, build_services
from cp_tui.config import resolve_settings
from cp_tui.services.errors import DomainError
from cp_tui.services.invoicing import LineChange

CLIENTS = ("Ann Archer", "Ben Brook", "Cleo Cross", "Dev Dale")
ROOT = Path(__file__).resolve().parents[2]


def _open(data_dir: str) -> Services:
    return build_services(resolve_settings(data_dir))


def _setup(s: Services) -> tuple[list[int], list[str]]:
    clients = s.clients.list(include_archived=True)
    if len(clients) < len(CLIENTS):
        # A kill may land between two of these: top up whatever is missing.
        have = {c.name for c in clients}
        for name in CLIENTS:
            if name not in have:
                s.clients.add(name=name, email=f"{name.split()[0].lower()}@example.com")
        clients = s.clients.list(include_archived=True)
    return [c.id for c in clients], ["150.00", "25.06", "25.61", "99.99", "0.05"]


def crash(data_dir: str, seed: int) -> None:
    rng = random.Random(seed)
    s = _open(data_dir)
    client_ids, prices = _setup(s)
    print("ready", flush=True)
    ops = 0
    while True:
        client = rng.choice(client_ids)
        roll = rng.random()
        try:
            if roll < 0.45:
                for _ in range(rng.randint(1, 3)):
                    s.items.add(
                        client_id=client,
                        description="Session",
                        price=rng.choice(prices),
                        units=rng.choice(["1", "1.5", "2"]),
                        tax_rate=rng.choice(["0", "15", "12.5"]),
                    )
                payer = rng.choice(client_ids) if rng.random() < 0.1 else None
                made = s.invoices.create(
                    client_id=client, bill_to=payer, apply_credit=rng.random() < 0.3
                )
                print(f"made {made.number}", flush=True)
            elif roll < 0.75:
                open_ = s.invoices.list(client_id=client, status="open")
                if open_:
                    target = rng.choice(open_)
                    due = target.amount_due
                    amount = rng.choice([due, max(due // 2, 1), due + 700])
                    s.payments.record(
                        target.number,
                        amount=Decimal(amount) / 100,
                        method=rng.choice(["cash", "card", "transfer"]),
                    )
            elif roll < 0.82:
                open_ = s.invoices.list(client_id=client, status="open")
                corrects = rng.choice(open_).number if open_ and rng.random() < 0.5 else None
                note = s.credits.add(
                    client_id=client,
                    amount=rng.choice(["10.00", "33.33", "5.05"]),
                    reason="Goodwill",
                    invoice_number=corrects,
                )
                print(f"made {note.number}", flush=True)
            elif roll < 0.9:
                open_ = s.invoices.list(client_id=client, status="unpaid")
                if open_:
                    s.invoices.void(rng.choice(open_).number, reason="mistake")
            elif roll < 0.95:
                open_ = s.invoices.list(client_id=client, status="open")
                if open_:
                    s.invoices.apply_credit(rng.choice(open_).number)
            elif roll < 0.98:
                drafts = s.invoices.list(client_id=client, status="draft")
                if drafts and rng.random() < 0.6:
                    ref = f"DRAFT-{drafts[0].id}"
                    if rng.random() < 0.7:
                        issued = s.drafts.issue(ref, apply_credit=rng.random() < 0.3)
                        print(f"made {issued.number}", flush=True)
                    else:
                        s.drafts.discard(ref)
                else:
                    s.items.add(client_id=client, description="Report", price="25.06")
                    s.invoices.create(client_id=client, draft=True)
            else:
                open_ = s.invoices.list(client_id=client, status="unpaid")
                if open_ and open_[0].lines and open_[0].lines[0].item_id:
                    line = open_[0].lines[0]
                    s.invoices.edit(
                        open_[0].number,
                        changes={line.item_id or 0: LineChange(units=rng.choice(["1", "3"]))},
                    )
        except DomainError:
            pass  # refused on purpose (nothing due, no credit, nothing to invoice)
        ops += 1
        print(f"op {ops}", flush=True)


BATCH_CLIENTS = 150
FIRST_WEEK = date(2026, 1, 5)  # a Monday


def _batch_clients(s: Services) -> list[int]:
    have = s.clients.list(include_archived=True)
    names = {c.name for c in have}
    for n in range(BATCH_CLIENTS):  # a kill may land half-way: top up what is missing
        if f"Batch client {n:03}" not in names:
            s.clients.add(name=f"Batch client {n:03}")
    return [c.id for c in s.clients.list(include_archived=True)]


def _newest_week(s: Services) -> date | None:
    with s.db.read() as session:
        newest = session.execute(text("SELECT max(date) FROM billing_item")).scalar_one()
    if newest is None:
        return None
    day = newest if isinstance(newest, date) else date.fromisoformat(str(newest))
    return day - timedelta(days=day.weekday())


def _bill_week(s: Services, monday: date) -> list[str]:
    preview = s.batch.preview("week", monday)
    result = s.batch.run(preview.rows)
    return [o.invoice for o in result.created if o.invoice]


def batch(data_dir: str, seed: int) -> None:
    rng = random.Random(seed)
    s = _open(data_dir)
    client_ids = _batch_clients(s)
    print("ready", flush=True)
    ops = 0
    while True:
        week = _newest_week(s)
        if week is not None:  # what a killed run left of the newest week
            finished = _bill_week(s, week)
            for number in finished:
                print(f"made {number}", flush=True)
            if finished and ops == 0:
                print(f"resumed {len(finished)}", flush=True)
        monday = FIRST_WEEK if week is None else week + timedelta(days=7)
        for client in client_ids:
            s.items.add(
                client_id=client,
                description="Session",
                price=rng.choice(["150.00", "25.06", "99.99"]),
                tax_rate=rng.choice(["0", "15"]),
                on=monday + timedelta(days=rng.randrange(5)),
            )
        for number in _bill_week(s, monday):
            print(f"made {number}", flush=True)
        ops += 1
        print(f"op {ops}", flush=True)


def finish_batches(data_dir: str) -> int:
    s = _open(data_dir)
    try:
        with s.db.read() as session:
            days = session.execute(
                text(
                    "SELECT DISTINCT b.date FROM billing_item b WHERE NOT EXISTS "
                    "(SELECT 1 FROM invoice_line l WHERE l.active_item_id = b.id)"
                )
            ).scalars()
            weeks = sorted({_monday(day) for day in days})
        made = [number for week in weeks for number in _bill_week(s, week)]
        with s.db.read() as session:
            left = session.execute(
                text(
                    "SELECT count(*) FROM billing_item b WHERE NOT EXISTS "
                    "(SELECT 1 FROM invoice_line l WHERE l.active_item_id = b.id)"
                )
            ).scalar_one()
            billed = session.execute(
                text(
                    "SELECT b.client_id, b.date, l.invoice_id FROM invoice_line l "
                    "JOIN billing_item b ON b.id = l.active_item_id"
                )
            ).all()
        invoices_of: dict[tuple[int, date], set[int]] = {}
        for client, day, invoice in billed:
            invoices_of.setdefault((client, _monday(day)), set()).add(invoice)
        twice = [f"{c} {w}" for (c, w), found in invoices_of.items() if len(found) > 1]
        print(json.dumps({"made": made, "left": int(left), "twice": twice[:10]}), flush=True)
        return 0
    finally:
        s.close()


def _monday(day: object) -> date:
    when = day if isinstance(day, date) else date.fromisoformat(str(day))
    return when - timedelta(days=when.weekday())


def writer(data_dir: str, name: str, count: int, go_file: str | None = None) -> int:
    s = _open(data_dir)
    if go_file:  # start together with the other terminal
        print("ready", flush=True)
        while not os.path.exists(go_file):
            time.sleep(0.01)
    errors: list[str] = []
    invoices: list[str] = []
    seen_others = 0
    started = time.monotonic()
    for n in range(count):
        try:
            client = s.clients.add(name=f"{name} client {n}").id
            s.items.add(client_id=client, description="Session", price="120.00")
            invoice = s.invoices.create(client_id=client)
            s.payments.record(invoice.number, amount="60.00", method="cash")
            invoices.append(invoice.number)
            seen_others = sum(1 for c in s.clients.list() if not c.name.startswith(name))
        except Exception:
            errors.append(traceback.format_exc(limit=3))
    # The other terminal may not have written yet when this one is done: refresh
    # until its clients show (as a person would), so the check never races the start.
    deadline = time.monotonic() + 120
    while seen_others < count and time.monotonic() < deadline:
        time.sleep(0.05)
        seen_others = sum(1 for c in s.clients.list() if not c.name.startswith(name))
    s.close()
    print(
        json.dumps(
            {
                "name": name,
                "invoices": invoices,
                "errors": errors,
                "seen_others": seen_others,
                "seconds": round(time.monotonic() - started, 2),
            }
        ),
        flush=True,
    )
    return 1 if errors else 0


# -- the harness: run, kill, verify (used by the tests and bench/crash_soak.py) ----------


@dataclass
class CrashRun:
    seed: int
    delay: float
    ops: int = 0
    made: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    resumed: int = 0  # invoices a batch run finished for the run killed before it


def clean_environ(**extra: str) -> dict[str, str]:
    """This environment without CP_TUI_* settings: a test never touches a real practice."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CP_TUI_")}
    env.update(extra)
    return env


def run_and_kill(
    data_dir: Path,
    seed: int,
    delay: float,
    *,
    ready_timeout: float = 60,
    workload: str = "crash",
) -> CrashRun:
    """Start the ``workload`` (crash or batch), let it work ``delay`` seconds, then SIGKILL it."""
    run = CrashRun(seed=seed, delay=delay)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.workload", workload, str(data_dir), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=clean_environ(),
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], ready_timeout)
    first = proc.stdout.readline() if ready else ""
    if first.strip() != "ready":
        proc.kill()
        _out, err = proc.communicate(timeout=30)
        run.problems.append(f"the workload did not start: {first!r} {err[-2000:]}")
        return run
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    if proc.returncode != -signal.SIGKILL:
        run.problems.append(f"the workload stopped by itself ({proc.returncode}): {err[-2000:]}")
    for line in out.splitlines():
        if line.startswith("op "):
            run.ops = int(line.split()[1])
        elif line.startswith("made "):
            run.made.append(line.split()[1])
        elif line.startswith("resumed "):
            run.resumed = int(line.split()[1])
    return run


def entry_point() -> list[str]:
    """The installed ``cp-tui`` script beside this Python, as a person would run it."""
    script = Path(sys.executable).parent / "cp-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cp_tui"]


def verify(data_dir: Path, made: list[str]) -> list[str]:
    """What is wrong with the practice after a kill (empty when nothing is)."""
    problems: list[str] = []
    db = data_dir / "practice.db"
    conn = sqlite3.connect(db)  # a normal open: it recovers the -wal as cp-tui would
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            problems.append(f"foreign_key_check: {dangling[:5]}")
        numbers = {r[0] for r in conn.execute("SELECT number FROM invoice")}
    finally:
        conn.close()
    lost = [n for n in made if n not in numbers]
    if lost:
        problems.append(f"committed and then lost: {lost[:10]}")
    done = subprocess.run(
        [*entry_point(), "--data-dir", str(data_dir), "check", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_environ(),
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        problems.append(
            f"cp-tui check exited {done.returncode}: {done.stdout[-3000:]}{done.stderr}"
        )
    else:
        report = json.loads(done.stdout)
        if not report["ok"] or report["findings"]:
            problems.append(f"cp-tui check: {report['findings'][:5]}")
    return problems


def main(argv: list[str]) -> int:
    if argv[0] == "crash":
        crash(argv[1], int(argv[2]))
        return 0
    if argv[0] == "batch":
        batch(argv[1], int(argv[2]))
        return 0
    if argv[0] == "finish-batches":
        return finish_batches(argv[1])
    if argv[0] == "writer":
        return writer(argv[1], argv[2], int(argv[3]), argv[4] if len(argv) > 4 else None)
    raise SystemExit(f"unknown workload {argv[0]!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
