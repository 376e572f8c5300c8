"""The store: connection pragmas, file permissions, schema version, settings resolution."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

import cp_tui.models  # noqa: F401  (registers every table)
from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import build_parser
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, default_data_dir, resolve_settings
from cp_tui.migrations import HEAD, REVISIONS, SCRIPT_LOCATION
from cp_tui.store import StoreError

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pragmas(conn: Connection) -> dict[str, object]:
    return {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }


def _assert_safe(pragmas: dict[str, object]) -> None:
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 2  # FULL
    assert pragmas["foreign_keys"] == 1
    assert isinstance(pragmas["busy_timeout"], int)
    assert pragmas["busy_timeout"] > 0


def _made_database(data_dir: Path, clock: FrozenClock) -> Path:
    """A current cp-tui database with one client in it, closed."""
    services = build_services(resolve_settings(data_dir, environ={}), clock=clock)
    services.clients.add(name="Alex Rivera")
    services.close()
    return data_dir / DB_FILENAME


# -- pragmas -------------------------------------------------------------------------


def test_every_connection_is_wal_full_sync_with_foreign_keys_and_busy_timeout(
    services: Services,
) -> None:
    engine = services.db.engine
    # Two connections open at once are two distinct DBAPI connections from the pool.
    with engine.connect() as first, engine.connect() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        _assert_safe(_pragmas(first))
        _assert_safe(_pragmas(second))
    # The sessions the services use, for reading and for writing.
    with services.db.read() as session:
        _assert_safe(_pragmas(session.connection()))
    with services.db.write() as session:
        _assert_safe(_pragmas(session.connection()))


def test_foreign_keys_are_enforced(services: Services) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), services.db.write() as session:
        session.connection().execute(
            text(
                "INSERT INTO credit_entry (client_id, amount, kind, note, created_at) "
                "VALUES (4242, 100, 'credit_note', '', '2026-11-25 14:00:00')"
            )
        )


# -- file permissions ---------------------------------------------------------------


def test_folder_0700_and_database_wal_shm_0600_even_with_umask_zero(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "deep" / "practice"
    old = os.umask(0o000)
    try:
        services = build_services(resolve_settings(data_dir, environ={}), clock=clock)
        try:
            services.clients.add(name="Alex Rivera")
            # An open connection keeps the -wal and -shm files in place.
            with services.db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM client").scalar()
                db = data_dir / DB_FILENAME
                wal = data_dir / f"{DB_FILENAME}-wal"
                shm = data_dir / f"{DB_FILENAME}-shm"
                assert wal.exists() and shm.exists()
                assert _mode(data_dir) == 0o700
                assert _mode(db) == 0o600
                assert _mode(wal) == 0o600
                assert _mode(shm) == 0o600
        finally:
            services.close()
    finally:
        os.umask(old)


def test_existing_loose_permissions_are_tightened(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "practice"
    db = _made_database(data_dir, clock)
    os.chmod(data_dir, 0o755)
    os.chmod(db, 0o644)
    services = build_services(resolve_settings(data_dir, environ={}), clock=clock)
    try:
        assert _mode(data_dir) == 0o700
        assert _mode(db) == 0o600
        assert [c.name for c in services.clients.list()] == ["Alex Rivera"]
    finally:
        services.close()


# -- schema version -------------------------------------------------------------------


def test_database_from_a_newer_cp_tui_is_refused_and_left_untouched(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "practice"
    db = _made_database(data_dir, clock)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    # Beside the practice: only the empty file whose lock says who has it open.
    lock = data_dir / f"{DB_FILENAME}.lock"
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILENAME, lock.name]
    assert lock.stat().st_size == 0
    before = _sha256(db)
    mtime = db.stat().st_mtime_ns

    with pytest.raises(StoreError, match="newer cp-tui") as refused:
        build_services(resolve_settings(data_dir, environ={}), clock=clock)

    assert "9999" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert _sha256(db) == before
    assert db.stat().st_mtime_ns == mtime
    # Not even a -wal or -shm file was written beside it.
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILENAME, lock.name]
    assert lock.stat().st_size == 0


def test_sqlite_file_of_another_program_is_refused(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "practice"
    data_dir.mkdir()
    db = data_dir / DB_FILENAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not billing data')")
    conn.commit()
    conn.close()
    before = _sha256(db)

    with pytest.raises(StoreError, match="not a cp-tui database"):
        build_services(resolve_settings(data_dir, environ={}), clock=clock)

    assert _sha256(db) == before
    conn = sqlite3.connect(db)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"notes"}


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, clock: FrozenClock) -> None:
    data_dir = tmp_path / "practice"
    data_dir.mkdir()
    db = data_dir / DB_FILENAME
    db.write_bytes(b"these are not the pages of a database\n" * 200)
    before = _sha256(db)
    with pytest.raises(StoreError):
        build_services(resolve_settings(data_dir, environ={}), clock=clock)
    assert _sha256(db) == before


def test_new_database_is_stamped_with_head(services: Services) -> None:
    with services.db.read() as session:
        version = session.connection().exec_driver_sql("SELECT version_num FROM alembic_version")
        assert version.scalar_one() == HEAD


_STARTUP = """
import sys
from cp_tui.bootstrap import build_services
from cp_tui.config import resolve_settings

