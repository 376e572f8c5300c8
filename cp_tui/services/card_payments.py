"""Pay now: charge the saved card off-session, and never twice.

1. In one transaction an attempt row with a fresh idempotency key is committed.
   Its ``open_invoice_id`` is unique, so a second terminal cannot start another.
2. Stripe is called with that key; network failures are retried with the same key.
3. The outcome is written in a second transaction. If the process dies between
   Stripe's success and this commit, the attempt stays open and the next charge
   (or ``sync``) looks the payment up by the attempt's metadata before anything
   new is tried.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentAttempt,
    PaymentMethod,
    SavedCard,
)
from cp_tui.money import format_money
from cp_tui.services import ledger
from cp_tui.services.card_common import (
    GatewayFactory,
    check_minimum,
    customer_for,
    require_gateway,
)
from cp_tui.services.drafts import require_issued
from cp_tui.services.errors import NotAllowed
from cp_tui.services.gateway import ChargeResult, GatewayUnavailable, Outcome, PaymentGateway
from cp_tui.services.invoice_reads import get_invoice, invoice_read
from cp_tui.services.payments import apply_payment
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.store import Database

OPEN_STATES = ("pending", "unknown")
# Longer than a charge can take with its retries (3 tries of 20 s).
IN_FLIGHT = timedelta(minutes=2)
ATTEMPT_KEY = "cp_attempt"


@dataclass(frozen=True, slots=True)
class ChargeOutcome:
    """What Pay now did: the invoice as it stands, and a sentence for the user."""

    outcome: Outcome
    invoice: InvoiceRead
    message: str
    attempt_id: int | None = None


class CardPaymentService:
    def __init__(self, db: Database, clock: Clock, gateway: GatewayFactory) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._receipts: Callable[[int], str] | None = None

    def send_receipts_with(self, sender: Callable[[int], str]) -> None:
        """After a successful charge, ``sender(payment_id)`` e-mails the receipt and
        returns a few words for the user (empty when there is no mail server)."""
        self._receipts = sender

    def available(self) -> bool:
        """Whether Stripe is connected (a key is configured)."""
        return self._gateway() is not None

    def charge(self, number: str) -> ChargeOutcome:
        """Charge the invoice's amount due to the client's saved card."""
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            open_attempt = self._open_attempt(session, invoice.id or 0)
        if open_attempt is not None:
            earlier = self._reconcile(gateway, open_attempt)
            if earlier.outcome is not Outcome.DECLINED:
                return earlier  # it went through (or is still under way): no new charge
        attempt_id, customer, card = self._begin(number, gateway)
        with self._db.read() as session:
            attempt = session.get(PaymentAttempt, attempt_id)
            assert attempt is not None
        try:
            result = gateway.charge(
                customer=customer,
                payment_method=card,
                amount=attempt.amount,
                currency=attempt.currency,
                idempotency_key=attempt.idempotency_key,
                metadata={ATTEMPT_KEY: str(attempt_id), "cp_invoice": str(attempt.invoice_id)},
            )
        except GatewayUnavailable as exc:
            result = ChargeResult(Outcome.UNKNOWN, None, str(exc))
        return self._with_receipt(self._finish(attempt_id, result))

    def _with_receipt(self, outcome: ChargeOutcome) -> ChargeOutcome:
        if outcome.outcome is not Outcome.SUCCEEDED or self._receipts is None:
            return outcome
        with self._db.read() as session:
            attempt = session.get(PaymentAttempt, outcome.attempt_id)
            payment_id = attempt.payment_id if attempt else None
        if payment_id is None:
            return outcome
        note = self._receipts(payment_id)
        return replace(outcome, message=outcome.message + note)

    def reconcile_open(self) -> list[ChargeOutcome]:
        """Settle every attempt whose outcome was never recorded (after a crash)."""
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            attempts = list(
                session.exec(
                    select(PaymentAttempt).where(col(PaymentAttempt.status).in_(OPEN_STATES))
                ).all()
            )
        return [self._reconcile(gateway, attempt) for attempt in attempts]

    # -- steps ------------------------------------------------------------------------

    def _begin(self, number: str, gateway: PaymentGateway) -> tuple[int, str, str]:
        """Check everything locally, then commit the attempt before any charge."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            client_id = invoice.client_id
        customer = customer_for(self._db, gateway, client_id)
        try:
            with self._db.write() as session:
                invoice = get_invoice(session, number)
                ledger.lock_client(session, invoice.client_id)
                session.refresh(invoice)
                self._require_chargeable(session, invoice)
                card = session.get(SavedCard, invoice.client_id)
                if card is None:
                    raise NotAllowed(
                        "the client has no saved card: save one with `cp-tui cards setup "
                        f"{invoice.client_id}`, or send the payment link instead (l)"
                    )
                now = self._clock.now()
                attempt = PaymentAttempt(
                    invoice_id=invoice.id or 0,
                    client_id=invoice.client_id,
                    idempotency_key=f"cp-tui-charge-{uuid.uuid4()}",
                    amount=ledger.amount_due(invoice),
                    currency=invoice.currency,
                    status="pending",
                    open_invoice_id=invoice.id,
                    created_at=now,
                    updated_at=now,
                )
                session.add(attempt)
                session.flush()
                return attempt.id or 0, customer, card.payment_method_ref
        except IntegrityError as exc:
            raise NotAllowed(
                f"{number} is being charged already (another window?); wait a moment, "
                "then run `cp-tui sync`"
            ) from exc

    def _finish(self, attempt_id: int, result: ChargeResult) -> ChargeOutcome:
        with self._db.write() as session:
            attempt = session.get(PaymentAttempt, attempt_id)
            assert attempt is not None
            invoice = session.get(Invoice, attempt.invoice_id)
            assert invoice is not None
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            if attempt.status == "succeeded":
                # Recorded already (by sync, or the other window): never twice.
                read = invoice_read(session, invoice)
                return ChargeOutcome(Outcome.SUCCEEDED, read, "charged already", attempt_id)
            attempt.intent_ref = result.intent_id or attempt.intent_ref
            attempt.reason = result.reason[:500]
            attempt.updated_at = self._clock.now()
            amount = format_money(attempt.amount, attempt.currency)
            if result.outcome is Outcome.SUCCEEDED:
                self._record_success(session, attempt, invoice)
                message = f"{amount} charged to the saved card; {invoice.number} is paid"
            elif result.outcome in (Outcome.DECLINED, Outcome.NEEDS_CLIENT):
                attempt.status = (
                    "declined" if result.outcome is Outcome.DECLINED else "needs_client"
                )
                attempt.open_invoice_id = None
                message = (
                    f"the card was not charged: {result.reason or 'declined'}. "
                    "Send the payment link instead (l or s)"
                )
            elif result.outcome is Outcome.PENDING:
                attempt.status = "pending"
                message = f"{amount} is processing at the bank; `cp-tui sync` records it"
            else:
                attempt.status = "unknown"
                message = (
                    f"the outcome of the charge is unknown ({result.reason}); nothing will be "
                    "charged again until `cp-tui sync` has looked it up"
                )
            return ChargeOutcome(
                result.outcome, invoice_read(session, invoice), message, attempt_id
            )

    def _record_success(self, session: Session, attempt: PaymentAttempt, invoice: Invoice) -> None:
        attempt.status = "succeeded"
        payment = apply_payment(
            session,
            self._clock,
            invoice,
            received=attempt.amount,
            method=PaymentMethod.CARD,
            reference=attempt.intent_ref or "",
        )
        attempt.payment_id = payment.id

    def _reconcile(self, gateway: PaymentGateway, attempt: PaymentAttempt) -> ChargeOutcome:
        """Look up an attempt whose outcome was never recorded, and record it."""
        try:
            found = gateway.find_payments(ATTEMPT_KEY, str(attempt.id))
        except GatewayUnavailable as exc:
            raise NotAllowed(
                f"an earlier charge of this invoice has an unknown outcome and {exc}; "
                "nothing was charged again"
            ) from exc
        succeeded = [p for p in found if p.status == "succeeded"]
        pending = [p for p in found if p.status in ("processing", "requires_capture")]
        if succeeded:
            result = ChargeResult(Outcome.SUCCEEDED, succeeded[0].intent_id)
        elif pending:
            result = ChargeResult(Outcome.PENDING, pending[0].intent_id)
        elif found:
            result = ChargeResult(Outcome.DECLINED, found[0].intent_id, "declined earlier")
        elif self._clock.now() - _aware(attempt.created_at) < IN_FLIGHT:
            # Nothing at Stripe yet, but it may still be on its way from another window.
            raise NotAllowed(
                "this invoice is being charged right now (another window?); "
                "try again in a minute, or run `cp-tui sync`"
            )
        else:
            # Stripe never saw it: the attempt is closed and a new one may start.
            result = ChargeResult(Outcome.DECLINED, None, "never reached Stripe")
        return self._finish(attempt.id or 0, result)

    # -- checks ----------------------------------------------------------------------------

    @staticmethod
    def _open_attempt(session: Session, invoice_id: int) -> PaymentAttempt | None:
        return session.exec(
            select(PaymentAttempt)
            .where(col(PaymentAttempt.invoice_id) == invoice_id)
            .where(col(PaymentAttempt.status).in_(OPEN_STATES))
        ).first()

    @staticmethod
    def _require_chargeable(session: Session, invoice: Invoice) -> None:
        require_issued(invoice, "charge it")
        if invoice.kind != InvoiceKind.INVOICE:
            raise NotAllowed(f"{invoice.number} is a credit note; nothing is charged on it")
        if invoice.status == InvoiceStatus.VOID:
            raise NotAllowed(f"{invoice.number} is void; nothing is charged on it")
        due = ledger.amount_due(invoice)
        if due <= 0:
            raise NotAllowed(f"nothing is due on {invoice.number}; there is nothing to charge")
        done = session.exec(
            select(PaymentAttempt.id)
            .where(col(PaymentAttempt.invoice_id) == invoice.id)
            .where(col(PaymentAttempt.status) == "succeeded")
            .where(col(PaymentAttempt.open_invoice_id).is_not(None))
        ).first()
        if done is not None:
            raise NotAllowed(f"{invoice.number} was charged already; it is not charged twice")
        check_minimum(due, invoice.currency)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL hands back aware times."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
