"""Whether other cp-tui processes have a practice file open, without asking them.

Every process that opens a SQLite practice (a terminal, a command) holds a
shared lock on a small file beside it, ``<practice>.lock``, for as long as it
has the practice open. ``cp-tui encrypt`` and ``decrypt`` replace the practice
file: they take that lock exclusively and refuse while anyone else holds it,
because a terminal still writing to the old file would lose its work. The locks
are the operating system's (``flock``): a process that dies lets go of its lock.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; the checks are skipped there
    fcntl = None  # type: ignore[assignment]

# How long an opening process waits for a conversion in progress to finish.
WAIT_FOR_CONVERSION_S = 5.0


class PracticeInUse(Exception):
    """Another process holds the practice in a way that forbids what was asked."""


def lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


def _open_lock_file(database: Path) -> int | None:
    try:
        return os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None  # a read-only folder: nothing can replace the file either


class Presence:
    """This process's shared hold on a practice file; ``release`` lets it go."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def hold(database: Path, *, wait_s: float | None = None) -> Presence:
    """Say this process has ``database`` open; waits briefly for a conversion to end."""
    fd = _open_lock_file(database) if fcntl is not None else None
    if fd is None or fcntl is None:
        return Presence(None)
    deadline = time.monotonic() + (WAIT_FOR_CONVERSION_S if wait_s is None else wait_s)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return Presence(fd)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise PracticeInUse(
                    f"{database} is being encrypted or decrypted by `cp-tui encrypt` or "
                    "`decrypt` in another terminal; wait until it finishes, then start again"
                ) from None
            time.sleep(0.05)
        except OSError:  # a file system without locks: nothing to coordinate with
            return Presence(fd)


@contextlib.contextmanager
def alone(database: Path, doing: str) -> Iterator[None]:
    """Hold ``database`` exclusively while ``doing``; refused if anyone has it open."""
    fd = _open_lock_file(database) if fcntl is not None else None
    if fd is None or fcntl is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PracticeInUse(
                f"cp-tui has {database} open in another terminal or command; close it there "
                f"(q in the app), then run `cp-tui {doing}` again. Nothing was changed."
            ) from None
        except OSError:
            pass  # a file system without locks
        yield
    finally:
        os.close(fd)
