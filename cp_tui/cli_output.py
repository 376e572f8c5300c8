"""How the command line prints: JSON for scripts, short aligned text for people."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cp_tui.money import decimal_text, format_money


def jsonable(value: Any) -> Any:
    """Read models to JSON values: money stays integer minor units, decimals are strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def fail(message: str) -> None:
    """One line on stderr, whatever the message echoes (a typed file name may hold a CR)."""
    sys.stderr.write(f"cp-tui: error: {one_line(message)}\n")


def one_line(text: str) -> str:
    """Control characters shown as escapes (\\r, \\n, \\x1b), so nothing breaks the line."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def note(message: str) -> None:
    sys.stderr.write(f"{message}\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        sys.stdout.write(line.rstrip() + "\n")
        if index == 0:
            sys.stdout.write("  ".join("-" * w for w in widths) + "\n")
    if not rows:
        sys.stdout.write("(none)\n")


def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)
