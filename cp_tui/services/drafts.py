"""Draft invoices: prepared, checked, then issued (numbered) or discarded.

A draft holds its items (no other invoice can take them) but has no number and
asks for no money; issuing takes the next number inside the issuing
transaction, so numbers stay gap-free whatever happens to drafts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from cp_tui.services import audit, ledger
from cp_tui.services.errors import NotAllowed
from cp_tui.services.invoice_reads import get_invoice, invoice_read, reference, snapshot
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.store import Database


def require_issued(invoice: Invoice, doing: str) -> None:
    if invoice.status == InvoiceStatus.DRAFT:
        raise NotAllowed(
            f"{reference(invoice)} is a draft; issue it first "
            f"(`cp-tui invoices issue {reference(invoice)}`) before you {doing}"
        )


class DraftService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def issue(self, ref: str, *, apply_credit: bool = False) -> InvoiceRead:
        with self._db.write() as session:
            invoice = get_invoice(session, ref)
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            if invoice.status != InvoiceStatus.DRAFT:
                raise NotAllowed(f"{reference(invoice)} is issued already")
            settings = ledger.practice(session)
            invoice.number = ledger.format_number(
                settings.invoice_prefix, ledger.next_number(session, InvoiceKind.INVOICE)
            )
            today = self._clock.today()
            invoice.issue_date = today
            invoice.due_date = today + timedelta(days=settings.payment_terms_days)
            invoice.status = InvoiceStatus.UNPAID
            if apply_credit:
                balance = ledger.credit_balance(session, invoice.client_id)
                ledger.take_credit(session, invoice, balance, self._clock.now())
            ledger.settle_status(invoice)
            audit.record(
                session,
                self._clock,
                "invoice.issue",
                client_id=invoice.client_id,
                invoice_id=invoice.id,
                detail=invoice.number,
                after=snapshot(session, invoice),
            )
            return invoice_read(session, invoice)

    def discard(self, ref: str) -> None:
        """Throw a draft away; its items go back to uninvoiced. No number was used."""
        with self._db.write() as session:
            invoice = get_invoice(session, ref)
            if invoice.status != InvoiceStatus.DRAFT:
                raise NotAllowed(
                    f"{reference(invoice)} is issued; void it or correct it by a credit note"
                )
            before = snapshot(session, invoice)
            for line in session.exec(
                select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id)
            ).all():
                session.delete(line)
            session.flush()
            audit.record(
                session,
                self._clock,
                "invoice.discard_draft",
                client_id=invoice.client_id,
                invoice_id=None,
                detail=reference(invoice),
                before=before,
            )
            session.delete(invoice)
