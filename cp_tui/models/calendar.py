"""Appointments, their recurring series, attendees and billing details."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import NaiveDatetime
from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class Series(SQLModel, table=True):
    """A recurrence rule; its occurrences are stored as appointments."""

    __tablename__ = "series"

    id: int | None = Field(default=None, primary_key=True)
    repeat: str = Field(max_length=20)
    first_start: NaiveDatetime
    count: int | None = Field(default=None)
    until: date | None = Field(default=None)


class Appointment(SQLModel, table=True):
    __tablename__ = "appointment"

    id: int | None = Field(default=None, primary_key=True)
    # Wall-clock time at the practice: a 10:00 session stays at 10:00.
    start: NaiveDatetime = Field(index=True)
    duration_min: int = Field(default=50)
    status: str = Field(default="scheduled", max_length=20)
    series_id: int | None = Field(default=None, foreign_key="series.id", index=True)
    notes: str = Field(default="", max_length=2000)
    created_at: datetime


class Attendee(SQLModel, table=True):
    __tablename__ = "attendee"
    __table_args__ = (UniqueConstraint("appointment_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    position: int = Field(default=0)


class Charge(SQLModel, table=True):
    """What one attendee is billed for one service of one appointment."""

    __tablename__ = "charge"
    __table_args__ = (UniqueConstraint("appointment_id", "client_id", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    service_id: int = Field(foreign_key="service.id")
    units: Decimal = Field(sa_type=Scaled)
    unit_price: int = Field(sa_type=BigInteger)
    tax_rate: Decimal = Field(sa_type=Scaled)
