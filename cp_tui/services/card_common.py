"""What the card services share: the gateway, customers, and Stripe's minimum charges."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from cp_tui.models import GatewayCustomer
from cp_tui.money import format_money
from cp_tui.services.errors import NotAllowed
from cp_tui.services.gateway import GatewayUnavailable, PaymentGateway
from cp_tui.services.secrets import NOT_CONNECTED
from cp_tui.store import Database

GatewayFactory = Callable[[], PaymentGateway | None]

# Stripe's minimum charge amounts, in minor units (docs.stripe.com/currencies).
MINIMUM_CHARGE: dict[str, int] = {
    "USD": 50,
    "EUR": 50,
    "GBP": 30,
    "AUD": 50,
    "NZD": 50,
    "CAD": 50,
    "CHF": 50,
    "SEK": 300,
    "NOK": 300,
    "DKK": 250,
    "SGD": 50,
    "HKD": 400,
    "JPY": 50,
}


def require_gateway(factory: GatewayFactory) -> PaymentGateway:
    gateway = factory()
    if gateway is None:
        raise NotAllowed(NOT_CONNECTED)
    return gateway


def check_minimum(amount: int, currency: str) -> None:
    minimum = MINIMUM_CHARGE.get(currency.upper(), 50)
    if amount < minimum:
        raise NotAllowed(
            f"{format_money(amount, currency)} is under Stripe's minimum charge of "
            f"{format_money(minimum, currency)}; record it by hand instead (m)"
        )


def customer_for(db: Database, gateway: PaymentGateway, client_id: int) -> str:
    """The client's Stripe customer, made on first need (opaque id only)."""
    with db.read() as session:
        row = session.get(GatewayCustomer, client_id)
        if row is not None:
            return row.customer_ref
    try:
        ref = gateway.ensure_customer(str(client_id), None)
    except GatewayUnavailable as exc:
        raise NotAllowed(f"{exc}; check the connection and try again") from exc
    with db.write() as session:
        existing = session.get(GatewayCustomer, client_id)
        if existing is not None:
            return existing.customer_ref
        session.add(GatewayCustomer(client_id=client_id, customer_ref=ref))
    return ref


def stored_customer(session: Session, client_id: int) -> str | None:
    row = session.get(GatewayCustomer, client_id)
    return row.customer_ref if row else None
