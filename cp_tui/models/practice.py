"""The practice's own settings and the gap-free number series."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class PracticeSettings(SQLModel, table=True):
    __tablename__ = "practice_settings"

    id: int = Field(default=1, primary_key=True)
    name: str = Field(default="My practice", max_length=200)
    address: str = Field(default="", max_length=500)
    tax_id: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    currency: str = Field(default="USD", max_length=3)
    default_tax_rate: Decimal = Field(default=Decimal(0), sa_type=Scaled)
    payment_terms_days: int = Field(default=14)
    invoice_prefix: str = Field(default="INV-", max_length=20)
    credit_note_prefix: str = Field(default="CN-", max_length=20)
    # Documents (revision 0003): what PDFs print and how money is written.
    npi: str = Field(default="", max_length=20)
    payment_instructions: str = Field(default="", max_length=1000)
    locale: str = Field(default="en_US", max_length=20)
    # Outgoing mail (revision 0003). The password is never stored here: it comes
    # from the keyring or the CP_TUI_SMTP_PASSWORD environment variable.
    smtp_host: str = Field(default="", max_length=200)
    smtp_port: int = Field(default=587)
    smtp_security: str = Field(default="starttls", max_length=10)
    smtp_user: str = Field(default="", max_length=200)
    smtp_from: str = Field(default="", max_length=200)
    # JSON {kind: {"subject": ..., "body": ...}}; kinds left out use the defaults.
    mail_templates: str = Field(default="")
    # Revision 0005: a cancellation this many hours or less before the start is late.
    late_cancel_hours: int = Field(default=24)
    # Revision 0008: the logo printed in every document's header (PNG or JPEG bytes).
    # Kept in the database, not as a file, so a backup of the practice carries it.
    logo: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Revision 0008: a PEM file of the certificate authority that signed the SMTP
    # server's certificate, for a server of the practice's own; "" trusts the system's.
    smtp_ca_file: str = Field(default="", max_length=500)


class NumberSeries(SQLModel, table=True):
    """The next number of a series, taken by an UPDATE inside the issuing transaction."""

    __tablename__ = "number_series"

    series: str = Field(primary_key=True, max_length=20)
    next_value: int = Field(default=1)
