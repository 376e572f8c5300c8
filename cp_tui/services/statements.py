"""The statement of account: a client's balance due, event by event, over a period.

The balance is what the client owes on invoices billed to them: an invoice adds
its total; a payment takes away the part applied to it; credit applied to an
invoice takes away, credit returned from one adds back. Void invoices and
everything on them are left out. So the balance after the last event ever is the
sum of the amounts due on the client's open invoices, to the cent. Credit notes
go to the credit ledger, not the balance: they are listed for information.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from cp_tui.documents import OpenInvoice, Party, PracticeHeader, StatementDocument, StatementRow
from cp_tui.localmoney import format_local
from cp_tui.models import CreditEntry, CreditKind, Invoice, InvoiceKind, InvoiceStatus, Payment


@dataclass(frozen=True, slots=True)
class _Event:
    on: date
    order: int
    seq: int
    invoice_id: int | None
    amount: int  # + adds to the balance due, - takes away
    description: str


def _events(session: Session, client_id: int, currency: str, locale: str) -> list[_Event]:
    invoices = session.exec(
        select(Invoice)
        .where(col(Invoice.client_id) == client_id)
        .where(col(Invoice.status).not_in([InvoiceStatus.VOID, InvoiceStatus.DRAFT]))
    ).all()
    live = {inv.id: inv for inv in invoices if inv.kind == InvoiceKind.INVOICE}
    numbers = {inv.id: inv.number or "" for inv in invoices}
    events: list[_Event] = []
    for inv in invoices:
        assert inv.id is not None
        if inv.kind == InvoiceKind.INVOICE:
            events.append(
                _Event(inv.issue_date, 0, inv.id, inv.id, inv.total, f"Invoice {inv.number}")
            )
        else:
            credit = format_local(-inv.total, currency, locale)
            reason = f" ({inv.reason})" if inv.reason else ""
            events.append(
                _Event(
                    inv.issue_date,
                    1,
                    inv.id,
                    None,
                    0,
                    f"Credit note {inv.number}{reason}: {credit} to credit",
                )
            )
    if live:
        for pay in session.exec(
            select(Payment).where(col(Payment.invoice_id).in_(list(live)))
        ).all():
            extra = pay.amount - pay.applied
            kept = f", {format_local(extra, currency, locale)} kept as credit" if extra else ""
            ref = f" ref {pay.reference}" if pay.reference else ""
            events.append(
                _Event(
                    pay.received_on,
                    2,
                    pay.id or 0,
                    pay.invoice_id,
                    -pay.applied,
                    f"Payment ({pay.method}{ref}) on {numbers[pay.invoice_id]}{kept}",
                )
            )
        for entry in session.exec(
            select(CreditEntry)
            .where(col(CreditEntry.invoice_id).in_(list(live)))
            .where(col(CreditEntry.kind).in_([CreditKind.APPLIED, CreditKind.RESTORED]))
        ).all():
            number = numbers[entry.invoice_id]
            what = (
                f"Credit applied to {number}"
                if entry.kind == CreditKind.APPLIED
                else f"Credit returned from {number}"
            )
            events.append(
                _Event(
                    entry.created_at.date(), 3, entry.id or 0, entry.invoice_id, entry.amount, what
                )
            )
    events.sort(key=lambda e: (e.on, e.order, e.seq))
    return events


def statement_document(
    session: Session, practice: PracticeHeader, client: Party, start: date, end: date
) -> StatementDocument:
    currency, locale = practice.currency, practice.locale
    opening = 0
    balance = 0
    charges = credits = 0
    rows: list[StatementRow] = []
    due_at_end: dict[int, int] = defaultdict(int)
    for event in _events(session, client.client_id, currency, locale):
        if event.on > end:
            continue
        if event.invoice_id is not None:
            due_at_end[event.invoice_id] += event.amount
        if event.on < start:
            opening += event.amount
            balance = opening
            continue
        balance += event.amount
        charge = event.amount if event.amount > 0 else 0
        credit = -event.amount if event.amount < 0 else 0
        charges += charge
        credits += credit
        rows.append(StatementRow(event.on, event.description, charge, credit, balance))
    balance = opening + charges - credits
    open_invoices: list[OpenInvoice] = []
    if due_at_end:
        for inv in session.exec(
            select(Invoice)
            .where(col(Invoice.id).in_(list(due_at_end)))
            .order_by(col(Invoice.issue_date), col(Invoice.id))
        ).all():
            if due_at_end[inv.id or 0] > 0:
                open_invoices.append(
                    OpenInvoice(
                        inv.number or "",
                        inv.issue_date,
                        inv.due_date,
                        inv.total,
                        due_at_end[inv.id or 0],
                    )
                )
    credit_balance = sum(
        entry.amount
        for entry in session.exec(
            select(CreditEntry).where(col(CreditEntry.client_id) == client.client_id)
        ).all()
        if entry.created_at.date() <= end
    )
    return StatementDocument(
        practice=practice,
        client=client,
        period_start=start,
        period_end=end,
        currency=currency,
        opening_balance=opening,
        rows=tuple(rows),
        charges=charges,
        credits=credits,
        closing_balance=balance,
        credit_balance=int(credit_balance),
        open_invoices=tuple(open_invoices),
    )
