"""Invoices and credit notes, and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class Invoice(SQLModel, table=True):
    __tablename__ = "invoice"
    # The Invoices screen pages a status filter newest first: with this index a
    # page of "paid" out of 200,000 reads 200 index entries instead of sorting
    # every paid invoice (revision 0002).
    # ix_invoice_client_balance answers one client's balance due, and pages a
    # search by client name newest first, from the index alone, without reading
    # thousands of invoice rows (revision 0010).
    __table_args__ = (
        Index("ix_invoice_kind_status_issue_date", "kind", "status", "issue_date"),
        Index(
            "ix_invoice_client_balance",
            "client_id",
            "kind",
            "status",
            "total",
            "credit_applied",
            "amount_paid",
            "issue_date",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=40, unique=True)
    kind: str = Field(default="invoice", max_length=20, index=True)
    status: str = Field(default="unpaid", max_length=20, index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    currency: str = Field(max_length=3)
    issue_date: date = Field(index=True)
    due_date: date
    subtotal: int = Field(default=0, sa_type=BigInteger)
    tax: int = Field(default=0, sa_type=BigInteger)
    total: int = Field(default=0, sa_type=BigInteger)
    credit_applied: int = Field(default=0, sa_type=BigInteger)
    amount_paid: int = Field(default=0, sa_type=BigInteger)
    corrects_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    reason: str = Field(default="", max_length=500)
    sent_at: datetime | None = Field(default=None)
    voided_at: datetime | None = Field(default=None)
    created_at: datetime


class InvoiceTally(SQLModel, table=True):
    """Count, total and amount due of the invoices of one kind and status.

    Kept by database triggers on ``invoice`` (revision 0010), so every change to
    an invoice, by any code path, moves its tally in the same transaction; the
    Invoices screen reads its totals here instead of summing 200,000 rows, and
    ``cp-tui check`` compares it with the invoices themselves.
    """

    __tablename__ = "invoice_tally"

    kind: str = Field(max_length=20, primary_key=True)
    status: str = Field(max_length=20, primary_key=True)
    count: int = Field(default=0)
    total: int = Field(default=0, sa_type=BigInteger)
    amount_due: int = Field(default=0, sa_type=BigInteger)


class InvoiceNumberPrefix(SQLModel, table=True):
    """Every prefix an invoice number has had ("INV-", "CN-"): the number less its digits.

    Kept by database triggers on ``invoice`` (revision 0010), never pruned. A
    searched word without digits can only be inside a number's prefix, so when
    no prefix here contains it the search skips reading 150,000 numbers.
    """

    __tablename__ = "invoice_number_prefix"

    prefix: str = Field(max_length=40, primary_key=True)


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int = Field(default=0)
    item_id: int | None = Field(default=None, foreign_key="billing_item.id", index=True)
    # The item while this line holds it, NULL once the invoice is void. UNIQUE
    # lets the database itself refuse one item on two live invoices.
    active_item_id: int | None = Field(default=None, foreign_key="billing_item.id", unique=True)
    service_date: date | None = Field(default=None)
    description: str = Field(max_length=500)
    units: Decimal = Field(sa_type=Scaled)
    unit_price: int = Field(sa_type=BigInteger)
    tax_rate: Decimal = Field(sa_type=Scaled)
    net: int = Field(sa_type=BigInteger)
    tax: int = Field(sa_type=BigInteger)
