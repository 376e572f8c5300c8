"""What is owed: balances by client in aging buckets, billed versus received by month,
and a CSV of invoices and payments for the accountant.

An invoice's amount due as of a day follows the statement's rule (``statements``):
its total, less the payments received on or before that day, less the credit
applied to it on or before that day, plus credit returned from it by then. An
invoice counts from its issue date until the day it was voided; drafts and credit
notes owe nothing. As of today, each invoice's figure is ``ledger.amount_due``.

Everything is summed in Python over plain column reads, so the SQL is the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    BillingItem,
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
)
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.money import from_minor
from cp_tui.services import ledger
from cp_tui.services.errors import InvalidInput
from cp_tui.services.report_export import ExportResult, write_csv
from cp_tui.services.textfields import check_year
from cp_tui.store import Database

BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "over 90")


def bucket_of(days_past_due: int) -> int:
    """Index into ``BUCKETS``: not yet due (or due today) is current."""
    if days_past_due <= 0:
        return 0
    if days_past_due <= 30:
        return 1
    if days_past_due <= 60:
        return 2
    if days_past_due <= 90:
        return 3
    return 4


@dataclass(frozen=True, slots=True)
class AgingRow:
    client_id: int
    client_name: str
    # One amount per bucket, in the order of BUCKETS.
    buckets: tuple[int, int, int, int, int]
    total: int
    invoices: int


@dataclass(frozen=True, slots=True)
class AgingReport:
    as_of: date
    currency: str
    buckets: tuple[str, ...]
    rows: list[AgingRow]
    totals: tuple[int, int, int, int, int]
    total: int


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str  # "2026-11"
    billed: int  # invoices issued (not void)
    credited: int  # credit notes issued, as a positive amount
    received: int  # payments received from clients
    # Insurers' portions of the month's sessions (claims not denied), and what
    # insurers paid, by the day their payment was recorded: money the practice
    # is owed and gets that no client invoice shows.
    claimed: int = 0
    insurer_paid: int = 0

    @property
    def billed_in_all(self) -> int:
        return self.billed + self.claimed

    @property
    def received_in_all(self) -> int:
        return self.received + self.insurer_paid


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    start: date
    end: date
    currency: str
    months: list[MonthRow]
    billed: int
    credited: int
    received: int
    claimed: int = 0
    insurer_paid: int = 0


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: date, end: date) -> list[str]:
    keys: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})")


def _zero() -> list[int]:
    return [0, 0, 0, 0, 0]


class ReportService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- aging ----------------------------------------------------------------------

    def aging(self, as_of: date | None = None) -> AgingReport:
        """Each client's balance due as of a day, split by how long it is past due."""
        day = as_of or self._clock.today()
        check_year(day, "an aging report's day")
        with self._db.read() as session:
            currency = ledger.practice(session).currency
            dues = due_as_of(session, day)
            per_client: dict[int, list[int]] = defaultdict(_zero)
            counts: dict[int, int] = defaultdict(int)
            for client_id, due_date, due in dues:
                per_client[client_id][bucket_of((day - due_date).days)] += due
                counts[client_id] += 1
            names = _names(session, per_client)
        rows = [
            AgingRow(
                client_id=cid,
                client_name=names.get(cid, f"client {cid}"),
                buckets=(b[0], b[1], b[2], b[3], b[4]),
                total=sum(b),
                invoices=counts[cid],
            )
            for cid, b in per_client.items()
        ]
        rows.sort(key=lambda r: (-r.total, r.client_name.lower(), r.client_id))
        sums = [sum(r.buckets[i] for r in rows) for i in range(len(BUCKETS))]
        return AgingReport(
            as_of=day,
            currency=currency,
            buckets=BUCKETS,
            rows=rows,
            totals=(sums[0], sums[1], sums[2], sums[3], sums[4]),
            total=sum(sums),
        )

    # -- billed versus received ---------------------------------------------------------

    def monthly(self, start: date | None = None, end: date | None = None) -> MonthlyReport:
        """Invoices issued, credit notes issued and payments received, month by month.

        By default the twelve months up to and including this one.
        """
        today = self._clock.today()
        end = end or today
        if start is None:
            year, month = (end.year - 1, end.month + 1) if end.month < 12 else (end.year, 1)
            start = date(year, month, 1)
        _check_period(start, end)
        billed: dict[str, int] = defaultdict(int)
        credited: dict[str, int] = defaultdict(int)
        received: dict[str, int] = defaultdict(int)
        with self._db.read() as session:
            currency = ledger.practice(session).currency
            for kind, issued, total in session.execute(
                columns(col(Invoice.kind), col(Invoice.issue_date), col(Invoice.total))
                .where(col(Invoice.issue_date) >= start)
                .where(col(Invoice.issue_date) <= end)
                .where(col(Invoice.status).not_in([InvoiceStatus.VOID, InvoiceStatus.DRAFT]))
            ).all():
                if kind == InvoiceKind.CREDIT_NOTE:
                    credited[month_key(issued)] += -int(total)
                else:
                    billed[month_key(issued)] += int(total)
            for received_on, amount in session.execute(
                columns(col(Payment.received_on), col(Payment.amount))
                .where(col(Payment.received_on) >= start)
                .where(col(Payment.received_on) <= end)
            ).all():
                received[month_key(received_on)] += int(amount)
            claimed, insurer_paid = _insurer_months(session, start, end)
        months = [
            MonthRow(
                month=key,
                billed=billed[key],
                credited=credited[key],
                received=received[key],
                claimed=claimed[key],
                insurer_paid=insurer_paid[key],
            )
            for key in months_between(start, end)
        ]
        return MonthlyReport(
            start=start,
            end=end,
            currency=currency,
            months=months,
            billed=sum(m.billed for m in months),
            credited=sum(m.credited for m in months),
            received=sum(m.received for m in months),
            claimed=sum(m.claimed for m in months),
            insurer_paid=sum(m.insurer_paid for m in months),
        )

    # -- the accountant's CSV -------------------------------------------------------------

    def export_rows(self, start: date, end: date) -> list[dict[str, str]]:
        """Invoices, credit notes (by issue date) and payments (by date received) in a period."""
        _check_period(start, end)
        rows: list[tuple[date, int, int, dict[str, str]]] = []
        with self._db.read() as session:
            currency = ledger.practice(session).currency

            def major(amount: int) -> str:
                return str(from_minor(amount, currency))

            invoices = session.exec(
                select(Invoice)
                .where(col(Invoice.issue_date) >= start)
                .where(col(Invoice.issue_date) <= end)
                .where(col(Invoice.status) != InvoiceStatus.DRAFT)
                .order_by(col(Invoice.issue_date), col(Invoice.id))
            ).all()
            payments = session.exec(
                select(Payment)
                .where(col(Payment.received_on) >= start)
                .where(col(Payment.received_on) <= end)
                .order_by(col(Payment.received_on), col(Payment.id))
            ).all()
            insurer_payments = session.execute(
                columns(ClaimLine, col(InsurancePolicy.payer), col(BillingItem.client_id))
                .join(InsurancePolicy, col(InsurancePolicy.id) == col(ClaimLine.policy_id))
                .join(BillingItem, col(BillingItem.id) == col(ClaimLine.item_id))
                .where(col(ClaimLine.status) == "paid")
                .where(col(ClaimLine.decided_on) >= start)
                .where(col(ClaimLine.decided_on) <= end)
                .order_by(col(ClaimLine.decided_on), col(ClaimLine.id))
            ).all()
            numbers = _numbers(session, [p.invoice_id for p in payments])
            names = _names(
                session,
                {i.client_id for i in invoices}
                | {p.client_id for p in payments}
                | {client_id for _claim, _payer, client_id in insurer_payments},
            )
            for inv in invoices:
                rows.append(
                    (
                        inv.issue_date,
                        0,
                        inv.id or 0,
                        {
                            "type": "credit note"
                            if inv.kind == InvoiceKind.CREDIT_NOTE
                            else "invoice",
                            "date": inv.issue_date.isoformat(),
                            "number": inv.number or "",
                            "client_id": str(inv.client_id),
                            "client": names.get(inv.client_id, ""),
                            "status": inv.status,
                            "due_date": inv.due_date.isoformat(),
                            "net": major(inv.subtotal),
                            "tax": major(inv.tax),
                            "total": major(inv.total),
                            "method": "",
                            "reference": "",
                            "invoice": "",
                            "currency": currency,
                        },
                    )
                )
            for pay in payments:
                rows.append(
                    (
                        pay.received_on,
                        1,
                        pay.id or 0,
                        {
                            "type": "payment",
                            "date": pay.received_on.isoformat(),
                            "number": f"P{pay.id}",
                            "client_id": str(pay.client_id),
                            "client": names.get(pay.client_id, ""),
                            "status": "",
                            "due_date": "",
                            "net": "",
                            "tax": "",
                            "total": major(pay.amount),
                            "method": pay.method,
                            "reference": pay.reference,
                            "invoice": numbers.get(pay.invoice_id, ""),
                            "currency": currency,
                        },
                    )
                )
            for claim, payer, client_id in insurer_payments:
                decided = claim.decided_on or start
                rows.append(
                    (
                        decided,
                        2,
                        claim.id or 0,
                        {
                            "type": "insurer payment",
                            "date": decided.isoformat(),
                            "number": f"C{claim.id}",
                            "client_id": str(client_id),
                            "client": names.get(client_id, ""),
                            "status": "",
                            "due_date": "",
                            "net": "",
                            "tax": "",
                            "total": major(claim.paid_amount),
                            "method": payer,
                            "reference": claim.reference,
                            "invoice": "",
                            "currency": currency,
                        },
                    )
                )
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        return [row for *_, row in rows]

    def export_csv(self, start: date, end: date, path: Path) -> ExportResult:
        """Write ``export_rows`` as CSV (readable by the owner only: it names clients)."""
        return write_csv(Path(path), self.export_rows(start, end), start, end)


