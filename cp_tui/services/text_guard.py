"""Text that no practice database can hold is refused before it is written.

PostgreSQL refuses a NUL character (\\x00) in text outright, and SQLite keeps it
but every tool that reads the value back cuts it short there. Fields checked by
their service say so by name (`check_length`); this guard sees every row a
write is about to store, so a field nobody thought of is refused the same way
on both kinds of practice instead of failing with a driver error.
"""

from __future__ import annotations

from sqlmodel import Session

from cp_tui.services.errors import InvalidInput

NUL = "\x00"


def refuse_nul(value: str, what: str) -> None:
    if NUL in value:
        raise InvalidInput(
            f"{what} holds a NUL character (\\x00), which cannot be stored; remove it and try again"
        )


def refuse_unstorable_text(session: Session) -> None:
    """A `Database` flush guard: no row with a NUL in its text gets written."""
    for row in (*session.new, *session.dirty):
        for name, value in vars(row).items():
            if isinstance(value, str) and not name.startswith("_"):
                what = f"the {getattr(row, '__tablename__', 'record')}'s {name}"
                refuse_nul(value, what.replace("_", " "))
