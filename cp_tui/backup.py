"""Backups of the SQLite practice: taken, checked, rotated and restored.

Copies are made with SQLite's online backup API, which reads one consistent
state of a database that other terminals may be writing to (a file copy of an
open database is not safe). Every copy is written to a 0600 temporary file in a
0700 folder, checked with ``PRAGMA quick_check`` and only then given its name,
so a backup that exists is a good one.

- ``DATA_DIR/backups/practice-YYYYmmdd-HHMMSS.db``: automatic, before every
  migration of an existing database and on the first start of each day; the
  last ``KEEP`` are kept.
- ``cp-tui backup [--to FILE]`` makes one on demand.
- ``cp-tui restore FILE`` checks the file first (integrity, foreign keys, a
  schema this cp-tui knows), keeps the current database aside as
  ``practice.db.before-restore-YYYYmmdd-HHMMSS``, then copies the backup in.

Plain ``sqlite3`` (SQLCipher's for an encrypted practice, whose copies are
encrypted with the same key) only: no SQLAlchemy session, no Textual. A PostgreSQL practice
is backed up with the server's own tools (``pg_dump``; see the README).
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cp_tui import cipher

BACKUP_FOLDER = "backups"
KEEP = 14
TIMEOUT_S = 10.0


class BackupError(Exception):
    """A backup or restore could not be done; the message says what to do."""


class DamagedSource(BackupError):
    """The database being copied fails SQLite's own check: it is damaged."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: str
    size: int
    revision: str | None


@dataclass(frozen=True, slots=True)
class RestoreInfo:
    restored_from: str
    database: str
    kept_aside: str | None
    revision: str | None


# -- where backups live ------------------------------------------------------------------


def backup_folder(db_path: Path) -> Path:
    """``backups`` beside the database (the data folder, unless a URL names another file)."""
    return db_path.parent / BACKUP_FOLDER


def _stem(db_path: Path) -> str:
    return db_path.stem or "practice"


def list_backups(db_path: Path) -> list[Path]:
    """The automatic (and on-demand) backups of this database, oldest first."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    prefix = f"{_stem(db_path)}-"
    found = [
        p
        for p in folder.glob(f"{prefix}*.db")
        if p.is_file() and p.name[len(prefix) : len(prefix) + 8].isdigit()
    ]
    return sorted(found, key=lambda p: (p.name[: len(prefix) + 15], p.stat().st_mtime_ns))


def latest_backup(db_path: Path) -> Path | None:
    backups = list_backups(db_path)
    return backups[-1] if backups else None


def rotate(db_path: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted.

    Also clears the half-written copy of a backup that was killed an hour ago or more.
    """
    old = list_backups(db_path)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    stale = time.time() - 3600
    for partial in backup_folder(db_path).glob(".*.partial"):
        with contextlib.suppress(OSError):
            if partial.stat().st_mtime < stale:
                partial.unlink()
    return old


# -- copying -------------------------------------------------------------------------------


def _connect_ro(path: Path) -> Any:
    """Read a file without writing a byte to it, not even a -wal or -shm companion."""
    wal = Path(f"{path}-wal")
    mode = "ro" if wal.exists() and wal.stat().st_size > 0 else "ro&immutable=1"
    return cipher.open_file(path, mode=mode, timeout=TIMEOUT_S)


def quick_check(conn: Any, *, full: bool = False) -> list[str]:
    """Problems SQLite finds in the file (empty when it is sound)."""
    pragma = "integrity_check" if full else "quick_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if rows == ["ok"] else rows


