"""The superbill: a client's invoiced sessions in a period with their codes, fees and payments.

Lines come from the client's own items on live invoices (billed to them or to a
payer), with the CPT code and place of service of the item's service. Payments
on an invoice pay its lines in order, so each line's share is exact and the
shares add up to what the invoice has been paid. Credit notes issued to the
client in the period are adjustments (a negative fee, nothing paid), so total
fees less total paid is what the ledger says the client still owes for them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cp_tui.documents import Party, PracticeHeader, SuperbillDocument, SuperbillLine
from cp_tui.models import BillingItem, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Service

_CPT_PREFIX = re.compile(r"^\s*CPT[\s:#-]*", re.IGNORECASE)


def superbill_document(
    session: Session,
    practice: PracticeHeader,
    patient: Party,
    diagnosis_codes: tuple[str, ...],
    start: date,
    end: date,
) -> SuperbillDocument:
    client_id = patient.client_id
    rows = session.execute(
        select(InvoiceLine, Invoice, BillingItem, Service)
        .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
        .outerjoin(BillingItem, col(BillingItem.id) == InvoiceLine.item_id)
        .outerjoin(Service, col(Service.id) == BillingItem.service_id)
        .where(col(Invoice.kind) == InvoiceKind.INVOICE)
        .where(col(Invoice.status).not_in([InvoiceStatus.VOID, InvoiceStatus.DRAFT]))
        .where(col(Invoice.id).in_(_invoices_with_lines_of(session, client_id)))
        .order_by(col(Invoice.id), col(InvoiceLine.position), col(InvoiceLine.id))
    ).all()
    # Payments on an invoice pay its lines in order, so each line's share is exact
    # and the shares add up to what the invoice has been paid.
    left: dict[int, int] = {}
    lines: list[SuperbillLine] = []
    for line, invoice, item, service in rows:
        assert invoice.id is not None
        left.setdefault(invoice.id, invoice.amount_paid)
        fee = line.net + line.tax
        paid = max(min(left[invoice.id], fee), 0)
        left[invoice.id] -= paid
        owner = item.client_id if item is not None else invoice.client_id
        when = line.service_date or invoice.issue_date
        if owner != client_id or not start <= when <= end:
            continue
        lines.append(
            SuperbillLine(
                service_date=when,
                cpt=_CPT_PREFIX.sub("", service.code) if service is not None else "",
                description=line.description,
                place_of_service=service.place_of_service if service is not None else "",
                units=line.units,
                fee=fee,
                paid=paid,
                invoice_number=invoice.number or "",
            )
        )
    lines += _credit_note_adjustments(session, client_id, start, end)
    lines.sort(key=lambda ln: (ln.service_date, ln.invoice_number))
    fees = sum(ln.fee for ln in lines)
    paid_total = sum(ln.paid for ln in lines)
    return SuperbillDocument(
        practice=practice,
        patient=patient,
        period_start=start,
        period_end=end,
        currency=practice.currency,
        diagnosis_codes=diagnosis_codes,
        lines=tuple(lines),
        total_fees=fees,
        total_paid=paid_total,
        balance=fees - paid_total,
    )


def _credit_note_adjustments(
    session: Session, client_id: int, start: date, end: date
) -> list[SuperbillLine]:
    """The client's credit notes issued in the period, each one line with its whole total.

    A refund's credit note counts too: the refund lowered what the invoice shows as
    paid, so leaving the note out would print the refunded part as still owed.
    """
    corrected = aliased(Invoice)
    rows = session.execute(
        select(Invoice, corrected.number)
        .outerjoin(corrected, col(corrected.id) == Invoice.corrects_invoice_id)
        .where(col(Invoice.kind) == InvoiceKind.CREDIT_NOTE)
        .where(col(Invoice.client_id) == client_id)
        .where(col(Invoice.status).not_in([InvoiceStatus.VOID, InvoiceStatus.DRAFT]))
        .where(col(Invoice.issue_date) >= start)
        .where(col(Invoice.issue_date) <= end)
        .order_by(col(Invoice.id))
    ).all()
    adjustments = []
    for note, corrects in rows:
        what = f"Adjustment: credit note {note.number}"
        if corrects:
            what += f" for {corrects}"
        if note.reason:
            what += f" ({note.reason})"
        adjustments.append(
            SuperbillLine(
                service_date=note.issue_date,
                cpt="",
                description=what,
                place_of_service="",
                units=Decimal(1),
                fee=note.total,
                paid=0,
                invoice_number=note.number or "",
            )
        )
    return adjustments


def _invoices_with_lines_of(session: Session, client_id: int) -> list[int]:
    billed = select(Invoice.id).where(col(Invoice.client_id) == client_id)
    attended = (
        select(InvoiceLine.invoice_id)
        .join(BillingItem, col(BillingItem.id) == InvoiceLine.item_id)
        .where(col(BillingItem.client_id) == client_id)
    )
    ids = {int(i) for i in session.execute(billed).scalars().all() if i is not None}
    ids |= {int(i) for i in session.execute(attended).scalars().all()}
    return sorted(ids)
