"""Writing a batch run's invoices many to a transaction, with bulk SQL.

``InvoiceService.create`` issues one invoice in one transaction through the
ORM: right for a person at the keyboard, about 20 ms an invoice. A month-end
run of 2,000 invoices goes through here instead: the invoices of a chunk share
one transaction (one fsync), the chunk's clients, items, credit balances and
numbers are read and locked with one statement each, and rows are written with
Core inserts. What is written is what ``create`` writes: the same invoice,
lines, credit entries and audit row, by the same rounding and status rules.

Every invoice is reported (``report``) once its rows are written, before the
chunk commits. When ``report`` raises (the run is cancelled), the invoices
reported so far are committed and the rest of the chunk is not written, so a
cancelled run keeps exactly what it reported. A run killed outright loses at
most the uncommitted chunk, never part of an invoice; running it again bills
what is left. Numbers stay gap-free: the chunk takes exactly as many as it
writes, inside its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from cp_tui.clock import Clock
from cp_tui.models import (
    AuditEntry,
    BillingItem,
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSeries,
)
from cp_tui.money import line_amounts
from cp_tui.services import ledger
from cp_tui.services.batch_rows import BatchOutcome, BatchRow
from cp_tui.store import Database

CHUNK = 100  # invoices a transaction: a kill loses at most this much work, the bar moves

Report = Callable[[BatchOutcome], None]


@dataclass(frozen=True, slots=True)
class Written:
    """What a chunk did: rows handled, the exception a cancelled ``report`` raised, and
    whether it stopped before a row that must go through ``create`` on its own."""

    done: int
    cancelled: BaseException | None
    one_by_one: bool


@dataclass(frozen=True, slots=True)
class _Item:
    id: int
    client_id: int
    date: date
    description: str
    units: Decimal
    unit_price: int
    tax_rate: Decimal


@dataclass(slots=True)
class _Chunk:
    """What one chunk's transaction read up front, one statement for each."""

    names: dict[int, str]
    archived: set[int]
    items: dict[int, _Item]
    taken: dict[int, str]
    balances: dict[int, int]

    def needs_one_by_one(self, row: BatchRow) -> bool:
        """True when ``create`` must say what is wrong (archived, gone, taken, not theirs)."""
        if row.client_id not in self.names or row.client_id in self.archived:
            return True
        return any(
            i not in self.items or i in self.taken or self.items[i].client_id != row.client_id
            for i in row.item_ids
        )


