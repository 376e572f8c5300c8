"""Reconciliation without webhooks: look at Stripe, record what was paid, list the rest.

A terminal app has no public address for webhooks, so ``cp-tui sync`` (and a
worker while the TUI is open) polls: open charge attempts are settled, paid
links are recorded as payments, failed remote voids are retried, and a payment
Stripe has that cp-tui cannot match is listed for the user, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Invoice,
    Payment,
    PaymentAttempt,
    PaymentLink,
    PaymentMethod,
    UnmatchedPayment,
)
from cp_tui.money import format_money
from cp_tui.services import ledger
from cp_tui.services.card_common import GatewayFactory, require_gateway
from cp_tui.services.card_payments import ATTEMPT_KEY, CardPaymentService
from cp_tui.services.errors import NotAllowed
from cp_tui.services.gateway import GatewayUnavailable, PaymentGateway
from cp_tui.services.payment_links import PaymentLinkService
from cp_tui.services.payments import apply_payment
from cp_tui.store import Database


@dataclass(frozen=True, slots=True)
class UnmatchedRead:
    remote_ref: str
    amount: int
    currency: str
    detail: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    recorded: list[str] = field(default_factory=list)
    unmatched: list[UnmatchedRead] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SyncService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        gateway: GatewayFactory,
        charges: CardPaymentService,
        links: PaymentLinkService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._charges = charges
        self._links = links

    def sync(self) -> SyncReport:
        gateway = require_gateway(self._gateway)
        recorded: list[str] = []
        problems: list[str] = []
        try:
            for outcome in self._charges.reconcile_open():
                recorded.append(f"{outcome.invoice.number}: {outcome.message}")
        except NotAllowed as exc:
            problems.append(str(exc))
        try:
            recorded.extend(self._paid_links(gateway))
            self._retry_voids()
            self._find_unmatched(gateway)
        except GatewayUnavailable as exc:
            problems.append(f"{exc}; sync again later")
        return SyncReport(recorded, self.unmatched(), problems)

    def unmatched(self) -> list[UnmatchedRead]:
        with self._db.read() as session:
            rows = session.exec(
                select(UnmatchedPayment)
                .where(col(UnmatchedPayment.resolved).is_(False))
                .order_by(col(UnmatchedPayment.id))
            ).all()
            return [UnmatchedRead(r.remote_ref, r.amount, r.currency, r.detail) for r in rows]

    def _paid_links(self, gateway: PaymentGateway) -> list[str]:
        with self._db.read() as session:
            links = list(
                session.exec(
                    select(PaymentLink).where(col(PaymentLink.status).in_(["open", "void_pending"]))
                ).all()
            )
        recorded = []
        for link in links:
            remote = gateway.get_invoice(link.remote_ref)
            if remote.status != "paid" or remote.amount_paid <= 0:
                if remote.status == "void":
                    self._set_link(link.id or 0, "void")
                continue
            with self._db.write() as session:
                row = session.get(PaymentLink, link.id)
                invoice = session.get(Invoice, link.invoice_id)
                assert row is not None and invoice is not None
                if row.payment_id is not None:
                    continue
                ledger.lock_client(session, invoice.client_id)
                session.refresh(invoice)
                payment = apply_payment(
                    session,
                    self._clock,
                    invoice,
                    received=remote.amount_paid,
                    method=PaymentMethod.CARD,
                    reference=remote.payment_ref or f"link {remote.remote_id}",
                )
                row.payment_id = payment.id
                row.status = "paid"
                money = format_money(remote.amount_paid, invoice.currency)
                note = (
                    " (it was void: the money is the client's credit)"
                    if (invoice.status == "void")
                    else ""
                )
                recorded.append(f"{invoice.number}: {money} paid through the link{note}")
        return recorded

    def _set_link(self, link_id: int, status: str) -> None:
        with self._db.write() as session:
            row = session.get(PaymentLink, link_id)
            if row is not None:
                row.status = status

    def _retry_voids(self) -> None:
        with self._db.read() as session:
            pending = list(
                session.exec(
                    select(PaymentLink).where(col(PaymentLink.status) == "void_pending")
                ).all()
            )
        for link in pending:
            self._links._void_remote(link.id or 0)

    def _find_unmatched(self, gateway: PaymentGateway) -> None:
        with self._db.read() as session:
            attempts = {str(a.id): a for a in session.exec(select(PaymentAttempt)).all()}
            recorded = {ref for (ref,) in session.execute(select(Payment.reference)).all() if ref}
        for payment in gateway.recent_payments():
            if payment.status != "succeeded" or payment.intent_id in recorded:
                continue
            attempt = attempts.get(payment.metadata.get(ATTEMPT_KEY, ""))
            if attempt is not None and attempt.status == "succeeded":
                continue
            if attempt is not None:
                detail = f"charge attempt {attempt.id} is recorded as {attempt.status}"
            elif "cp_invoice" in payment.metadata:
                detail = "names an invoice but no charge attempt of this practice"
            else:
                detail = "a payment cp-tui did not start (made in the Stripe dashboard?)"
            self._remember(payment.intent_id, payment.amount, payment.currency, detail)

    def _remember(self, ref: str, amount: int, currency: str, detail: str) -> None:
        with self._db.write() as session:
            exists = session.exec(
                select(UnmatchedPayment.id).where(col(UnmatchedPayment.remote_ref) == ref)
            ).first()
            if exists is None:
                session.add(
                    UnmatchedPayment(
                        remote_ref=ref,
                        amount=amount,
                        currency=currency,
                        detail=detail,
                        seen_at=self._clock.now(),
                    )
                )
