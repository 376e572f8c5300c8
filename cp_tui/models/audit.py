"""The audit trail: one row for every change of money state."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    action: str = Field(max_length=40)
    client_id: int | None = Field(default=None, index=True)
    invoice_id: int | None = Field(default=None, index=True)
    detail: str = Field(default="", max_length=500)
    before: str = Field(default="")
    after: str = Field(default="")
