"""Payment links: a Stripe-hosted invoice that mirrors the local one to the cent.

The link stays payable until the invoice is paid or voided; ``sync`` picks up
what was paid through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import Invoice, InvoiceKind, InvoiceStatus, PaymentLink
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
from cp_tui.services.gateway import GatewayUnavailable
from cp_tui.services.invoice_reads import get_invoice, invoice_read
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.store import Database


@dataclass(frozen=True, slots=True)
class LinkRead:
    number: str
    url: str
    amount: int
    currency: str
    message: str  # ready to paste into an SMS or a chat


class PaymentLinkService:
    def __init__(self, db: Database, clock: Clock, gateway: GatewayFactory) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway

    def link(self, number: str) -> LinkRead:
        """The link for the amount due now; made (or remade) on first need."""
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            self._require_open(invoice)
            due = ledger.amount_due(invoice)
            check_minimum(due, invoice.currency)
            practice = ledger.practice(session).name
            links = list(
                session.exec(
                    select(PaymentLink)
                    .where(col(PaymentLink.invoice_id) == invoice.id)
                    .order_by(col(PaymentLink.id))
                ).all()
            )
        current = next((ln for ln in links if ln.status == "open" and ln.amount == due), None)
        if current is None:
            for stale in (ln for ln in links if ln.status == "open"):
                self._void_remote(stale.id or 0)
            customer = customer_for(self._db, gateway, invoice.client_id)
            try:
                remote = gateway.create_invoice_link(
                    customer=customer,
                    amount=due,
                    currency=invoice.currency,
                    label=f"Invoice {invoice.number}",
                    days_until_due=max((invoice.due_date - self._clock.today()).days, 1),
                    idempotency_key=f"cp-tui-link-{invoice.id}-{due}-{len(links)}",
                    metadata={"cp_invoice": str(invoice.id)},
                )
            except GatewayUnavailable as exc:
                raise NotAllowed(f"{exc}; try again") from exc
            with self._db.write() as session:
                current = PaymentLink(
                    invoice_id=invoice.id or 0,
                    remote_ref=remote.remote_id,
                    url=remote.url,
                    amount=due,
                    created_at=self._clock.now(),
                )
                session.add(current)
        amount = format_money(due, invoice.currency)
        message = (
            f"{practice}: invoice {invoice.number}, {amount} due by "
            f"{invoice.due_date:%d %b %Y}. Pay securely here: {current.url}"
        )
        return LinkRead(invoice.number or "", current.url, due, invoice.currency, message)

    def send(self, number: str) -> InvoiceRead:
        """Stripe e-mails the client the invoice with its link; it then counts as sent."""
        link = self.link(number)
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            row = session.exec(select(PaymentLink).where(col(PaymentLink.url) == link.url)).first()
            assert row is not None
        try:
            gateway.send_invoice(row.remote_ref)
        except GatewayUnavailable as exc:
            raise NotAllowed(f"{exc}; the invoice was not sent") from exc
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            if invoice.sent_at is None:
                invoice.sent_at = self._clock.now()
            return invoice_read(session, invoice)

    def after_void(self, number: str) -> int:
        """Void the remote invoices of a voided local one; what fails is retried by sync."""
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            links = list(
                session.exec(
                    select(PaymentLink)
                    .where(col(PaymentLink.invoice_id) == invoice.id)
                    .where(col(PaymentLink.status) == "open")
                ).all()
            )
            for link in links:
                link.status = "void_pending"
        if self._gateway() is None:
            return len(links)
        for link in links:
            self._void_remote(link.id or 0)
        return len(links)

    def _void_remote(self, link_id: int) -> bool:
        gateway = self._gateway()
        with self._db.read() as session:
            link = session.get(PaymentLink, link_id)
            assert link is not None
        if gateway is None:
            return False
        try:
            gateway.void_invoice(link.remote_ref)
        except GatewayUnavailable:
            with self._db.write() as session:
                row = session.get(PaymentLink, link_id)
                if row is not None and row.status == "open":
                    row.status = "void_pending"
            return False
        with self._db.write() as session:
            row = session.get(PaymentLink, link_id)
            if row is not None:
                row.status = "void"
        return True

    @staticmethod
    def _require_open(invoice: Invoice) -> None:
        require_issued(invoice, "make its payment link")
        if invoice.kind != InvoiceKind.INVOICE:
            raise NotAllowed(f"{invoice.number} is a credit note; it has no payment link")
        if invoice.status == InvoiceStatus.VOID:
            raise NotAllowed(f"{invoice.number} is void; it has no payment link")
        if ledger.amount_due(invoice) <= 0:
            raise NotAllowed(f"{invoice.number} is paid; there is nothing to pay by link")
