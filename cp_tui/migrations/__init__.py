"""Alembic revisions of the cp-tui schema.

``REVISIONS`` lists every revision this code knows, oldest first, so start-up can
tell a current database (nothing to do, Alembic not even imported), an older one
(upgrade) and one from a newer cp-tui (refused, untouched) by reading a single
row. A test keeps this list equal to Alembic's own history.
"""

from __future__ import annotations

from pathlib import Path

REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
)
HEAD = REVISIONS[-1]
SCRIPT_LOCATION = str(Path(__file__).parent)
