"""Plain read models returned by the services; never live database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SettingsRead:
    name: str
    address: str
    tax_id: str
    email: str
    phone: str
    currency: str
    default_tax_rate: Decimal
    payment_terms_days: int
    invoice_prefix: str
    credit_note_prefix: str


@dataclass(frozen=True, slots=True)
class ClientRead:
    id: int
    name: str
    email: str
    phone: str
    address: str
    archived: bool
    credit_balance: int
    balance_due: int
    uninvoiced_total: int


@dataclass(frozen=True, slots=True)
class ServiceRead:
    id: int
    name: str
    code: str
    duration_min: int
    unit_price: int
    tax_rate: Decimal
    active: bool


@dataclass(frozen=True, slots=True)
class ChargeRead:
    id: int
    client_id: int
    client_name: str
    service_id: int
    service_name: str
    units: Decimal
    unit_price: int
    tax_rate: Decimal
    item_id: int | None
    invoice_number: str | None


@dataclass(frozen=True, slots=True)
class AppointmentRead:
    id: int
    start: datetime
    duration_min: int
    status: str
    series_id: int | None
    client_ids: list[int]
    client_names: list[str]
    service_ids: list[int]
    service_names: list[str]
    uninvoiced_items: int
    invoiced_items: int
    charges: list[ChargeRead] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ItemRead:
    id: int
    client_id: int
    appointment_id: int | None
    service_id: int | None
    date: date
    description: str
    units: Decimal
    unit_price: int
    tax_rate: Decimal
    net: int
    tax: int
    total: int
    invoice_number: str | None


@dataclass(frozen=True, slots=True)
class GeneratedItems:
    appointment_id: int
    created: list[ItemRead]
    existing: list[ItemRead]
    message: str


@dataclass(frozen=True, slots=True)
class LineRead:
    item_id: int | None
    service_date: date | None
    description: str
    units: Decimal
    unit_price: int
    tax_rate: Decimal
    net: int
    tax: int
    total: int


@dataclass(frozen=True, slots=True)
class PaymentRead:
    id: int
    invoice_number: str
    method: str
    amount: int
    applied: int
    reference: str
    received_on: date


@dataclass(frozen=True, slots=True)
class InvoiceRead:
    id: int
    number: str
    kind: str
    status: str
    client_id: int
    client_name: str
    currency: str
    issue_date: date
    due_date: date
    lines: list[LineRead]
    subtotal: int
    tax: int
    total: int
    credit_applied: int
    amount_paid: int
    amount_due: int
    sent: bool
    corrects: str | None
    reason: str
    payments: list[PaymentRead] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class InvoiceSummary:
    """One row of the invoice list: no lines, no payments."""

    number: str
    kind: str
    status: str
    client_id: int
    client_name: str
    issue_date: date
    due_date: date
    total: int
    amount_due: int
    sent: bool


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    """How many invoices a filter shows, their total and what is still due on them."""

    count: int
    total: int
    amount_due: int


@dataclass(frozen=True, slots=True)
class CreditEntryRead:
    id: int
    amount: int
    kind: str
    invoice_number: str | None
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditRead:
    at: datetime
    action: str
    detail: str
    before: str
    after: str
