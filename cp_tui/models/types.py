"""Column types shared by the tables.

Quantities and tax rates are exact decimals in Python and scaled integers in
the database (three decimal places), so SQLite and PostgreSQL store the same
exact value and no float ever touches money.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SCALE = 3
_FACTOR = Decimal(10) ** SCALE


class Scaled(TypeDecorator[Decimal]):
    """A ``Decimal`` with three decimal places, stored as an integer."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * _FACTOR
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {SCALE} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _FACTOR).normalize()


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no-show"


class Repeat(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially paid"
    PAID = "paid"
    VOID = "void"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"
    TRANSFER = "transfer"
    CARD = "card"


class CreditKind(StrEnum):
    """Why the credit balance moved; positive kinds add, negative kinds take."""

    CREDIT_NOTE = "credit_note"
    OVERPAYMENT = "overpayment"
    RESTORED = "restored"
    APPLIED = "applied"
    REFUND = "refund"
