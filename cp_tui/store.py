"""The database: engine, connection pragmas, file permissions, schema version.

Every SQLite connection runs in WAL mode with synchronous=FULL (no commit lost on
power loss), foreign keys on and a busy timeout. The data folder is 0700 and the
database file 0600 before SQLite first opens it, so its -wal and -shm files,
which SQLite creates with the database's own mode, are private too.

Start-up reads the schema revision with one read-only query and imports Alembic
only when there is something to migrate; a database from a newer cp-tui is
refused before anything writes to it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from cp_tui.migrations import HEAD, REVISIONS, SCRIPT_LOCATION

BUSY_TIMEOUT_MS = 10_000
WRITE = "cp_write"


class StoreError(Exception):
    """The database cannot be used as it is; the message says what to do."""


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def secure_sqlite_file(path: Path) -> None:
    """Make the folder 0700 and the database and its companions 0600, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, stat.S_IRWXU)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if companion.exists():
            os.chmod(companion, stat.S_IRUSR | stat.S_IWUSR)


def _sqlite_revision(path: Path) -> tuple[str | None, bool]:
    """(revision, has_tables) read without writing a byte to the file."""
    if not path.exists() or path.stat().st_size == 0:
        return None, False
    # A read-only open of a WAL database creates -wal and -shm files beside it
    # (and cannot remove them). With no -wal file every commit is in the main
    # file, so read it as immutable: nothing is created next to a database that
    # may be refused. With a -wal file, read through it.
    mode = "ro" if Path(f"{path}-wal").exists() else "ro&immutable=1"
    uri = f"file:{quote(str(path))}?mode={mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "alembic_version" not in names:
            return None, bool(names)
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return (row[0] if row else None), True
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is not a cp-tui database ({exc}); point --data-dir at another folder"
        ) from exc
    finally:
        conn.close()


def _server_revision(engine: Engine) -> tuple[str | None, bool]:
    from sqlalchemy import inspect

    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        if "alembic_version" not in names:
            return None, bool(names)
        row = conn.execute(text("SELECT version_num FROM alembic_version")).fetchone()
        return (row[0] if row else None), True


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's begin event (below) instead of
    # the sqlite3 module's implicit BEGIN, which it skips before SELECTs.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    # A write transaction takes SQLite's write lock up front, so its reads and
    # its writes see one state and two terminals queue instead of failing.
    mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        secure_sqlite_file(path)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def schema_revision(url: str, engine: Engine | None = None) -> tuple[str | None, bool]:
    path = sqlite_path(url)
    if path is not None:
        return _sqlite_revision(path)
    if engine is None:
        raise StoreError("a server database needs an engine to read its revision")
    return _server_revision(engine)


def check_schema(url: str, engine: Engine | None = None) -> bool:
    """True when the schema is current; raises when it cannot be used.

    Runs before the first pooled connection so that a refused SQLite file is
    never opened for writing (not even to switch it to WAL).
    """
    revision, has_tables = schema_revision(url, engine)
    if revision == HEAD:
        return True
    if revision is None and has_tables:
        raise StoreError(
            "the database holds tables but no cp-tui schema version; "
            "it is not a cp-tui database: point --data-dir at another folder"
        )
    if revision is not None and revision not in REVISIONS:
        raise StoreError(
            f"the database was written by a newer cp-tui (schema {revision}, this one "
            f"knows up to {HEAD}); it was left untouched: upgrade cp-tui to open it"
        )
    return False


def migrate(engine: Engine) -> None:
    """Bring the schema to HEAD with Alembic (imported only here)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_engine(url: str) -> Engine:
    """An engine on a database whose schema is current (created or upgraded)."""
    path = sqlite_path(url)
    if path is not None:
        current = check_schema(url)
        engine = create_db_engine(url)
    else:
        engine = create_db_engine(url)
        current = check_schema(url, engine)
    if not current:
        migrate(engine)
    if path is not None:
        secure_sqlite_file(path)
    return engine


class Database:
    """Hands out sessions, each one unit of work that commits or rolls back whole."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE: True})

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
