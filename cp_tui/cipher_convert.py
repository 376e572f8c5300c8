"""``cp-tui encrypt`` and ``cp-tui decrypt``: convert a practice file in place.

SQLCipher's ``sqlcipher_export`` writes every table into a new 0600 file while
the practice's write lock is held, so no terminal commits in between. The new
file must then pass ``integrity_check`` and ``foreign_key_check`` and hold as
many rows in every table as the old one; only then does it take the practice's
name. The old file is moved aside first and deleted once the new one has been
opened again under its own name: a plain copy left behind would defeat the
encryption. Backups already in ``backups/`` keep the form they were made in.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cp_tui import cipher
from cp_tui.backup import BackupError, list_backups, quick_check
from cp_tui.presence import PracticeInUse, alone

TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Converted:
    database: str
    encrypted: bool
    tables: int
    rows: int
    plain_backups: int  # copies in backups/ still unencrypted after `encrypt`


def _row_counts(conn: Any, schema: str) -> dict[str, int]:
    names = [
        str(r[0])
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master "
            "WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: int(conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0])
        for name in names
    }


def _export(path: Path, fresh: Path, *, source_key: str, dest_key: str) -> dict[str, int]:
    """Copy every table of ``path`` into ``fresh``; returns the row counts it copied."""
    dbapi = cipher.dbapi_module(True)
    conn = dbapi.connect(str(path), timeout=TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if source_key:
            conn.execute(f"PRAGMA key = {cipher.quote_key(source_key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f"PRAGMA busy_timeout={int(TIMEOUT_S * 1000)}")
        # An empty key is SQLCipher's word for a plain file.
        conn.execute("ATTACH DATABASE ? AS fresh KEY ?", (str(fresh), dest_key))
        conn.execute("BEGIN IMMEDIATE")  # no other terminal commits while we copy
        try:
            conn.execute("SELECT sqlcipher_export('fresh')")
            before = _row_counts(conn, "main")
            after = _row_counts(conn, "fresh")
        finally:
            conn.execute("COMMIT")
        conn.execute("DETACH DATABASE fresh")
    finally:
        conn.close()
    if before != after:
        raise BackupError(
            f"the converted copy of {path} does not hold the same rows; nothing was changed"
        )
    return before


def _check(fresh: Path, key: str | None, expected: dict[str, int]) -> None:
    with contextlib.closing(cipher.connect(fresh, key=key, timeout=TIMEOUT_S)) as conn:
        problems = quick_check(conn, full=True)
        if problems or conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError(
                f"the converted copy failed SQLite's check ({'; '.join(problems[:3])}); "
                "nothing was changed"
            )
        if _row_counts(conn, "main") != expected:
            raise BackupError("the converted copy lost rows; nothing was changed")


def convert(path: Path, *, encrypt: bool, key: str, now: datetime | None = None) -> Converted:
    """Encrypt (or decrypt) the practice at ``path`` with ``key``.

    Refused while another cp-tui has the practice open: its writes would go to
    the old file once the new one takes the name.
    """
    try:
        with alone(path, "encrypt" if encrypt else "decrypt"):
            return _convert(path, encrypt=encrypt, key=key, now=now)
    except PracticeInUse as exc:
        raise BackupError(str(exc)) from None


def _convert(path: Path, *, encrypt: bool, key: str, now: datetime | None) -> Converted:
    if not key:
        raise BackupError(f"no key was given: {cipher.NEEDS_KEY}")
    if not path.is_file() or path.stat().st_size == 0:
        raise BackupError(f"there is no practice at {path} to convert")
    if encrypt and cipher.is_encrypted(path):
        raise BackupError(f"{path} is encrypted already; nothing was changed")
    if not encrypt and cipher.is_plain(path):
        raise BackupError(f"{path} is not encrypted; nothing was changed")
    if not encrypt:
        cipher.connect(path, key=key, timeout=TIMEOUT_S).close()  # a wrong key stops here
    now = now or datetime.now()
    fresh = path.with_name(f".{path.name}.converting")
    fresh.unlink(missing_ok=True)
    os.close(os.open(fresh, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    aside = path.with_name(
        f"{path.name}.before-{'encrypt' if encrypt else 'decrypt'}-{now:%Y%m%d-%H%M%S}"
    )
    companions = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    try:
        counts = _export(
            path, fresh, source_key="" if encrypt else key, dest_key=key if encrypt else ""
        )
        new_key = key if encrypt else None
        _check(fresh, new_key, counts)
        os.replace(path, aside)
        for companion in companions:
            if companion.exists():
                os.replace(companion, Path(f"{aside}{companion.name[len(path.name) :]}"))
        os.replace(fresh, path)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        failed: tuple[type[Exception], ...] = (BackupError, *cipher.failures())
        try:
            _check(path, new_key, counts)
        except failed:
            os.replace(aside, path)  # the practice as it was, under its own name again
            raise
    except cipher.errors() as exc:
        raise BackupError(f"the conversion failed ({exc}); nothing was changed") from exc
    finally:
        fresh.unlink(missing_ok=True)
    for old in (aside, *(Path(f"{aside}{s}") for s in ("-wal", "-shm"))):
        old.unlink(missing_ok=True)
    plain = sum(1 for b in list_backups(path) if cipher.is_plain(b)) if encrypt else 0
    return Converted(
        database=str(path),
        encrypted=encrypt,
        tables=len(counts),
        rows=sum(counts.values()),
        plain_backups=plain,
    )
