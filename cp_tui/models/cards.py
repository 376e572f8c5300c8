"""Cards on file, charge attempts, payment links and refunds (Stripe's side of things).

Only what cp-tui needs is kept: a payment method id, brand, last four digits
and expiry; never a card number. The secret key is never stored here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class GatewayCustomer(SQLModel, table=True):
    __tablename__ = "gateway_customer"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    customer_ref: str = Field(max_length=100, unique=True)


class SavedCard(SQLModel, table=True):
    __tablename__ = "saved_card"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    payment_method_ref: str = Field(max_length=100)
    brand: str = Field(max_length=30)
    last4: str = Field(max_length=4)
    exp_month: int
    exp_year: int
    saved_at: datetime


class CardSetupSession(SQLModel, table=True):
    __tablename__ = "card_setup_session"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    session_ref: str = Field(max_length=200, unique=True)
    url: str = Field(max_length=2000)
    status: str = Field(default="open", max_length=20)
    created_at: datetime


class PaymentAttempt(SQLModel, table=True):
    """One off-session charge, committed with its idempotency key before Stripe is called."""

    __tablename__ = "payment_attempt"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    idempotency_key: str = Field(max_length=255, unique=True)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    status: str = Field(max_length=20)
    # The invoice while this attempt is in flight, unknown or succeeded; NULL once it
    # failed. UNIQUE: two terminals can never both charge one invoice.
    open_invoice_id: int | None = Field(default=None, foreign_key="invoice.id", unique=True)
    intent_ref: str | None = Field(default=None, max_length=100)
    reason: str = Field(default="", max_length=500)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    created_at: datetime
    updated_at: datetime


class PaymentLink(SQLModel, table=True):
    """The remote invoice whose hosted page lets the client pay a local invoice."""

    __tablename__ = "payment_link"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    remote_ref: str = Field(max_length=100, unique=True)
    url: str = Field(max_length=2000)
    amount: int = Field(sa_type=BigInteger)
    status: str = Field(default="open", max_length=20)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    created_at: datetime


class CardRefund(SQLModel, table=True):
    __tablename__ = "card_refund"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    payment_id: int = Field(foreign_key="payment.id")
    idempotency_key: str = Field(max_length=255, unique=True)
    amount: int = Field(sa_type=BigInteger)
    status: str = Field(max_length=20)
    refund_ref: str | None = Field(default=None, max_length=100)
    credit_note_id: int | None = Field(default=None, foreign_key="invoice.id")
    reason: str = Field(default="", max_length=500)
    created_at: datetime


class UnmatchedPayment(SQLModel, table=True):
    """A payment Stripe has that cp-tui cannot match: listed for the user, never guessed."""

    __tablename__ = "unmatched_payment"

    id: int | None = Field(default=None, primary_key=True)
    remote_ref: str = Field(max_length=100, unique=True)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    detail: str = Field(default="", max_length=500)
    seen_at: datetime
    resolved: bool = Field(default=False)
