"""What cp-tui needs from a card processor, in cp-tui's own words.

Services talk to a ``PaymentGateway``; the Stripe adapter implements it and is
the only module that imports stripe. Every outcome comes back as one of
cp-tui's result types, never as a processor's exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    NEEDS_CLIENT = "needs_client"
    PENDING = "pending"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    outcome: Outcome
    intent_id: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CardSetup:
    session_id: str
    url: str


@dataclass(frozen=True, slots=True)
class CardDetails:
    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class RemoteInvoice:
    remote_id: str
    url: str
    status: str  # open, paid, void
    amount_due: int
    amount_paid: int
    payment_ref: str | None = None


@dataclass(frozen=True, slots=True)
class RemotePayment:
    intent_id: str
    amount: int
    currency: str
    status: str
    metadata: dict[str, str] = field(default_factory=dict)
    customer: str | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    outcome: Outcome
    refund_id: str | None = None
    reason: str = ""


class GatewayUnavailable(Exception):
    """The processor could not be reached, or its answer could not be read."""


class PaymentGateway(Protocol):
    def ensure_customer(self, client_ref: str, existing: str | None) -> str: ...

    def start_card_setup(self, customer: str, return_url: str) -> CardSetup: ...

    def finished_card_setup(self, session_id: str) -> CardDetails | None: ...

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> ChargeResult: ...

    def find_payments(self, metadata_key: str, metadata_value: str) -> list[RemotePayment]: ...

    def recent_payments(self, limit: int = 100) -> list[RemotePayment]: ...

    def create_invoice_link(
        self,
        *,
        customer: str,
        amount: int,
        currency: str,
        label: str,
        days_until_due: int,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> RemoteInvoice: ...

    def get_invoice(self, remote_id: str) -> RemoteInvoice: ...

    def send_invoice(self, remote_id: str) -> None: ...

    def void_invoice(self, remote_id: str) -> None: ...

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> RefundResult: ...
