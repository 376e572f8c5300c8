"""Billing items: what a client owes for, before it is on an invoice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class BillingItem(SQLModel, table=True):
    __tablename__ = "billing_item"
    # A batch run reads one month's items out of years of them (revision 0009).
    __table_args__ = (Index("ix_billing_item_date", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    # One item per charge: the unique key makes a second completion a no-op.
    charge_id: int | None = Field(default=None, foreign_key="charge.id", unique=True)
    service_id: int | None = Field(default=None, foreign_key="service.id")
    date: date
    description: str = Field(max_length=500)
    units: Decimal = Field(sa_type=Scaled)
    unit_price: int = Field(sa_type=BigInteger)
    tax_rate: Decimal = Field(sa_type=Scaled)
    created_at: datetime
    # Revision 0005: "no-show" or "late-cancel" for a fee item; None for every other item.
    fee_kind: str | None = Field(default=None, max_length=20)


class UninvoicedItem(SQLModel, table=True):
    """The items on no live invoice line, with their client.

    Kept by database triggers on ``billing_item`` and ``invoice_line`` (revision
    0010), so finding what is uninvoiced reads these few rows instead of testing
    300,000 items against 300,000 lines; ``cp-tui check`` compares the two.
    """

    __tablename__ = "uninvoiced_item"

    item_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    client_id: int = Field(index=True)
