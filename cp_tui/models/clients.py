"""Clients of the practice."""

from __future__ import annotations

from datetime import datetime

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
    # Bumped by every money-changing use case: the UPDATE takes the client's row
    # lock (PostgreSQL) or the write lock (SQLite) before balances are read.
    lock_version: int = Field(default=0)
