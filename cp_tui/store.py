"""The database: engine, connection pragmas, file permissions, schema version.

Every SQLite connection runs in WAL mode with synchronous=FULL (no commit lost on
power loss), foreign keys on and a busy timeout. The data folder is 0700 and the
database file 0600 before SQLite first opens it, so its -wal and -shm files,
which SQLite creates with the database's own mode, are private too.

Start-up reads the schema revision with one read-only query and imports Alembic
only when there is something to migrate; a database from a newer cp-tui is
refused before anything writes to it, and so is a damaged one (a truncated file
or one SQLite cannot read), with a message that names the latest backup. An
existing database is backed up (``cp_tui.backup``) before every migration.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from cp_tui import cipher
from cp_tui.migrations import HEAD, REVISIONS, SCRIPT_LOCATION
from cp_tui.presence import Presence

BUSY_TIMEOUT_MS = 10_000
WRITE = "cp_write"


class StoreError(Exception):
    """The database cannot be used as it is; the message says what to do."""


class DamagedDatabase(StoreError):
    """The SQLite file is damaged; it is left exactly as it was found."""


def damaged_message(path: Path, detail: str) -> str:
    """What went wrong and the way back: the latest backup, and the command to restore it."""
    from cp_tui.backup import backup_folder, latest_backup

    latest = latest_backup(path)
    if latest is None:
        offer = f"no backup was found in {backup_folder(path)}"
    else:
        offer = (
            f"the latest backup is {latest}: `cp-tui --data-dir {path.parent} restore "
            f"{latest}` puts it back and keeps the damaged file aside"
        )
    return f"{path} is damaged ({detail}) and was left untouched; {offer}"


def _truncation(path: Path) -> str | None:
    """Why the file cannot be a whole SQLite database, from its header and size alone."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        return None  # not SQLite at all: said below
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None  # a checkpoint may have been cut short: the -wal completes the file
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if len(header) < 100 or page_size < 512 or size % page_size:
        return f"the file is cut short at {size} bytes"
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when its version-valid-for field matches
    # the change counter (every SQLite since 3.7.0 writes both).
    if header[92:96] == header[24:28] and pages * page_size > size:
        return f"the file is cut short: {size} of {pages * page_size} bytes"
    return None


# The first byte of every b-tree page: interior index, interior table, leaf index, leaf table.
_BTREE_PAGE_TYPES = frozenset((0x02, 0x05, 0x0A, 0x0D))


def _bad_root_pages(conn: Any, path: Path) -> str | None:
    """A quick damage check: the root page of every table and index is a b-tree page.

    Reads one page per table and index (milliseconds on any size) where SQLite's
    quick_check reads them all (seconds on a big practice, so that one runs with
    the daily backup, on the copy). A page overwritten by a failing disk is found
    here before anything is written to the file.
    """
    wal = Path(f"{path}-wal")
    encrypted = not _looks_like_sqlite(path)  # SQLCipher pages are unreadable on disk
    if encrypted or (wal.exists() and wal.stat().st_size > 0):
        # Newer versions of pages live in the -wal (or are encrypted on disk): let
        # SQLite read each root instead.
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchall()
        return None
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = conn.execute(
        "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 1 ORDER BY rootpage"
    ).fetchall()
    with open(path, "rb") as handle:
        for name, root in roots:
            handle.seek((root - 1) * page_size)
            kind = handle.read(1)
            if not kind or kind[0] not in _BTREE_PAGE_TYPES:
                return f"the first page of {name} (page {root}) is not a b-tree page"
    return None


def _looks_like_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def secure_folder(path: Path) -> None:
    """Make the database's folder, 0700 whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, stat.S_IRWXU)


def secure_sqlite_file(path: Path) -> None:
    """Make the folder 0700 and the database and its companions 0600, whatever the umask."""
    secure_folder(path)
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
    cut = _truncation(path)
    if cut is not None:
        raise DamagedDatabase(damaged_message(path, cut))
    # A read-only open of a WAL database creates -wal and -shm files beside it
    # (and cannot remove them). With no -wal file every commit is in the main
    # file, so read it as immutable: nothing is created next to a database that
    # may be refused. With a -wal file, read through it.
    mode = "ro" if Path(f"{path}-wal").exists() else "ro&immutable=1"
    try:
        conn = cipher.open_file(path, mode=mode, timeout=BUSY_TIMEOUT_MS / 1000)
    except cipher.KeyProblem as exc:
        raise StoreError(str(exc)) from exc
    except cipher.errors() as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc
    try:
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        bad = _bad_root_pages(conn, path)
        if bad is not None:
            raise DamagedDatabase(damaged_message(path, bad))
        if "alembic_version" not in names:
            return None, bool(names)
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return (row[0] if row else None), True
    except cipher.errors() as exc:
        from cp_tui.backup import list_backups

        hint = cipher.unreadable_hint(path)
        backups = list_backups(path)
        if hint and backups and cipher.is_encrypted(backups[-1]):
            raise StoreError(
                f"{path} is encrypted and no key was given; it was left untouched: "
                f"{cipher.NEEDS_KEY}"
            ) from None
        # An SQLite file that cannot be read, or any file that has backups as a
        # practice, is a damaged practice; anything else is some other file.
        if _looks_like_sqlite(path) or backups:
            raise DamagedDatabase(damaged_message(path, f"{exc}{hint}")) from exc
        raise StoreError(
            f"{path} is not a cp-tui database ({exc}){hint}; point --data-dir at another folder"
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
    # SQLite's lower() folds ASCII only; the client filter folds "É" as Python does.
    dbapi_conn.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _on_sqlite_begin(conn: Any) -> None:
    # A write transaction takes SQLite's write lock up front, so its reads and
    # its writes see one state and two terminals queue instead of failing.
    mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        new = not path.exists() or path.stat().st_size == 0
        secure_sqlite_file(path)
        key = cipher.key_for_new_file() if new else cipher.key_for(path)
        if key is None:
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        else:
            engine = _encrypted_engine(url, path, key)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    event.listen(engine, "before_cursor_execute", _no_nul_in_lookups, retval=True)
    return engine


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _no_nul_in_lookups(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
) -> tuple[str, Any]:
    """PostgreSQL refuses a NUL in any text it is handed, even one only looked for.

    No stored text holds a NUL (writes refuse it), so a lookup or search for one
    finds nothing, as on SQLite: the NUL becomes U+FFFD, which matches nothing
    the lookup could have matched. Writes are left alone, to be refused.
    """
    if statement.lstrip()[:6].upper() != "SELECT" or not parameters:
        return statement, parameters
    if isinstance(parameters, dict):
        return statement, {key: _without_nul(value) for key, value in parameters.items()}
    if isinstance(parameters, (list, tuple)):
        return statement, type(parameters)(_without_nul(value) for value in parameters)
    return statement, parameters


def _encrypted_engine(url: str, path: Path, key: str) -> Engine:
    """An engine whose every connection is SQLCipher's, keyed before its first statement."""
    try:
        # Tried once now, so a wrong key is refused before the pool opens anything.
        cipher.connect(path, key=key, timeout=BUSY_TIMEOUT_MS / 1000).close()
    except cipher.KeyProblem as exc:
        raise StoreError(str(exc)) from exc

    def connect() -> Any:
        return cipher.connect(path, key=key, timeout=BUSY_TIMEOUT_MS / 1000)

    return create_engine(url, module=cipher.dbapi_module(True), creator=connect)


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