services = build_services(resolve_settings(sys.argv[1], environ={}))
services.clients.add(name="Alex Rivera")
print(len(services.clients.list()), "alembic" in sys.modules)
services.close()
"""


def test_start_up_on_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"

    def start() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _STARTUP, str(data_dir)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    # The first start creates the schema, which needs Alembic...
    assert start() == "1 True"
    # ...the second finds it current and never imports it.
    assert start() == "2 False"


def test_revisions_list_matches_alembic_history() -> None:
    script = ScriptDirectory(SCRIPT_LOCATION)
    history = [rev.revision for rev in script.walk_revisions()]  # newest first
    assert tuple(reversed(history)) == REVISIONS
    assert script.get_heads() == [HEAD]
    assert REVISIONS[-1] == HEAD


# -- where the data lives ------------------------------------------------------------------


def test_data_dir_resolution_order(tmp_path: Path) -> None:
    flag = tmp_path / "from-flag"
    env_dir = tmp_path / "from-env"

    by_flag = resolve_settings(flag, environ={"CP_TUI_DATA_DIR": str(env_dir)})
    assert by_flag.data_dir == flag.resolve()
    assert by_flag.database_url == f"sqlite:///{flag.resolve() / DB_FILENAME}"
    assert by_flag.is_sqlite

    by_env = resolve_settings(None, environ={"CP_TUI_DATA_DIR": str(env_dir)})
    assert by_env.data_dir == env_dir.resolve()
    assert by_env.database_url == f"sqlite:///{env_dir.resolve() / DB_FILENAME}"

    default = resolve_settings(None, environ={})
    assert default.data_dir == default_data_dir().resolve()
    assert resolve_settings(None, environ={"CP_TUI_DATA_DIR": ""}).data_dir == default.data_dir
    assert default.database_url.endswith(f"/{DB_FILENAME}")

    # The demo practice never shares the real practice's folder.
    demo = resolve_settings(None, demo=True, environ={})
    assert demo.demo
    assert demo.data_dir != default.data_dir


def test_relative_data_dir_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = resolve_settings("practice", environ={})
    assert settings.data_dir == (tmp_path / "practice").resolve()
    assert settings.data_dir.is_absolute()


def test_database_url_names_another_database(tmp_path: Path, clock: FrozenClock) -> None:
    elsewhere = tmp_path / "shared" / "office.db"
    url = f"sqlite:///{elsewhere}"
    settings = resolve_settings(tmp_path / "practice", environ={"CP_TUI_DATABASE_URL": url})
    assert settings.database_url == url
    assert settings.data_dir == (tmp_path / "practice").resolve()

    services = build_services(settings, clock=clock)
    try:
        services.clients.add(name="Alex Rivera")
    finally:
        services.close()
    assert elsewhere.exists()
    assert not (tmp_path / "practice" / DB_FILENAME).exists()

    # The demo practice ignores it: it always lives in SQLite in its own folder.
    demo = resolve_settings(tmp_path / "demo", demo=True, environ={"CP_TUI_DATABASE_URL": url})
    assert demo.database_url == f"sqlite:///{(tmp_path / 'demo').resolve() / DB_FILENAME}"


def test_data_dir_flag_is_parsed_before_any_command(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--data-dir", str(tmp_path), "clients", "list", "--json"])
    assert args.data_dir == str(tmp_path)
    assert (args.command, args.action, args.json) == ("clients", "list", True)
    assert build_parser().parse_args(["clients", "list"]).data_dir is None
