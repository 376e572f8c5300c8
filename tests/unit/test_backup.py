"""Backups, restore, and damaged files (SQLite only: PostgreSQL uses pg_dump).

- automatic: on the first start of each day, and before every migration;
  rotated (the newest 14 kept); 0600 files in a 0700 folder;
- ``cp-tui backup [--to FILE]`` and ``cp-tui restore FILE``: the backup is
  checked first, the current file is kept aside, and the restored practice
  shows the very same totals;
- a truncated or damaged database is refused at start with a message naming the
  latest backup, and is never written to.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config

from cp_tui.backup import (
    KEEP,
    BackupError,
    list_backups,
    make_backup,
    read_revision,
    verify_backup,
)
from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import main
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.migrations import HEAD, REVISIONS, SCRIPT_LOCATION
from cp_tui.services.integrity import IntegrityService
from cp_tui.store import DamagedDatabase
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.sqlite_only

TUE = datetime(2026, 11, 24, 10, 0)


def _open(data_dir: Path, clock: FrozenClock) -> Services:
    return build_services(resolve_settings(data_dir, environ={}), clock=clock)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _fill(s: Services) -> None:
    """Invoices paid, part-paid, overpaid and void, and a credit note."""
    ann = s.clients.add(name="Ann Archer", email="ann@example.com").id
    ben = s.clients.add(name="Ben Brook").id
    therapy = s.catalogue.add(name="Therapy", price="150.00", tax_rate="15", code="90837").id
    for day, client in enumerate([ann, ben, ann, ben]):
        appt = s.calendar.add(
            client_ids=[client], service_ids=[therapy], start=TUE - timedelta(days=day)
        )[0]
        s.calendar.complete(appt.id)
    first = s.invoices.create(client_id=ann).number
    s.payments.record(first, amount="200.00", method="cash")
    second = s.invoices.create(client_id=ben).number
    s.payments.record(second, amount="100.00", method="transfer")
    s.credits.add(client_id=ben, amount="20.00", reason="Goodwill", invoice_number=second)


def _more(s: Services) -> None:
    """Changes made after the backup, which a restore takes back."""
    cleo = s.clients.add(name="Cleo Cross").id
    s.items.add(client_id=cleo, description="Report", price="80.00")
    number = s.invoices.create(client_id=cleo).number
    s.payments.record(number, amount="30.00", method="cash")
    s.items.add(client_id=cleo, description="Letter", price="20.00")
    s.invoices.void(s.invoices.create(client_id=cleo).number, reason="twice")


def _totals(s: Services) -> dict[str, Any]:
    """Every figure a person sees: per client, per invoice, and in sum."""
    summary = s.invoices.summary()
    return {
        "clients": [
            (c.id, c.name, c.credit_balance, c.balance_due, c.uninvoiced_total)
            for c in s.clients.list(include_archived=True)
        ],
        "invoices": [
            (i.number, i.status, i.total, i.credit_applied, i.amount_paid, i.amount_due)
            for i in s.invoices.list()
        ],
        "summary": summary,
    }


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- automatic backups --------------------------------------------------------------------


def test_a_new_empty_practice_needs_no_backup(services: Services, data_dir: Path) -> None:
    services.close()
    again = _open(data_dir, FrozenClock(FROZEN_NOW))
    again.close()
    assert list_backups(data_dir / DB_FILENAME) == []


def test_the_first_start_of_each_day_backs_up_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    clock = FrozenClock(FROZEN_NOW)
    s = _open(data_dir, clock)
    s.clients.add(name="Ann Archer")
    s.close()
    db = data_dir / DB_FILENAME

    _open(data_dir, clock).close()
    clock.advance(timedelta(hours=3))
    _open(data_dir, clock).close()  # later the same day: nothing new
    [first] = list_backups(db)
    assert first.name == "practice-20261125-140000.db"
    assert first.parent == data_dir / "backups"
    assert _mode(first) == 0o600
    assert _mode(first.parent) == 0o700
    assert read_revision(first) == HEAD

    clock.advance(timedelta(days=1))
    _open(data_dir, clock).close()
    assert [p.name for p in list_backups(db)] == [
        "practice-20261125-140000.db",
        "practice-20261126-170000.db",
    ]


def test_rotation_keeps_the_newest(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    s.clients.add(name="Ann Archer")
    s.close()
    db = data_dir / DB_FILENAME
    start = datetime(2026, 1, 1, 9, 0)
    for day in range(KEEP + 6):
        make_backup(db, now=start + timedelta(days=day))
    kept = list_backups(db)
    assert len(kept) == KEEP
    assert kept[0].name == "practice-20260107-090000.db"
    assert kept[-1].name == "practice-20260120-090000.db"
    assert not list((data_dir / "backups").glob(".*"))  # no half-written copy left


def test_backup_files_are_private_whatever_the_umask(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    s.clients.add(name="Ann Archer")
    s.close()
    old = os.umask(0)
    try:
        made = Path(make_backup(data_dir / DB_FILENAME).path)
        elsewhere = Path(make_backup(data_dir / DB_FILENAME, to=tmp_path / "copy.db").path)
    finally:
        os.umask(old)
    assert _mode(made) == 0o600
    assert _mode(made.parent) == 0o700
    assert _mode(elsewhere) == 0o600


def _downgrade(db: Path, revision: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{db}")
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()


@pytest.mark.skipif(len(REVISIONS) < 2, reason="only one schema revision so far")
def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    s.clients.add(name="Ann Archer")
    s.close()
    db = data_dir / DB_FILENAME
    _open(data_dir, clock).close()  # today's backup is taken
    assert len(list_backups(db)) == 1
    _downgrade(db, REVISIONS[-2])
    assert read_revision(db) == REVISIONS[-2]

    s = _open(data_dir, clock)  # migrates back to HEAD...
    assert [c.name for c in s.clients.list()] == ["Ann Archer"]
    s.close()
    assert read_revision(db) == HEAD
    # ...after keeping the practice as it was before the migration.
    revisions = sorted(str(read_revision(p)) for p in list_backups(db))
    assert revisions == sorted([HEAD, REVISIONS[-2]])


# -- backup and restore on the command line ------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path, clock: FrozenClock) -> Path:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    _fill(s)
    s.close()
    return data_dir


def test_backup_to_a_file_and_list(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "monday.db"
    code, out, _ = _run(capsys, "--data-dir", str(filled), "backup", "--to", str(target), "--json")
    assert code == 0
    assert json.loads(out)["path"] == str(target)
    assert verify_backup(target, REVISIONS) == HEAD

    code, _, err = _run(capsys, "--data-dir", str(filled), "backup", "--to", str(target))
    assert code == 2
    assert "exists already" in err

    code, out, _ = _run(capsys, "--data-dir", str(filled), "backup")
    assert code == 0 and "backups/practice-" in out
    code, out, _ = _run(capsys, "--data-dir", str(filled), "backup", "--list", "--json")
    assert code == 0
    assert [Path(b["path"]).parent.name for b in json.loads(out)] == ["backups"]


def test_restore_brings_back_the_very_same_totals(
    filled: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _open(filled, clock)
    before = _totals(s)
    s.close()
    code, out, _ = _run(capsys, "--data-dir", str(filled), "backup", "--json")
    backup = json.loads(out)["path"]

    s = _open(filled, clock)
    _more(s)
    later = _totals(s)
    s.close()
    assert later != before

    code, out, err = _run(capsys, "--data-dir", str(filled), "restore", backup, "--json")
    assert code == 0, err
    done = json.loads(out)
    aside = Path(done["kept_aside"])
    assert aside.name.startswith("practice.db.before-restore-")
    assert _mode(aside) == 0o600

    s = _open(filled, clock)
    try:
        assert _totals(s) == before
        assert IntegrityService(s.db, s.clock).check().ok
    finally:
        s.close()
    # The practice as it was before the restore is all there, beside it.
    conn = sqlite3.connect(aside)
    try:
        assert conn.execute("SELECT count(*) FROM invoice").fetchone()[0] == len(later["invoices"])
    finally:
        conn.close()


def test_a_terminal_that_has_the_practice_open_sees_the_restore(
    filled: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = make_backup(filled / DB_FILENAME).path
    s = _open(filled, clock)
    try:
        before = _totals(s)
        _more(s)
        assert _totals(s) != before
        code, _, err = _run(capsys, "--data-dir", str(filled), "restore", backup)
        assert code == 0, err
        assert _totals(s) == before  # the same open services, on their next read
    finally:
        s.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = Path(make_backup(filled / DB_FILENAME, to=tmp_path / "bad.db").path)
    _damage(bad, "invoice_line")
    db = filled / DB_FILENAME
    before = _sha(db)
    code, _, err = _run(capsys, "--data-dir", str(filled), "restore", str(bad))
    assert code == 2
    assert "damaged" in err and "nothing was restored" in err
    assert _sha(db) == before
    assert not list(filled.glob("*before-restore*"))


def test_restore_refuses_a_backup_from_a_newer_cp_tui(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = Path(make_backup(filled / DB_FILENAME, to=tmp_path / "newer.db").path)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    before = _sha(filled / DB_FILENAME)
    code, _, err = _run(capsys, "--data-dir", str(filled), "restore", str(newer))
    assert code == 2
    assert "newer cp-tui" in err
    assert _sha(filled / DB_FILENAME) == before


def test_restore_refuses_what_is_not_a_backup(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    with pytest.raises(BackupError, match="not an SQLite database"):
        verify_backup(text_file, REVISIONS)
    code, _, err = _run(capsys, "--data-dir", str(filled), "restore", str(tmp_path / "nope.db"))
    assert code == 2 and "is not a file" in err


# -- damaged databases ------------------------------------------------------------------------


def _damage(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a failing disk might."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.execute("PRAGMA journal_mode=DELETE")  # everything into the main file first
    conn.close()
    with open(db, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(bytes([0x5A]) * page_size)


def test_a_truncated_database_is_refused_and_offered_its_latest_backup(
    filled: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _open(filled, clock)
    before = _totals(s)
    s.close()
    db = filled / DB_FILENAME
    latest = Path(make_backup(db, now=FROZEN_NOW + timedelta(minutes=5)).path)
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 2)
    damaged = _sha(db)

    with pytest.raises(DamagedDatabase) as refused:
        _open(filled, clock)
    message = str(refused.value)
    assert "damaged" in message and "cut short" in message
    assert str(latest) in message and f"restore {latest}" in message
    assert "\n" not in message
    assert _sha(db) == damaged

    code, out, _ = _run(capsys, "--data-dir", str(filled), "check")
    assert code == 1
    assert "damaged" in out
    assert _sha(db) == damaged

    code, out, err = _run(capsys, "--data-dir", str(filled), "restore", str(latest), "--json")
    assert code == 0, err
    aside = Path(json.loads(out)["kept_aside"])
    assert _sha(aside) == damaged  # the damaged file, moved aside as it was
    s = _open(filled, clock)
    try:
        assert _totals(s) == before
    finally:
        s.close()


def test_damaged_pages_are_found_on_the_first_start_of_a_day(
    filled: Path, clock: FrozenClock
) -> None:
    db = filled / DB_FILENAME
    yesterday = Path(make_backup(db, now=FROZEN_NOW - timedelta(days=1)).path)
    _damage(db, "invoice_line")
    damaged = _sha(db)

    with pytest.raises(DamagedDatabase) as refused:
        _open(filled, clock)
    assert str(yesterday) in str(refused.value)
    assert _sha(db) == damaged
    # The bad copy was not kept: rotation can never push a good backup out with it.
    assert list_backups(db) == [yesterday]


def _open_as_the_tui(data_dir: Path, clock: FrozenClock) -> Services:
    return build_services(resolve_settings(data_dir, environ={}), clock=clock, backup=False)


@pytest.mark.parametrize("btree", ["invoice_line", "ix_invoice_line_invoice_id"])
def test_the_tui_refuses_a_damaged_page_before_its_backup_and_writes_nothing(
    filled: Path, clock: FrozenClock, btree: str
) -> None:
    # The TUI leaves the daily backup (and its full check) until the calendar is
    # up; the quick check at open still finds a table's or an index's root page gone.
    db = filled / DB_FILENAME
    yesterday = Path(make_backup(db, now=FROZEN_NOW - timedelta(days=1)).path)
    _damage(db, btree)
    damaged = _sha(db)

    with pytest.raises(DamagedDatabase) as refused:
        _open_as_the_tui(filled, clock)
    message = str(refused.value)
    assert btree in message and str(yesterday) in message
    assert _sha(db) == damaged
    assert not Path(f"{db}-wal").exists()
    assert list_backups(db) == [yesterday]


def test_the_tui_takes_the_daily_backup_after_opening(filled: Path, clock: FrozenClock) -> None:
    db = filled / DB_FILENAME
    for old in list_backups(db):
        old.unlink()
    s = _open_as_the_tui(filled, clock)
    try:
        assert list_backups(db) == []
        made = s.daily_backup()
        assert made is not None and [str(p) for p in list_backups(db)] == [made]
        assert s.daily_backup() is None  # once a day
    finally:
        s.close()


def test_damage_below_the_root_pages_is_found_by_the_daily_backup(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    for n in range(300):
        s.clients.add(name=f"Client {n:03d} " + "x" * 150)
    s.close()
    db = data_dir / DB_FILENAME
    for old in list_backups(db):
        old.unlink()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    roots = {r for (r,) in conn.execute("SELECT rootpage FROM sqlite_master")}
    conn.close()
    leaf = max(p for p in range(2, pages + 1) if p not in roots)
    with open(db, "r+b") as handle:  # a page no root check reads
        handle.seek((leaf - 1) * page_size)
        handle.write(bytes([0x5A]) * page_size)

    opened = _open_as_the_tui(data_dir, clock)  # the quick check cannot see it
    try:
        with pytest.raises(DamagedDatabase, match="damaged"):
            opened.daily_backup()
        assert list_backups(db) == []  # the bad copy is not kept
    finally:
        opened.close()


def test_a_file_that_is_not_sqlite_but_has_backups_is_taken_for_a_damaged_practice(
    filled: Path, clock: FrozenClock
) -> None:
    db = filled / DB_FILENAME
    latest = Path(make_backup(db).path)
    db.write_bytes(b"\0" * 8192)
    with pytest.raises(DamagedDatabase, match="latest backup"):
        _open(filled, clock)
    assert latest.exists()


def test_two_restores_in_one_second_keep_two_files_aside(filled: Path, clock: FrozenClock) -> None:
    from cp_tui.backup import make_backup, restore
    from cp_tui.migrations import REVISIONS

    db_path = filled / "practice.db"
    made = Path(make_backup(db_path, now=clock.now()).path)
    moment = datetime(2026, 11, 25, 14, 0, 0)
    first = restore(db_path, made, known_revisions=REVISIONS, now=moment).kept_aside
    second = restore(db_path, made, known_revisions=REVISIONS, now=moment).kept_aside
    assert first is not None and second is not None
    assert first != second and Path(first).exists() and Path(second).exists()
