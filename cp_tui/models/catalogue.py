"""The services catalogue: what the practice sells."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class Service(SQLModel, table=True):
    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    code: str = Field(default="", max_length=50)
    duration_min: int = Field(default=50)
    unit_price: int = Field(sa_type=BigInteger)
    tax_rate: Decimal = Field(default=Decimal(0), sa_type=Scaled)
    active: bool = Field(default=True)
    # CMS place-of-service code for superbills, e.g. 11 office, 10 telehealth at home.
    place_of_service: str = Field(default="", max_length=2)
    # Revision 0005: fees billed when a session is missed or cancelled late (minor units).
    no_show_fee: int | None = Field(default=None, sa_type=BigInteger)
    late_cancel_fee: int | None = Field(default=None, sa_type=BigInteger)