def _insurer_months(
    session: Session, start: date, end: date
) -> tuple[dict[str, int], dict[str, int]]:
    """Claimed (by date of service, denied left out) and paid by insurers, by month."""
    claimed: dict[str, int] = defaultdict(int)
    paid: dict[str, int] = defaultdict(int)
    for served, amount in session.execute(
        columns(col(BillingItem.date), col(ClaimLine.amount))
        .join(BillingItem, col(BillingItem.id) == col(ClaimLine.item_id))
        .where(col(BillingItem.date) >= start)
        .where(col(BillingItem.date) <= end)
        .where(col(ClaimLine.status) != "denied")
    ).all():
        claimed[month_key(served)] += int(amount)
    for decided, amount in session.execute(
        columns(col(ClaimLine.decided_on), col(ClaimLine.paid_amount))
        .where(col(ClaimLine.status) == "paid")
        .where(col(ClaimLine.decided_on) >= start)
        .where(col(ClaimLine.decided_on) <= end)
    ).all():
        paid[month_key(decided)] += int(amount)
    return claimed, paid


def due_as_of(session: Session, day: date) -> list[tuple[int, date, int]]:
    """(client id, due date, amount due) of every invoice with money due at the end of ``day``."""
    # Stored times are the practice's wall time marked UTC (see ``clock``).
    end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    invoices = session.execute(
        columns(
            col(Invoice.id),
            col(Invoice.client_id),
            col(Invoice.due_date),
            col(Invoice.total),
            col(Invoice.voided_at),
        )
        .where(col(Invoice.kind) == InvoiceKind.INVOICE)
        .where(col(Invoice.status) != InvoiceStatus.DRAFT)
        .where(col(Invoice.issue_date) <= day)
    ).all()
    live = {
        int(inv_id): (int(client_id), due_date, int(total))
        for inv_id, client_id, due_date, total, voided_at in invoices
        if voided_at is None or voided_at.replace(tzinfo=UTC) >= end_of_day
    }
    if not live:
        return []
    taken: dict[int, int] = defaultdict(int)
    for ids in _chunks(list(live)):
        for invoice_id, applied in session.execute(
            select(Payment.invoice_id, Payment.applied)
            .where(col(Payment.invoice_id).in_(ids))
            .where(col(Payment.received_on) <= day)
        ).all():
            taken[int(invoice_id)] += int(applied)
        for invoice_id, amount in session.execute(
            select(CreditEntry.invoice_id, CreditEntry.amount)
            .where(col(CreditEntry.invoice_id).in_(ids))
            .where(col(CreditEntry.kind).in_([CreditKind.APPLIED, CreditKind.RESTORED]))
            .where(col(CreditEntry.created_at) < end_of_day)
        ).all():
            # Applied credit is stored negative, returned credit positive.
            taken[int(invoice_id)] -= int(amount)
    result = []
    for inv_id, (client_id, due_date, total) in live.items():
        due = total - taken[inv_id]
        if due > 0:
            result.append((client_id, due_date, due))
    return result


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _names(session: Session, client_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(client_ids))
    names: dict[int, str] = {}
    for chunk in _chunks(ids):
        for cid, name in session.execute(
            select(Client.id, Client.name).where(col(Client.id).in_(chunk))
        ).all():
            names[int(cid)] = str(name)
    return names


def _numbers(session: Session, invoice_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(invoice_ids))
    numbers: dict[int, str] = {}
    for chunk in _chunks(ids):
        for inv_id, number in session.execute(
            select(Invoice.id, Invoice.number).where(col(Invoice.id).in_(chunk))
        ).all():
            numbers[int(inv_id)] = str(number or "")
    return numbers
