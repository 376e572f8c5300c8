"""End of session: a client's preference to have the saved card charged at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem, SavedCard, UninvoicedItem
from cp_tui.services import audit, ledger
from cp_tui.services.clients import get_client
from cp_tui.services.invoice_reads import get_invoice
from cp_tui.store import Database


@dataclass(frozen=True, slots=True)
class ChargeOffer:
    """What the one confirm shows: charge ``amount`` to ``card`` for ``number``."""

    number: str
    client_id: int
    client_name: str
    amount: int
    currency: str
    card: str


@dataclass(frozen=True, slots=True)
class SessionOffer:
    """Invoice ``item_ids`` (``amount`` in all) and charge it to ``card``: one confirm."""

    client_id: int
    client_name: str
    item_ids: list[int]
    amount: int
    currency: str
    card: str


class SessionChargeService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def charge_at_end(self, client_id: int) -> bool:
        with self._db.read() as session:
            return get_client(session, client_id).charge_at_end

    def set_charge_at_end(self, client_id: int, on: bool) -> bool:
        with self._db.write() as session:
            client = get_client(session, client_id)
            if client.charge_at_end != on:
                client.charge_at_end = on
                audit.record(
                    session,
                    self._clock,
                    "client.charge_at_end",
                    client_id=client_id,
                    detail="on" if on else "off",
                )
            return on

    def offer(self, number: str) -> ChargeOffer | None:
        """The charge to offer for a new invoice, if its client asked for one and has a card."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            client = get_client(session, invoice.client_id)
            card = session.get(SavedCard, invoice.client_id)
            due = ledger.amount_due(invoice)
            if not client.charge_at_end or card is None or due <= 0:
                return None
            return ChargeOffer(
                number=invoice.number or number,
                client_id=invoice.client_id,
                client_name=client.name,
                amount=due,
                currency=invoice.currency,
                card=f"{card.brand.title()} ···· {card.last4}",
            )

    def offer_for_session(self, appointment_id: int) -> SessionOffer | None:
        """What completing the session would invoice and charge, for a client who asked.

        Offered when the session's uninvoiced items all belong to one client whose
        preference is to be charged at the end of a session, who has a saved card,
        and when they come to more than nothing (a session a package covers does not).
        """
        with self._db.read() as session:
            items = session.exec(
                select(BillingItem)
                .join(UninvoicedItem, col(UninvoicedItem.item_id) == col(BillingItem.id))
                .where(col(BillingItem.appointment_id) == appointment_id)
                .order_by(col(BillingItem.id))
            ).all()
            clients = {item.client_id for item in items}
            if len(clients) != 1:
                return None
            client = get_client(session, clients.pop())
            card = session.get(SavedCard, client.id)
            amount = sum(ledger.item_total(item) for item in items)
            if not client.charge_at_end or card is None or amount <= 0:
                return None
            return SessionOffer(
                client_id=client.id or 0,
                client_name=client.name,
                item_ids=[item.id or 0 for item in items],
                amount=amount,
                currency=ledger.practice(session).currency,
                card=f"{card.brand.title()} ···· {card.last4}",
            )