def _new_private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def copy_database(source: Path, dest: Path) -> None:
    """A consistent, checked copy of ``source`` at ``dest`` (a new 0600 file).

    Raises ``BackupError`` when the copy fails its quick_check: then the source
    itself is damaged, and nothing is left at ``dest``.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    staging.unlink(missing_ok=True)
    _new_private_file(staging)
    try:
        # Opened for writing like any cp-tui connection (a reader of a WAL
        # database needs its -shm), but only read from. The copy of an
        # encrypted practice is encrypted with the same key.
        key = cipher.key_for(source)
        src = cipher.connect(source, key=key, mode="rw", timeout=TIMEOUT_S)
        try:
            target = cipher.connect(staging, key=key, timeout=TIMEOUT_S)
            try:
                src.backup(target)
                # A self-contained file: no -wal needed beside it.
                target.execute("PRAGMA journal_mode=DELETE")
                problems = quick_check(target)
            finally:
                target.close()
        finally:
            src.close()
        if problems:
            detail = "; ".join(problems[:3])
            raise DamagedSource(f"{source} is damaged ({detail}); the copy was not kept", detail)
        os.chmod(staging, stat.S_IRUSR | stat.S_IWUSR)
        if dest.exists():
            raise BackupError(f"{dest} exists already; choose another name")
        os.replace(staging, dest)
    except cipher.KeyProblem as exc:
        raise BackupError(str(exc)) from exc
    except cipher.errors() as exc:
        if cipher.is_corruption(exc):
            detail = f"{exc}{cipher.unreadable_hint(source)}"
            raise DamagedSource(
                f"{source} is damaged ({detail}); the copy was not kept", detail
            ) from exc
        raise BackupError(f"cannot copy {source}: {exc}") from exc
    finally:
        staging.unlink(missing_ok=True)


def _timestamped(folder: Path, stem: str, now: datetime) -> Path:
    base = f"{stem}-{now:%Y%m%d-%H%M%S}"
    candidate = folder / f"{base}.db"
    counter = 1
    while candidate.exists():
        candidate = folder / f"{base}-{counter}.db"
        counter += 1
    return candidate


def aside_path(folder: Path, name: str, now: datetime, suffix: str = "") -> Path:
    """Where the practice is kept before a restore; two restores in one second get two files."""
    base = f"{name}.before-restore-{now:%Y%m%d-%H%M%S}"
    candidate = folder / f"{base}{suffix}"
    counter = 1
    while candidate.exists():
        candidate = folder / f"{base}-{counter}{suffix}"
        counter += 1
    return candidate


def make_backup(
    db_path: Path, *, to: Path | None = None, now: datetime | None = None, keep: int = KEEP
) -> BackupInfo:
    """Back the database up into ``to`` or the rotated ``backups`` folder."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        raise BackupError(f"there is no database at {db_path} to back up")
    now = now or datetime.now()
    if to is None:
        folder = backup_folder(db_path)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, stat.S_IRWXU)
        dest = _timestamped(folder, _stem(db_path), now)
    else:
        dest = to.expanduser().resolve()
        if dest == db_path.resolve():
            raise BackupError("--to names the database itself; choose another file")
        if dest.exists():
            raise BackupError(f"{dest} exists already; choose another name")
    copy_database(db_path, dest)
    if to is None:
        rotate(db_path, keep)
    return BackupInfo(path=str(dest), size=dest.stat().st_size, revision=read_revision(dest))


def _has_data(db_path: Path) -> bool:
    """True when the practice holds any client (an empty new practice needs no backup)."""
    try:
        with contextlib.closing(_connect_ro(db_path)) as conn:
            return conn.execute("SELECT 1 FROM client LIMIT 1").fetchone() is not None
    except cipher.failures():
        return True  # let the copy's own check say what is wrong


def backup_if_due(db_path: Path, now: datetime, keep: int = KEEP) -> BackupInfo | None:
    """The first start of a day backs the practice up; later starts find it done."""
    today = f"{_stem(db_path)}-{now:%Y%m%d}-"
    if any(p.name.startswith(today) for p in list_backups(db_path)):
        return None
    if not _has_data(db_path):
        return None
    return make_backup(db_path, now=now, keep=keep)


# -- reading and checking a file -------------------------------------------------------------


def read_revision(path: Path) -> str | None:
    try:
        with contextlib.closing(_connect_ro(path)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0]) if row else None
    except cipher.failures():
        return None


