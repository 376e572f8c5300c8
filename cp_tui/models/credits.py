"""The append-only credit ledger; a client's credit balance is its sum."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class CreditEntry(SQLModel, table=True):
    __tablename__ = "credit_entry"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    amount: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=20)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime
