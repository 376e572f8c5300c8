"""Refunds of card payments: capped locally, keyed, and booked as a credit note.

A refund of 40.00 on a paid invoice issues a credit note naming it (+40.00 to
the client's credit) and pays that credit out (a refund entry of -40.00), so
the ledger tells the whole story and the balance is unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    CardRefund,
    CreditEntry,
    CreditKind,
    Invoice,
    Payment,
    PaymentMethod,
)
from cp_tui.money import format_money
from cp_tui.services import ledger, package_guards
from cp_tui.services.card_common import GatewayFactory, require_gateway
from cp_tui.services.catalogue import parse_price
from cp_tui.services.corrections import corrected_so_far, refuse_over_correction
from cp_tui.services.credits import issue_credit_note
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.gateway import GatewayUnavailable, Outcome, RefundResult
from cp_tui.services.invoice_reads import get_invoice, invoice_read
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.store import Database

LIVE_STATES = ("pending", "succeeded")


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    outcome: Outcome
    invoice: InvoiceRead
    credit_note: InvoiceRead | None
    message: str


class RefundService:
    def __init__(self, db: Database, clock: Clock, gateway: GatewayFactory) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway

    def refundable(self, number: str) -> int:
        """What a refund to the card may still return: card money not refunded yet, and
        no more than a credit note naming the invoice has left uncorrected."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            card_left = self._captured(session, invoice) - self._refunded(session, invoice)
            uncorrected = max(invoice.total - corrected_so_far(session, invoice), 0)
            return min(card_left, uncorrected)

    def refund(self, number: str, amount: str | Decimal | int, reason: str = "") -> RefundOutcome:
        gateway = require_gateway(self._gateway)
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            ledger.lock_client(session, invoice.client_id)
            value = parse_price(amount, invoice.currency)
            if value <= 0:
                raise InvalidInput("a refund must be more than 0")
            payment = self._card_payment(session, invoice)
            package_guards.refuse_credit_on_sale(session, invoice, "a card refund of")
            left = self._captured(session, invoice) - self._refunded(session, invoice)
            if value > left:
                raise NotAllowed(
                    f"at most {format_money(left, invoice.currency)} of {invoice.number}'s "
                    "card payments can still be refunded"
                )
            refuse_over_correction(session, invoice, value)
            row = CardRefund(
                invoice_id=invoice.id or 0,
                payment_id=payment.id or 0,
                idempotency_key=f"cp-tui-refund-{uuid.uuid4()}",
                amount=value,
                status="pending",
                reason=reason.strip()[:500],
                created_at=self._clock.now(),
            )
            session.add(row)
            session.flush()
            refund_id, intent = row.id or 0, payment.reference
            key = row.idempotency_key
        try:
            result = gateway.refund(intent_id=intent, amount=value, idempotency_key=key)
        except GatewayUnavailable as exc:
            result = RefundResult(Outcome.UNKNOWN, None, str(exc))
        return self._finish(refund_id, result)

    def _finish(self, refund_id: int, result: RefundResult) -> RefundOutcome:
        with self._db.write() as session:
            row = session.get(CardRefund, refund_id)
            assert row is not None
            invoice = session.get(Invoice, row.invoice_id)
            assert invoice is not None
            ledger.lock_client(session, invoice.client_id)
            row.refund_ref = result.refund_id or row.refund_ref
            note = None
            money = format_money(row.amount, invoice.currency)
            if result.outcome in (Outcome.SUCCEEDED, Outcome.PENDING):
                row.status = "succeeded" if result.outcome is Outcome.SUCCEEDED else "pending"
                note = issue_credit_note(
                    session,
                    self._clock,
                    client_id=invoice.client_id,
                    net=row.amount,
                    reason=row.reason or f"Refund to card of {invoice.number}",
                    rate=Decimal(0),
                    corrected=invoice,
                    apply_to_corrected=False,
                )
                session.add(
                    CreditEntry(
                        client_id=invoice.client_id,
                        amount=-row.amount,
                        kind=CreditKind.REFUND,
                        invoice_id=note.id,
                        payment_id=row.payment_id,
                        note=f"refunded to card ({invoice.number})",
                        created_at=self._clock.now(),
                    )
                )
                row.credit_note_id = note.id
                message = f"{money} refunded to the card; credit note {note.number} issued"
            elif result.outcome is Outcome.UNKNOWN:
                row.status = "unknown"
                message = f"the refund's outcome is unknown ({result.reason}); run `cp-tui sync`"
            else:
                row.status = "failed"
                message = f"Stripe refused the refund: {result.reason}"
            session.flush()
            return RefundOutcome(
                result.outcome,
                invoice_read(session, invoice),
                invoice_read(session, note) if note else None,
                message,
            )

    @staticmethod
    def _card_payment(session: Session, invoice: Invoice) -> Payment:
        payment = session.exec(
            select(Payment)
            .where(col(Payment.invoice_id) == invoice.id)
            .where(col(Payment.method) == PaymentMethod.CARD)
            .where(col(Payment.reference).like("pi_%"))
            .order_by(col(Payment.id).desc())
        ).first()
        if payment is None:
            raise NotAllowed(
                f"{invoice.number} has no card payment through Stripe to refund; "
                "for money paid by hand, issue a credit note (r)"
            )
        return payment

    @staticmethod
    def _captured(session: Session, invoice: Invoice) -> int:
        total = session.execute(
            select(func.coalesce(func.sum(Payment.amount), 0))
            .where(col(Payment.invoice_id) == invoice.id)
            .where(col(Payment.method) == PaymentMethod.CARD)
            .where(col(Payment.reference).like("pi_%"))
        ).scalar_one()
        return int(total)

    @staticmethod
    def _refunded(session: Session, invoice: Invoice) -> int:
        total = session.execute(
            select(func.coalesce(func.sum(CardRefund.amount), 0))
            .where(col(CardRefund.invoice_id) == invoice.id)
            .where(col(CardRefund.status).in_([*LIVE_STATES, "unknown"]))
        ).scalar_one()
        return int(total)
