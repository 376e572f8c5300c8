"""SQLModel tables, one module per aggregate. Importing this registers them all."""

from sqlmodel import SQLModel

# Named constraints, so that Alembic can alter them later on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from cp_tui.models.audit import AuditEntry
from cp_tui.models.billing import BillingItem, UninvoicedItem
from cp_tui.models.calendar import Appointment, Attendee, Charge, Series
from cp_tui.models.cards import (
    CardRefund,
    CardSetupSession,
    GatewayCustomer,
    PaymentAttempt,
    PaymentLink,
    SavedCard,
    UnmatchedPayment,
)
from cp_tui.models.catalogue import Service
from cp_tui.models.clients import Client
from cp_tui.models.credits import CreditEntry
from cp_tui.models.documents import DocumentSend
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.models.invoices import Invoice, InvoiceLine, InvoiceNumberPrefix, InvoiceTally
from cp_tui.models.packages import Package, PackageCover, PackageUse
from cp_tui.models.payments import Payment
from cp_tui.models.practice import NumberSeries, PracticeSettings
from cp_tui.models.types import (
    AppointmentStatus,
    CreditKind,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    Repeat,
)

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "Attendee",
    "AuditEntry",
    "BillingItem",
    "CardRefund",
    "CardSetupSession",
    "Charge",
    "ClaimLine",
    "Client",
    "CreditEntry",
    "CreditKind",
    "DocumentSend",
    "GatewayCustomer",
    "InsurancePolicy",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceNumberPrefix",
    "InvoiceStatus",
    "InvoiceTally",
    "NumberSeries",
    "Package",
    "PackageCover",
    "PackageUse",
    "Payment",
    "PaymentAttempt",
    "PaymentLink",
    "PaymentMethod",
    "PracticeSettings",
    "Repeat",
    "SavedCard",
    "Series",
    "Service",
    "UninvoicedItem",
    "UnmatchedPayment",
]
