"""Clients of the practice."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class Client(SQLModel, table=True):
    __tablename__ = "client"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    email: str = Field(default="", max_length=200, index=True)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=500)
    created_at: datetime
    archived_at: datetime | None = Field(default=None)
    # For superbills (revision 0003): date of birth and ICD-10 codes, comma-separated.
    date_of_birth: date | None = Field(default=None)
    diagnosis_codes: str = Field(default="", max_length=200)
    # Bumped by every money-changing use case: the UPDATE takes the client's row
    # lock (PostgreSQL) or the write lock (SQLite) before balances are read.
    lock_version: int = Field(default=0)
    # Revision 0005: offer to charge the saved card when a session is completed.
    charge_at_end: bool = Field(default=False)
