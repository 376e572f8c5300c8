"""Limits on free-text fields: the models declare a max_length that SQLite does not enforce."""

from __future__ import annotations

from datetime import date

from cp_tui.services.errors import InvalidInput
from cp_tui.services.text_guard import refuse_nul


def check_length(value: str, what: str, limit: int) -> str:
    """``value`` stripped, or InvalidInput when the column cannot hold it (too long, a NUL)."""
    value = value.strip()
    refuse_nul(value, what)
    if len(value) > limit:
        raise InvalidInput(f"{what} is at most {limit} characters, got {len(value)}; shorten it")
    return value


FIRST_YEAR = 1900
LAST_YEAR = 2200


def check_year(when: date, what: str) -> None:
    """Refuse dates far away (0001-01-01, 9999-12-31): a typo, never a session."""
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise InvalidInput(
            f"{what} {when.isoformat()} is out of range; "
            f"use a year from {FIRST_YEAR} to {LAST_YEAR}"
        )