def verify_backup(path: Path, known_revisions: tuple[str, ...]) -> str:
    """Check a backup before it is restored; returns its schema revision."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    if not cipher.is_plain(path) and cipher.key_for(path) is None:
        raise BackupError(
            f"{path} is not an SQLite database{cipher.unreadable_hint(path)}; nothing was restored"
        )
    try:
        with contextlib.closing(_connect_ro(path)) as conn:
            problems = quick_check(conn, full=True)
            if problems:
                raise BackupError(
                    f"{path} is damaged ({'; '.join(problems[:3])}); nothing was restored: "
                    "choose an older backup"
                )
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise BackupError(
                    f"{path} has rows that refer to missing rows; nothing was restored: "
                    "choose an older backup"
                )
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in names:
                raise BackupError(f"{path} is not a cp-tui database; nothing was restored")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except cipher.KeyProblem as exc:
        raise BackupError(f"{exc}; nothing was restored") from exc
    except cipher.errors() as exc:
        raise BackupError(f"cannot read {path}: {exc}; nothing was restored") from exc
    revision = str(row[0]) if row else ""
    if revision not in known_revisions:
        raise BackupError(
            f"{path} was written by a newer cp-tui (schema {revision}); nothing was "
            "restored: upgrade cp-tui first"
        )
    return revision


def is_sound(db_path: Path) -> bool:
    """True when the file opens and passes a quick_check (read only)."""
    try:
        with contextlib.closing(_connect_ro(db_path)) as conn:
            return not quick_check(conn)
    except cipher.failures():
        return False


def _companions(path: Path) -> Iterator[tuple[Path, str]]:
    yield path, ""
    for suffix in ("-wal", "-shm", "-journal"):
        yield Path(f"{path}{suffix}"), suffix


def restore(
    db_path: Path,
    source: Path,
    *,
    known_revisions: tuple[str, ...],
    now: datetime | None = None,
) -> RestoreInfo:
    """Put a backup back in place of the database; the current file is kept aside.

    A sound current database is copied aside with the backup API and the backup
    is then copied *into* it, so another cp-tui that has it open sees the
    restored practice on its next read. A damaged one is moved aside whole
    (with its -wal) and never written to.
    """
    source = source.expanduser().resolve()
    if source == db_path.resolve():
        raise BackupError("that is the database itself; name a backup file")
    revision = verify_backup(source, known_revisions)
    now = now or datetime.now()
    aside = aside_path(db_path.parent, db_path.name, now)
    kept: Path | None = None
    exists = db_path.exists() and db_path.stat().st_size > 0
    try:
        # SQLite's backup API copies between two files of one kind only: a
        # backup taken before `cp-tui encrypt` (or `decrypt`) replaces the file.
        same_kind = exists and cipher.is_encrypted(db_path) == cipher.is_encrypted(source)
        if exists and same_kind and is_sound(db_path):
            copy_database(db_path, aside)
            kept = aside
            key = cipher.key_for(source)
            with (
                contextlib.closing(cipher.connect(source, key=key, timeout=TIMEOUT_S)) as src,
                contextlib.closing(cipher.connect(db_path, key=key, timeout=TIMEOUT_S)) as live,
            ):
                live.execute(f"PRAGMA busy_timeout={int(TIMEOUT_S * 1000)}")
                src.backup(live)
        else:
            if exists:
                for path, suffix in _companions(db_path):
                    if path.exists():
                        os.replace(path, Path(f"{aside}{suffix}"))
                kept = aside
            else:
                for path, _suffix in _companions(db_path):
                    path.unlink(missing_ok=True)
            copy_database(source, db_path)
    except cipher.KeyProblem as exc:
        raise BackupError(f"{exc}; nothing was restored") from exc
    except cipher.errors() as exc:
        raise BackupError(f"the restore failed: {exc}") from exc
    os.chmod(db_path, stat.S_IRUSR | stat.S_IWUSR)
    return RestoreInfo(
        restored_from=str(source),
        database=str(db_path),
        kept_aside=str(kept) if kept else None,
        revision=revision,
    )
