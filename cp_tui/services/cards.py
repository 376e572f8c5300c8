"""Cards on file: saved through Stripe's hosted page, never typed into cp-tui."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import CardSetupSession, SavedCard
from cp_tui.services.card_common import GatewayFactory, customer_for, require_gateway
from cp_tui.services.clients import get_client
from cp_tui.services.errors import NotAllowed
from cp_tui.services.gateway import CardDetails, GatewayUnavailable
from cp_tui.store import Database

RETURN_URL = "https://cp-tui.invalid/card-saved"


@dataclass(frozen=True, slots=True)
class CardRead:
    client_id: int
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        expiry = f"{self.exp_month:02d}/{self.exp_year % 100:02d}"
        return f"{self.brand.title()} ···· {self.last4}  {expiry}"


@dataclass(frozen=True, slots=True)
class SetupLinkRead:
    client_id: int
    url: str
    session_ref: str


class CardService:
    def __init__(self, db: Database, clock: Clock, gateway: GatewayFactory) -> None:
        self._db = db
        self._clock = clock
        self._gateway = gateway

    def card(self, client_id: int) -> CardRead | None:
        with self._db.read() as session:
            get_client(session, client_id)
            row = session.get(SavedCard, client_id)
            return _card_read(row) if row else None

    def setup_link(self, client_id: int) -> SetupLinkRead:
        """A Stripe-hosted page where the client saves a card (show it as text or QR)."""
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            get_client(session, client_id)
        customer = customer_for(self._db, gateway, client_id)
        try:
            setup = gateway.start_card_setup(customer, RETURN_URL)
        except GatewayUnavailable as exc:
            raise NotAllowed(f"{exc}; try again") from exc
        with self._db.write() as session:
            session.add(
                CardSetupSession(
                    client_id=client_id,
                    session_ref=setup.session_id,
                    url=setup.url,
                    created_at=self._clock.now(),
                )
            )
        return SetupLinkRead(client_id, setup.url, setup.session_id)

    def poll_setup(self, client_id: int) -> CardRead | None:
        """Check the client's open setup pages; keep the card once one is complete."""
        gateway = require_gateway(self._gateway)
        with self._db.read() as session:
            sessions = list(
                session.exec(
                    select(CardSetupSession)
                    .where(col(CardSetupSession.client_id) == client_id)
                    .where(col(CardSetupSession.status) == "open")
                    .order_by(col(CardSetupSession.id).desc())
                ).all()
            )
        for setup in sessions:
            try:
                details = gateway.finished_card_setup(setup.session_ref)
            except GatewayUnavailable:
                return None
            if details is not None:
                return self._keep(client_id, details, setup.id)
        return None

    def keep_card(self, client_id: int, details: CardDetails) -> CardRead:
        return self._keep(client_id, details, None)

    def _keep(self, client_id: int, details: CardDetails, setup_id: int | None) -> CardRead:
        with self._db.write() as session:
            row = session.get(SavedCard, client_id)
            if row is None:
                row = SavedCard(
                    client_id=client_id,
                    payment_method_ref=details.payment_method_id,
                    brand=details.brand,
                    last4=details.last4,
                    exp_month=details.exp_month,
                    exp_year=details.exp_year,
                    saved_at=self._clock.now(),
                )
                session.add(row)
            else:
                row.payment_method_ref = details.payment_method_id
                row.brand, row.last4 = details.brand, details.last4
                row.exp_month, row.exp_year = details.exp_month, details.exp_year
                row.saved_at = self._clock.now()
            if setup_id is not None:
                setup = session.get(CardSetupSession, setup_id)
                if setup is not None:
                    setup.status = "complete"
            session.flush()
            return _card_read(row)


def _card_read(row: SavedCard) -> CardRead:
    return CardRead(row.client_id, row.brand, row.last4, row.exp_month, row.exp_year)
