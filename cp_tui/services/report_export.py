"""The accountant's CSV: one row per invoice, credit note and payment, in major units."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cp_tui.services.errors import InvalidInput

CSV_FIELDS = (
    "type",
    "date",
    "number",
    "client_id",
    "client",
    "status",
    "due_date",
    "net",
    "tax",
    "total",
    "method",
    "reference",
    "invoice",
    "currency",
)


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: str
    start: date
    end: date
    invoices: int
    credit_notes: int
    payments: int


def write_csv(path: Path, rows: list[dict[str, str]], start: date, end: date) -> ExportResult:
    """Write the rows, creating the file 0600: it names clients."""
    if not path.parent.exists():
        raise InvalidInput(f"the folder {path.parent} does not exist")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return ExportResult(
        path=str(path),
        start=start,
        end=end,
        invoices=sum(1 for r in rows if r["type"] == "invoice"),
        credit_notes=sum(1 for r in rows if r["type"] == "credit note"),
        payments=sum(1 for r in rows if r["type"] == "payment"),
    )
