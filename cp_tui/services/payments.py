"""Payments recorded by hand: cash, cheque, transfer, or a card taken elsewhere."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from cp_tui.clock import Clock
from cp_tui.models import CreditEntry, CreditKind, Invoice, InvoiceKind, InvoiceStatus, Payment
from cp_tui.models.types import PaymentMethod
from cp_tui.money import format_money
from cp_tui.services import audit, ledger
from cp_tui.services.catalogue import parse_price
from cp_tui.services.drafts import require_issued
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.invoice_reads import get_invoice, invoice_read, snapshot
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.services.textfields import check_length, check_year
from cp_tui.store import Database


def parse_method(method: str) -> PaymentMethod:
    try:
        return PaymentMethod(method.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in PaymentMethod)
        raise InvalidInput(f"--method is one of {choices}; got {method!r}") from None


class PaymentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def record(
        self,
        number: str,
        *,
        amount: str | Decimal | int,
        method: str,
        reference: str = "",
        received_on: date | None = None,
    ) -> InvoiceRead:
        """Record money received; any excess over the amount due becomes credit."""
        kind = parse_method(method)
        if received_on is not None:
            check_year(received_on, "the date")
        reference = check_length(reference, "a payment's reference", 200)
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            self._require_payable(invoice)
            received = parse_price(amount, invoice.currency)
            if received <= 0:
                raise InvalidInput("a payment must be more than 0")
            apply_payment(
                session,
                self._clock,
                invoice,
                received=received,
                method=kind,
                reference=reference,
                received_on=received_on,
            )
            return invoice_read(session, invoice)

    @staticmethod
    def _require_payable(invoice: Invoice) -> None:
        require_issued(invoice, "record a payment")
        if invoice.kind != InvoiceKind.INVOICE:
            raise NotAllowed(f"{invoice.number} is a credit note; nothing is paid on it")
        if invoice.status == InvoiceStatus.VOID:
            raise NotAllowed(f"{invoice.number} is void; nothing is due on it")
        if ledger.amount_due(invoice) <= 0:
            raise NotAllowed(f"{invoice.number} is paid in full; nothing is due on it")


def apply_payment(
    session: Session,
    clock: Clock,
    invoice: Invoice,
    *,
    received: int,
    method: PaymentMethod,
    reference: str = "",
    received_on: date | None = None,
) -> Payment:
    """Settle an invoice with money received, inside the caller's transaction.

    What exceeds the amount due (an overpayment, or money for an invoice that was
    settled meanwhile) goes to the client's credit ledger, never lost.
    """
    before = snapshot(session, invoice)
    applied = max(0, min(received, ledger.amount_due(invoice)))
    payment = Payment(
        invoice_id=invoice.id or 0,
        client_id=invoice.client_id,
        method=method,
        amount=received,
        applied=applied,
        reference=reference.strip(),
        received_on=received_on or clock.today(),
        created_at=clock.now(),
    )
    session.add(payment)
    session.flush()
    invoice.amount_paid += applied
    if received > applied:
        session.add(
            CreditEntry(
                client_id=invoice.client_id,
                amount=received - applied,
                kind=CreditKind.OVERPAYMENT,
                invoice_id=invoice.id,
                payment_id=payment.id,
                note=f"overpayment on {invoice.number}",
                created_at=clock.now(),
            )
        )
    ledger.settle_status(invoice)
    audit.record(
        session,
        clock,
        "payment.record",
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        detail=f"{method.value} {format_money(received, invoice.currency)}"
        + (f" ref {reference.strip()}" if reference.strip() else ""),
        before=before,
        after=snapshot(session, invoice),
    )
    return payment