def backup_before_migration(url: str) -> str | None:
    """Copy an existing SQLite practice aside before its schema changes; returns the copy."""
    path = sqlite_path(url)
    if path is None:
        return None
    revision, _ = _sqlite_revision(path)
    if revision is None:  # a new, empty database: nothing to keep
        return None
    from cp_tui.backup import BackupError, DamagedSource, make_backup

    try:
        return make_backup(path).path
    except DamagedSource as exc:
        raise DamagedDatabase(damaged_message(path, exc.detail)) from exc
    except (BackupError, OSError) as exc:
        raise StoreError(
            f"the database needs an upgrade, and cp-tui backs it up first, but the backup "
            f"failed ({exc}); nothing was changed"
        ) from exc


def daily_backup(url: str, now: datetime) -> str | None:
    """On the first start of a day, check and back up an existing SQLite practice.

    Runs before the engine opens the file: a damaged database (one whose copy
    fails SQLite's quick_check) is refused and left as it is, and the backups
    already there are kept (the bad copy is not, so rotation never pushes a
    good backup out). Returns the new backup's path, or None when none was due.
    """
    path = sqlite_path(url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    check_schema(url)  # refuses a damaged, foreign or newer file, reading only
    from cp_tui.backup import BackupError, DamagedSource, backup_folder, backup_if_due

    try:
        made = backup_if_due(path, now)
    except DamagedSource as exc:
        raise DamagedDatabase(damaged_message(path, exc.detail)) from exc
    except (BackupError, OSError) as exc:
        raise StoreError(
            f"the daily backup into {backup_folder(path)} failed ({exc}); free some space "
            "or fix the folder's permissions"
        ) from exc
    return made.path if made else None


# Any constant: the key of the advisory lock that serialises migrations on PostgreSQL.
_MIGRATION_LOCK = 0x63707475


def migrate(engine: Engine) -> None:
    """Bring the schema to HEAD with Alembic (imported only here), after a backup.

    Two terminals may open a new or older practice at the same moment: the
    migration first takes the database's write lock (SQLite) or an advisory
    lock (PostgreSQL), so the second waits, then finds the schema current
    (Alembic reads the revision inside that transaction) and does nothing.
    """
    from alembic import command
    from alembic.config import Config

    backup_before_migration(engine.url.render_as_string(hide_password=False))

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    with engine.execution_options(**{WRITE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
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


FlushGuard = Callable[[Session], None]

# Row ids are 32-bit integer keys on PostgreSQL (SERIAL) and never grow that far
# on SQLite; a larger id names no row, and PostgreSQL would refuse to compare it.
_ID_RANGE = range(-(2**31), 2**31)


class PracticeSession(Session):
    """A session in which looking up an id no key can hold finds nothing, on any database."""

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        if isinstance(ident, int) and ident not in _ID_RANGE:
            return None
        return super().get(entity, ident, **kwargs)


class Database:
    """Hands out sessions, each one unit of work that commits or rolls back whole.

    ``flush_guard`` sees every write session just before it flushes, and may
    refuse what is about to be stored by raising (the unit then rolls back).
    """

    def __init__(
        self,
        engine: Engine,
        presence: Presence | None = None,
        flush_guard: FlushGuard | None = None,
    ) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._presence = presence
        self._flush_guard = flush_guard

    @contextmanager
    def write(self) -> Iterator[Session]:
        with PracticeSession(self._writer, expire_on_commit=False) as session, session.begin():
            guard = self._flush_guard
            if guard is not None:
                event.listen(session, "before_flush", lambda s, _context, _rows: guard(s))
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with PracticeSession(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self._presence is not None:
            self._presence.release()
