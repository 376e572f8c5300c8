"""Session packages: N sessions of chosen services sold up front, drawn one by one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel


class Package(SQLModel, table=True):
    """A package sold to a client. Its price is billed once, on the sale's invoice."""

    __tablename__ = "package"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    name: str = Field(max_length=200)
    sessions: int
    # What the whole package costs before tax, and the tax rate it was sold at.
    price: int = Field(sa_type=BigInteger)
    # The billing item of the sale (on the up-front invoice).
    sale_item_id: int = Field(foreign_key="billing_item.id", unique=True)
    expires_on: date | None = Field(default=None)
    # Sessions given back by a refund; they can no longer be drawn.
    refunded_sessions: int = Field(default=0)
    refund_note_id: int | None = Field(default=None, foreign_key="invoice.id")
    created_at: datetime


class PackageCover(SQLModel, table=True):
    """A service whose sessions the package covers."""

    __tablename__ = "package_cover"
    __table_args__ = (UniqueConstraint("package_id", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="package.id", index=True)
    service_id: int = Field(foreign_key="service.id")


class PackageUse(SQLModel, table=True):
    """One session drawn: the billing item it covered (priced 0) and its place in the package.

    ``(package_id, seq)`` is unique, so two terminals can never both draw the last
    session; ``item_id`` is unique, so an item is covered at most once.
    """

    __tablename__ = "package_use"
    __table_args__ = (UniqueConstraint("package_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="package.id", index=True)
    seq: int
    item_id: int = Field(foreign_key="billing_item.id", unique=True)
    # What the item would have cost (net, before tax), kept for the record.
    covered_price: int = Field(sa_type=BigInteger)
    created_at: datetime
