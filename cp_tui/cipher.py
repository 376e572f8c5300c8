"""Encryption at rest: a practice file encrypted with SQLCipher.

Optional (``pip install cp-tui[encryption]`` brings ``sqlcipher3``, which bundles
its own SQLCipher). A plain practice starts with SQLite's 16-byte header; an
encrypted one is indistinguishable from random bytes, so the header alone says
which library opens a file, and a plain practice never pays for a key look-up.

The key comes from ``CP_TUI_DB_KEY`` or, failing that, from the OS keyring
(service ``cp-tui``, entry ``database-key``); cp-tui never writes it anywhere.
A new, empty practice is created encrypted only when ``CP_TUI_DB_KEY`` is set
(reading the keyring for every new folder would slow every start);
``cp-tui encrypt`` converts an existing one.

A wrong key is refused here, before anything writes to the file; a missing one
leaves the file to plain SQLite, which refuses it, and ``unreadable_hint`` says
how to give the key.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

KEY_ENV = "CP_TUI_DB_KEY"
KEYRING_SERVICE = "cp-tui"
KEYRING_ENTRY = "database-key"
SQLITE_HEADER = b"SQLite format 3\x00"
NEEDS_KEY = (
    f"set {KEY_ENV}, or keep the key in the keyring "
    f"(`keyring set {KEYRING_SERVICE} {KEYRING_ENTRY}`)"
)


class KeyProblem(Exception):
    """An encrypted file cannot be opened: no key, a wrong key, or no SQLCipher."""


def is_plain(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == SQLITE_HEADER


def is_encrypted(path: Path) -> bool:
    """True for a non-empty file without SQLite's header (encrypted, or not a database)."""
    return path.is_file() and path.stat().st_size > 0 and not is_plain(path)


def database_key(environ: Mapping[str, str] | None = None) -> str | None:
    """The key from the environment, else from the keyring; None when neither has one."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV, "")
    if key:
        return key
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except (KeyringError, RuntimeError):  # no backend on a headless machine
        return None
    return stored or None


def key_for_new_file(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get(KEY_ENV) or None


def _sqlcipher() -> Any:
    try:
        import sqlcipher3.dbapi2 as dbapi
    except ImportError:
        raise KeyProblem(
            "this cp-tui cannot open encrypted practices: install the encryption extra "
            "(`pip install 'cp-tui[encryption]'`)"
        ) from None
    return dbapi


def dbapi_module(encrypted: bool) -> Any:
    """The DB-API module SQLAlchemy should use (its exceptions are the ones raised)."""
    return _sqlcipher() if encrypted else sqlite3


def errors() -> tuple[type[Exception], ...]:
    """Every exception an SQLite connection of either kind raises (to catch them all)."""
    try:
        import sqlcipher3.dbapi2 as dbapi
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, dbapi.Error)


def failures() -> tuple[type[Exception], ...]:
    """``errors()`` and ``KeyProblem``: everything that means "this file cannot be read"."""
    return (KeyProblem, *errors())


def is_corruption(exc: BaseException) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB: the file's pages, not the moment, are wrong."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def quote_key(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"


def connect(path: Path, *, key: str | None, mode: str | None = None, timeout: float) -> Any:
    """A connection to ``path`` (through SQLCipher when ``key`` is given).

    ``mode`` is a URI mode such as ``ro`` or ``ro&immutable=1``; None opens for
    writing and creates the file. With a key, the key is tried at once, so a
    wrong one raises ``KeyProblem`` before any statement touches the file.
    """
    target = f"file:{quote(str(path))}?mode={mode}" if mode else str(path)
    if key is None:
        return sqlite3.connect(target, uri=mode is not None, timeout=timeout)
    dbapi = _sqlcipher()
    conn = dbapi.connect(target, uri=mode is not None, timeout=timeout)
    try:
        # SQLCipher logs a failed key to stderr, which would draw over the TUI.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {quote_key(key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi.DatabaseError as exc:
        conn.close()
        if is_corruption(exc):
            raise KeyProblem(
                f"the key does not open {path} (a wrong key, or the file is not a cp-tui "
                f"practice); it was left untouched: set the right {KEY_ENV}, or keep the right "
                f"key in the keyring (`keyring set {KEYRING_SERVICE} {KEYRING_ENTRY}`)"
            ) from None
        raise
    return conn


def key_for(path: Path) -> str | None:
    """The key an existing file needs: None for a plain file, or when no key is known.

    Without a key an encrypted file is opened as plain SQLite, which refuses it
    as "not a database"; callers add ``unreadable_hint`` to what they say.
    """
    return database_key() if is_encrypted(path) else None


def unreadable_hint(path: Path) -> str:
    """What to do when a file without SQLite's header could not be read."""
    if not path.is_file() or not is_encrypted(path):
        return ""
    if database_key() is None:
        return f"; if the practice is encrypted, {NEEDS_KEY}"
    return ""


def open_file(path: Path, *, mode: str | None = None, timeout: float) -> Any:
    """A connection to an existing file, encrypted or not, with the key it needs."""
    return connect(path, key=key_for(path), mode=mode, timeout=timeout)
