"""Loading invoices and turning them into read models."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from cp_tui.models import Client, Invoice, InvoiceLine, Payment
from cp_tui.services import ledger
from cp_tui.services.errors import NotFound
from cp_tui.services.ledger import DRAFT_PREFIX
from cp_tui.services.readmodels import InvoiceRead, LineRead, PaymentRead


def reference(invoice: Invoice | ledger.Columns) -> str:
    """The number, or DRAFT-<id> for a draft that has none yet."""
    return ledger.invoice_reference(invoice.number, invoice.id)


def is_draft_reference(wanted: str) -> bool:
    """Whether ``wanted`` (stripped) names a draft by its id: DRAFT-<id>."""
    return wanted.upper().startswith(DRAFT_PREFIX) and wanted[len(DRAFT_PREFIX) :].isdigit()


def get_invoice(session: Session, number: str) -> Invoice:
    wanted = number.strip()
    if is_draft_reference(wanted):
        draft = session.get(Invoice, int(wanted[len(DRAFT_PREFIX) :]))
        if draft is None or draft.number is not None:
            raise NotFound(f"no draft {wanted}; `cp-tui invoices list --status draft` shows them")
        return draft
    # The unique index on number finds the stored spelling at once; only another
    # spelling (inv-0007 for INV-0007) pays for upper() on every row.
    for exact in dict.fromkeys((wanted, wanted.upper())):
        row = session.exec(select(Invoice).where(col(Invoice.number) == exact)).first()
        if row is not None:
            return row
    row = session.exec(select(Invoice).where(func.upper(Invoice.number) == wanted.upper())).first()
    if row is None:
        raise NotFound(f"no invoice numbered {number!r}; `cp-tui invoices list` shows them")
    return row


def line_read(line: InvoiceLine) -> LineRead:
    return LineRead(
        item_id=line.item_id,
        service_date=line.service_date,
        description=line.description,
        units=line.units,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        net=line.net,
        tax=line.tax,
        total=line.net + line.tax,
    )


def invoice_reads(
    session: Session,
    invoices: list[Invoice],
    *,
    with_payments: bool = True,
    names: dict[int, str] | None = None,
) -> list[InvoiceRead]:
    """Read models of ``invoices``; ``names`` (client id -> name), when the caller
    has already loaded the clients, saves the query for them."""
    ids = [inv.id for inv in invoices if inv.id is not None]
    if not ids:
        return []
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_(ids))
        .order_by(col(InvoiceLine.position), col(InvoiceLine.id))
    ).all():
        lines[line.invoice_id].append(line)
    if names is None:
        names = dict(
            session.execute(
                select(Client.id, Client.name).where(
                    col(Client.id).in_({inv.client_id for inv in invoices})
                )
            ).all()
        )
    corrected_ids = {inv.corrects_invoice_id for inv in invoices if inv.corrects_invoice_id}
    corrected = (
        dict(
            session.execute(
                select(Invoice.id, Invoice.number).where(col(Invoice.id).in_(corrected_ids))
            ).all()
        )
        if corrected_ids
        else {}
    )
    payments: dict[int, list[PaymentRead]] = defaultdict(list)
    if with_payments:
        numbers = {inv.id: inv.number or "" for inv in invoices}
        for pay in session.exec(
            select(Payment).where(col(Payment.invoice_id).in_(ids)).order_by(col(Payment.id))
        ).all():
            payments[pay.invoice_id].append(
                PaymentRead(
                    id=pay.id or 0,
                    invoice_number=numbers[pay.invoice_id],
                    method=pay.method,
                    amount=pay.amount,
                    applied=pay.applied,
                    reference=pay.reference,
                    received_on=pay.received_on,
                )
            )
    reads = []
    for inv in invoices:
        assert inv.id is not None
        reads.append(
            InvoiceRead(
                id=inv.id,
                number=reference(inv),
                kind=inv.kind,
                status=inv.status,
                client_id=inv.client_id,
                client_name=names.get(inv.client_id, ""),
                currency=inv.currency,
                issue_date=inv.issue_date,
                due_date=inv.due_date,
                lines=[line_read(line) for line in lines[inv.id]],
                subtotal=inv.subtotal,
                tax=inv.tax,
                total=inv.total,
                credit_applied=inv.credit_applied,
                amount_paid=inv.amount_paid,
                amount_due=ledger.amount_due(inv),
                sent=inv.sent_at is not None,
                corrects=corrected.get(inv.corrects_invoice_id)
                if inv.corrects_invoice_id
                else None,
                reason=inv.reason,
                payments=payments[inv.id],
            )
        )
    return reads


def invoice_read(session: Session, invoice: Invoice) -> InvoiceRead:
    return invoice_reads(session, [invoice])[0]


def snapshot(session: Session, invoice: Invoice) -> dict[str, object]:
    """What the audit keeps of an invoice before and after a change."""
    session.flush()
    return snapshot_of(invoice_read(session, invoice))


def snapshot_of(read: InvoiceRead) -> dict[str, object]:
    """``snapshot`` of an invoice already read (saves reading it twice)."""
    return {
        "number": read.number,
        "status": read.status,
        "subtotal": read.subtotal,
        "tax": read.tax,
        "total": read.total,
        "credit_applied": read.credit_applied,
        "amount_paid": read.amount_paid,
        "lines": [
            {
                "item_id": line.item_id,
                "units": str(line.units),
                "unit_price": line.unit_price,
                "tax_rate": str(line.tax_rate),
                "total": line.total,
            }
            for line in read.lines
        ],
    }