class BatchWriter:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Built once with bound parameters: SQLAlchemy compiles it once, where
        # inline values would cost a cache key of their own every invoice.
        self._insert_invoice = insert(Invoice).returning(col(Invoice.id))

    def write(
        self,
        rows: Sequence[BatchRow],
        *,
        apply_credit: bool,
        report: Report,
    ) -> Written:
        """Write up to ``CHUNK`` rows in one transaction.

        Stops before a row that the bulk path cannot vouch for (the caller
        invoices it one by one, so its message is ``create``'s own), and after a
        row whose ``report`` raised.
        """
        chunk = list(rows[:CHUNK])
        stopped: BaseException | None = None
        one_by_one = False
        done = 0
        with self._db.write() as session:
            ids = sorted({row.client_id for row in chunk})
            session.execute(
                update(Client)
                .where(col(Client.id).in_(ids))
                .values(lock_version=Client.lock_version + 1)
            )
            seen = self._read(session, chunk, ids, apply_credit)
            settings = ledger.practice(session)
            first = ledger.next_number(session, InvoiceKind.INVOICE)
            written = 0
            pending = _Pending()
            for row in chunk:
                if not row.item_ids:
                    outcome = BatchOutcome(
                        client_id=row.client_id,
                        client_name=row.client_name,
                        status="skipped",
                        message="nothing left to invoice in this period",
                    )
                elif seen.needs_one_by_one(row):
                    one_by_one = True
                    break
                else:
                    number = ledger.format_number(settings.invoice_prefix, first + written)
                    outcome = self._invoice(
                        session,
                        row,
                        seen,
                        pending,
                        number,
                        settings.currency,
                        settings.payment_terms_days,
                        apply_credit,
                    )
                    written += 1
                done += 1
                try:
                    report(outcome)
                except BaseException as exc:  # cancelled: keep what was reported
                    stopped = exc
                    break
            pending.flush(session)
            # next_number took one; the chunk used ``written`` (none: give it back).
            session.execute(
                update(NumberSeries)
                .where(col(NumberSeries.series) == InvoiceKind.INVOICE)
                .values(next_value=NumberSeries.next_value + (written - 1))
            )
        return Written(done, stopped, one_by_one)

    # -- reading --------------------------------------------------------------------

    @staticmethod
    def _read(
        session: Session, chunk: list[BatchRow], ids: list[int], apply_credit: bool
    ) -> _Chunk:
        names: dict[int, str] = {}
        archived: set[int] = set()
        for cid, name, archived_at in session.execute(
            sa_select(col(Client.id), col(Client.name), col(Client.archived_at)).where(
                col(Client.id).in_(ids)
            )
        ):
            names[cid] = name
            if archived_at is not None:
                archived.add(cid)
        wanted = [i for row in chunk for i in row.item_ids]
        items = {
            row[0]: _Item(*row)
            for row in session.execute(
                sa_select(
                    col(BillingItem.id),
                    col(BillingItem.client_id),
                    col(BillingItem.date),
                    col(BillingItem.description),
                    col(BillingItem.units),
                    col(BillingItem.unit_price),
                    col(BillingItem.tax_rate),
                ).where(col(BillingItem.id).in_(wanted))
            )
        }
        balances = ledger.credit_balances(session, ids) if apply_credit else {}
        taken = ledger.invoiced_numbers(session, wanted)
        return _Chunk(names, archived, items, taken, balances)

    # -- writing --------------------------------------------------------------------

    def _invoice(
        self,
        session: Session,
        row: BatchRow,
        seen: _Chunk,
        pending: _Pending,
        number: str,
        currency: str,
        terms_days: int,
        apply_credit: bool,
    ) -> BatchOutcome:
        today, now = self._clock.today(), self._clock.now()
        items = [seen.items[i] for i in row.item_ids]
        amounts = [line_amounts(i.units, i.unit_price, i.tax_rate) for i in items]
        subtotal = sum(a.net for a in amounts)
        tax = sum(a.tax for a in amounts)
        total = subtotal + tax
        # ledger.take_credit's rule: as much of the balance as the invoice has due.
        balance = seen.balances.get(row.client_id, 0) if apply_credit else 0
        take = max(min(balance, total), 0)
        seen.balances[row.client_id] = balance - take
        # ledger.settle_status's rule for a new invoice with nothing paid.
        status = InvoiceStatus.PAID if total - take <= 0 else InvoiceStatus.UNPAID
        invoice_id = (
            session.connection()
            .execute(
                self._insert_invoice,
                {
                    "number": number,
                    "kind": InvoiceKind.INVOICE,
                    "status": status,
                    "client_id": row.client_id,
                    "currency": currency,
                    "issue_date": today,
                    "due_date": today + timedelta(days=terms_days),
                    "subtotal": subtotal,
                    "tax": tax,
                    "total": total,
                    "credit_applied": take,
                    "amount_paid": 0,
                    "corrects_invoice_id": None,
                    "reason": "",
                    "sent_at": None,
                    "voided_at": None,
                    "created_at": now,
                },
            )
            .scalar_one()
        )
        lines = []
        for position, (item, amount) in enumerate(zip(items, amounts, strict=True)):
            pending.lines.append(
                {
                    "invoice_id": invoice_id,
                    "position": position,
                    "item_id": item.id,
                    "active_item_id": item.id,
                    "service_date": item.date,
                    "description": item.description,
                    "units": item.units,
                    "unit_price": item.unit_price,
                    "tax_rate": item.tax_rate,
                    "net": amount.net,
                    "tax": amount.tax,
                }
            )
            lines.append(
                {
                    "item_id": item.id,
                    "units": str(item.units),
                    "unit_price": item.unit_price,
                    "tax_rate": str(item.tax_rate),
                    "total": amount.net + amount.tax,
                }
            )
        if take > 0:
            pending.credits.append(
                {
                    "client_id": row.client_id,
                    "amount": -take,
                    "kind": CreditKind.APPLIED,
                    "invoice_id": invoice_id,
                    "payment_id": None,
                    "note": f"applied to {number}",
                    "created_at": now,
                }
            )
        # The audit row invoice_reads.snapshot would give, key for key.
        after = {
            "number": number,
            "status": status,
            "subtotal": subtotal,
            "tax": tax,
            "total": total,
            "credit_applied": take,
            "amount_paid": 0,
            "lines": lines,
        }
        pending.audits.append(
            {
                "at": now,
                "action": "invoice.issue",
                "client_id": row.client_id,
                "invoice_id": invoice_id,
                "detail": number,
                "before": "",
                "after": json.dumps(after, default=str, sort_keys=True),
            }
        )
        return BatchOutcome(
            client_id=row.client_id,
            client_name=row.client_name,
            status="created",
            invoice=number,
            total=total,
            amount_due=total - take,
            message=f"{number} created",
        )


class _Pending:
    """Rows that need no id back, inserted a chunk at a time."""

    __slots__ = ("audits", "credits", "lines")

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.credits: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []

    def flush(self, session: Session) -> None:
        for model, rows in (
            (InvoiceLine, self.lines),
            (CreditEntry, self.credits),
            (AuditEntry, self.audits),
        ):
            if rows:
                session.connection().execute(insert(model), rows)
