"""The batch's bulk path writes what ``InvoiceService.create`` writes, chunk by chunk.

Two identical practices are billed, one by a batch run (many invoices to a
transaction, Core inserts), one by ``create`` client by client; every invoice,
line, credit entry and audit row must come out the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.services import batch_writer
from cp_tui.services.batch import BatchOutcome
from tests.conftest import FROZEN_NOW, Practice

pytestmark = pytest.mark.sqlite_only

MON, TUE = datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 24, 11, 0)
NAMES = ("Ann", "Ben", "Cat", "Dev", "Eve")


class Cancelled(Exception):
    pass


def _fill(s: Services) -> list[int]:
    """Five clients with one to three items each (tax on one service), credit for two."""
    p = Practice(s, FrozenClock(FROZEN_NOW))
    therapy = p.service("150.00")
    review = p.service("33.33", tax_rate="15", name="Review")
    clients = [p.client(n, f"{n.lower()}@example.com") for n in NAMES]
    for n, client in enumerate(clients):
        p.session([client], [therapy, review] if n % 2 else [therapy], MON)
        if n < 3:
            p.session([client], [review], TUE)
    s.credits.add(client_id=clients[1], amount="20.00", reason="goodwill")
    s.credits.add(client_id=clients[3], amount="500.00", reason="prepaid")  # more than due
    return clients


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Services, Services, list[int]]]:
    made = []
    for name in ("batch", "create"):
        s = build_services(
            resolve_settings(tmp_path / name, environ={}), clock=FrozenClock(FROZEN_NOW)
        )
        made.append((s, _fill(s)))
    (a, clients), (b, same) = made
    assert clients == same
    yield a, b, clients
    a.close()
    b.close()


def _rows(s: Services, table: str) -> list[tuple[object, ...]]:
    path = s.settings.data_dir / DB_FILENAME
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.execute(f"SELECT * FROM {table} ORDER BY rowid"))


@pytest.mark.parametrize("chunk", [2, batch_writer.CHUNK])
def test_a_batch_writes_exactly_what_create_writes(
    two: tuple[Services, Services, list[int]], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_writer, "CHUNK", chunk)
    by_batch, by_create, _ = two
    preview = by_batch.batch.preview("week")
    assert len(preview.rows) == len(NAMES)

    result = by_batch.batch.run(preview.rows)
    for row in by_create.batch.preview("week").rows:
        by_create.invoices.create(client_id=row.client_id, item_ids=row.item_ids, apply_credit=True)

    assert [o.status for o in result.outcomes] == ["created"] * len(NAMES)
    for table in ("invoice", "invoice_line", "credit_entry", "audit_entry", "number_series"):
        assert _rows(by_batch, table) == _rows(by_create, table), table
    made = {i.number: i for i in by_create.invoices.list()}
    for outcome in result.outcomes:
        assert outcome.invoice is not None
        assert (outcome.total, outcome.amount_due) == (
            made[outcome.invoice].total,
            made[outcome.invoice].amount_due,
        )
    assert {i.status for i in made.values()} == {"paid", "unpaid"}  # Dev's credit covers all


def test_a_cancelled_run_keeps_what_it_reported_and_numbers_stay_gap_free(
    two: tuple[Services, Services, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_writer, "CHUNK", 2)
    s, _, _ = two
    reported: list[str] = []

    def cancel_at_three(done: int, total: int, outcome: BatchOutcome) -> None:
        reported.append(outcome.invoice or "")
        if done == 3:  # the first invoice of the second chunk
            raise Cancelled

    with pytest.raises(Cancelled):
        s.batch.run(s.batch.preview("week").rows, progress=cancel_at_three)

    assert sorted(i.number for i in s.invoices.list() if i.kind == "invoice") == reported
    assert reported == ["INV-0001", "INV-0002", "INV-0003"]
    rest = s.batch.run(s.batch.preview("week").rows)
    assert [o.invoice for o in rest.outcomes] == ["INV-0004", "INV-0005"]
    assert s.batch.preview("week").rows == []


def test_a_client_archived_after_the_preview_fails_alone(
    two: tuple[Services, Services, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_writer, "CHUNK", 2)
    s, _, clients = two
    preview = s.batch.preview("week")
    assert s.clients.remove(clients[2]) == "archived"  # Cat, the third row
    seen: list[int] = []

    result = s.batch.run(preview.rows, progress=lambda done, total, o: seen.append(done))

    assert [(o.client_name, o.status) for o in result.outcomes] == [
        ("Ann", "created"),
        ("Ben", "created"),
        ("Cat", "failed"),
        ("Dev", "created"),
        ("Eve", "created"),
    ]
    assert result.outcomes[2].message == "Cat is archived; restore them before invoicing"
    assert seen == [1, 2, 3, 4, 5]
    assert [o.invoice for o in result.created] == ["INV-0001", "INV-0002", "INV-0003", "INV-0004"]
