"""Payments received against invoices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Payment(SQLModel, table=True):
    __tablename__ = "payment"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    method: str = Field(max_length=20)
    # What the client handed over; ``applied`` of it settles the invoice and the
    # rest (an overpayment) goes to the credit ledger.
    amount: int = Field(sa_type=BigInteger)
    applied: int = Field(sa_type=BigInteger)
    reference: str = Field(default="", max_length=200)
    received_on: date
    created_at: datetime
