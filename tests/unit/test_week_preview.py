"""The plain-sqlite3 first week agrees with the calendar service, or stays out of the way."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from cp_tui.bootstrap import Services
from cp_tui.config import Settings
from cp_tui.migrations import HEAD, REVISIONS
from cp_tui.services.week_preview import sqlite_file, week_preview

ROOT = Path(__file__).resolve().parents[2]


def mondays_around(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=k) for k in range(-8, 5)]


def test_every_week_of_the_demo_practice_reads_as_the_service_reads_it(
    demo_services: Services, app_settings: Settings
) -> None:
    today = demo_services.clock.today()
    weeks = mondays_around(today)
    if not app_settings.is_sqlite:
        assert week_preview(app_settings.database_url, weeks[0]) is None
        return
    busy = invoiced = uninvoiced = 0
    for monday in weeks:
        expected = demo_services.calendar.list(start=monday, end=monday + timedelta(days=6))
        assert week_preview(app_settings.database_url, monday) == expected, monday
        busy += bool(expected)
        invoiced += sum(a.invoiced_items for a in expected)
        uninvoiced += sum(a.uninvoiced_items for a in expected)
    # The comparison covered weeks with appointments, billed ones and ones still to bill.
    assert busy >= 5 and invoiced > 0 and uninvoiced > 0


@pytest.mark.sqlite_only
@pytest.mark.parametrize("revision", [REVISIONS[0], "9999"])
def test_an_older_or_newer_schema_is_left_to_the_services(
    demo_services: Services, app_settings: Settings, revision: str
) -> None:
    assert revision != HEAD
    path = sqlite_file(app_settings.database_url)
    assert path is not None
    monday = mondays_around(demo_services.clock.today())[8]
    assert week_preview(app_settings.database_url, monday)
    demo_services.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()
    assert week_preview(app_settings.database_url, monday) is None


@pytest.mark.sqlite_only
def test_a_damaged_or_missing_file_is_left_to_the_services(tmp_path: Path) -> None:
    damaged = tmp_path / "practice.db"
    damaged.write_bytes(b"not a database " * 500)
    monday = date(2026, 11, 23)
    assert week_preview(f"sqlite:///{damaged}", monday) is None
    missing = tmp_path / "nothing-here.db"
    assert week_preview(f"sqlite:///{missing}", monday) is None
    assert not missing.exists()  # read-only: never creates the file


@pytest.mark.sqlite_only
def test_a_truncated_practice_is_read_without_a_file_appearing_beside_it(tmp_path: Path) -> None:
    """A damaged file is left exactly as found: not even an empty -wal or -shm beside it."""
    path = tmp_path / "practice.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (HEAD,))
    conn.execute("CREATE TABLE filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", [(n,) for n in range(5000)])
    conn.commit()
    conn.close()
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])

    assert week_preview(f"sqlite:///{path}", date(2026, 11, 23)) is None
    assert [p.name for p in tmp_path.iterdir()] == ["practice.db"]
    assert path.read_bytes() == whole[: len(whole) // 2]


def test_only_plain_sqlite_files_are_read() -> None:
    assert sqlite_file("sqlite:////srv/cp/practice.db") == Path("/srv/cp/practice.db")
    assert sqlite_file("postgresql+psycopg://cp@localhost/cp") is None
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("sqlite:///practice.db?mode=ro") is None


def test_the_reader_imports_no_orm() -> None:
    probe = (
        "import json, sys\n"
        "import cp_tui.services.week_preview\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "alembic", "textual"}
