"""The record of every document sent by e-mail: when, to whom, which version, outcome."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DocumentSend(SQLModel, table=True):
    """One attempt to e-mail one version of one document.

    ``document`` names it (``INV-0007``, ``receipt:12``, ``statement:4:2026-10-01:2026-10-31``)
    and ``version`` is a digest of everything it shows, so a retry of the same version
    finds the ``sent`` row and sends nothing, while a changed document is a new version.
    A ``pending`` row is written and committed before the server is contacted.
    """

    __tablename__ = "document_send"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(index=True)
    finished_at: datetime | None = Field(default=None)
    kind: str = Field(max_length=20)
    document: str = Field(max_length=120, index=True)
    version: str = Field(max_length=64)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    recipient: str = Field(max_length=200)
    subject: str = Field(default="", max_length=300)
    status: str = Field(default="pending", max_length=10)
    error: str = Field(default="", max_length=1000)
    message_id: str = Field(default="", max_length=200)
