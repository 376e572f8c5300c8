"""Shared rules of the money state: locks, numbers, balances, statuses.

Used inside the transaction of a use case; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cp_tui.models import (
    BillingItem,
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSeries,
    PracticeSettings,
)
from cp_tui.money import line_amounts
from cp_tui.services.errors import NotFound

# A row of a Core select by column name: read where loading ORM objects costs too much.
Columns = Row[*tuple[Any, ...]]


def practice(session: Session) -> PracticeSettings:
    settings = session.get(PracticeSettings, 1)
    if settings is None:
        try:
            # A savepoint: on PostgreSQL another practitioner may create the row
            # at the same moment; then theirs is read instead.
            with session.begin_nested():
                settings = PracticeSettings(id=1)
                session.add(settings)
        except IntegrityError:
            settings = session.get(PracticeSettings, 1, populate_existing=True)
            assert settings is not None
    return settings


def lock_client(session: Session, client_id: int) -> Client:
    """Serialise money changes per client: row lock (PostgreSQL) or write lock (SQLite)."""
    result = session.execute(
        update(Client)
        .where(col(Client.id) == client_id)
        .values(lock_version=Client.lock_version + 1)
    )
    if getattr(result, "rowcount", 0) == 0:
        raise NotFound(f"no client with id {client_id}; `cp-tui clients list` shows the ids")
    # Read afresh (one SELECT), not from the session's identity map.
    client = session.get(Client, client_id, populate_existing=True)
    assert client is not None
    return client


def next_number(session: Session, series: str) -> int:
    """Take the next number of a series inside the caller's transaction (gap-free)."""
    taken = session.execute(
        update(NumberSeries)
        .where(col(NumberSeries.series) == series)
        .values(next_value=NumberSeries.next_value + 1)
        .returning(col(NumberSeries.next_value))
    ).scalar_one_or_none()
    if taken is None:
        try:
            # First number of the series. On PostgreSQL two transactions can both
            # find no row; the loser's savepoint rolls back and it takes the next.
            with session.begin_nested():
                session.add(NumberSeries(series=series, next_value=2))
            return 1
        except IntegrityError:
            return next_number(session, series)
    return int(taken) - 1


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}{value:04d}"


def credit_balance(session: Session, client_id: int) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            col(CreditEntry.client_id) == client_id
        )
    ).scalar_one()
    return int(total)


def credit_balances(session: Session, client_ids: Iterable[int]) -> dict[int, int]:
    """``credit_balance`` of many clients in one query (a client with no entries: absent)."""
    rows = session.execute(
        select(CreditEntry.client_id, func.sum(CreditEntry.amount))
        .where(col(CreditEntry.client_id).in_(list(client_ids)))
        .group_by(col(CreditEntry.client_id))
    ).all()
    return {int(client_id): int(total) for client_id, total in rows}


def amount_due(invoice: Invoice | Columns) -> int:
    if invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status == InvoiceStatus.VOID:
        return 0
    return invoice.total - invoice.credit_applied - invoice.amount_paid


def settle_status(invoice: Invoice) -> None:
    """Derive an issued invoice's status from its amounts."""
    if invoice.status in (InvoiceStatus.VOID, InvoiceStatus.DRAFT):
        return
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        invoice.status = InvoiceStatus.PAID
        return
    due = amount_due(invoice)
    if due <= 0:
        invoice.status = InvoiceStatus.PAID
    elif invoice.amount_paid > 0:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    else:
        invoice.status = InvoiceStatus.UNPAID


def retotal(session: Session, invoice: Invoice) -> None:
    """Totals are sums of the stored lines, never typed in."""
    session.flush()
    lines = session.exec(select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id)).all()
    invoice.subtotal = sum(line.net for line in lines)
    invoice.tax = sum(line.tax for line in lines)
    invoice.total = invoice.subtotal + invoice.tax


def item_total(item: BillingItem) -> int:
    return line_amounts(item.units, item.unit_price, item.tax_rate).total


DRAFT_PREFIX = "DRAFT-"  # a draft's reference until it is issued: DRAFT-<id>


def invoice_reference(number: str | None, invoice_id: int | None) -> str:
    """The invoice's number, or DRAFT-<id> for a draft that has none yet."""
    return number or f"{DRAFT_PREFIX}{invoice_id}"


def invoiced_numbers(session: Session, item_ids: Iterable[int]) -> dict[int, str]:
    """Item id -> number of the live invoice that holds it (DRAFT-<id> for a draft)."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(InvoiceLine.active_item_id, Invoice.number, Invoice.id)
        .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
        .where(col(InvoiceLine.active_item_id).in_(ids))
    ).all()
    return {
        int(item_id): invoice_reference(number, invoice_id) for item_id, number, invoice_id in rows
    }


def take_credit(session: Session, invoice: Invoice, balance: int, now: datetime) -> int:
    """Apply up to ``balance`` of the client's credit to what the invoice has due."""
    take = min(balance, amount_due(invoice))
    if take <= 0:
        return 0
    invoice.credit_applied += take
    session.add(
        CreditEntry(
            client_id=invoice.client_id,
            amount=-take,
            kind=CreditKind.APPLIED,
            invoice_id=invoice.id,
            note=f"applied to {invoice.number}",
            created_at=now,
        )
    )
    return take
