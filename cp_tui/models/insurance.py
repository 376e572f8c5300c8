"""Insurance: a client's policies (co-pays) and the insurer's portions of items (claim lines)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from cp_tui.models.types import Scaled


class InsurancePolicy(SQLModel, table=True):
    """A payer covering a client; the co-pay is what the client keeps paying.

    ``copay_kind`` is "fixed" (``copay_amount`` in minor units) or "percent"
    (``copay_percent``, exact, 0 to 100). With ``service_id`` set the policy
    applies to that service only and wins over the client's general policy.
    A changed policy is a new row; the old one is made inactive (claims keep theirs).
    """

    __tablename__ = "insurance_policy"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    payer: str = Field(max_length=200)
    member_id: str = Field(max_length=100)
    copay_kind: str = Field(max_length=10)
    copay_amount: int | None = Field(default=None, sa_type=BigInteger)
    copay_percent: Decimal | None = Field(default=None, sa_type=Scaled)
    service_id: int | None = Field(default=None, foreign_key="service.id")
    active: bool = Field(default=True)
    created_at: datetime


class ClaimLine(SQLModel, table=True):
    """The insurer's portion of one billing item. ``item_id`` is unique: one split per item."""

    __tablename__ = "claim_line"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="billing_item.id", unique=True)
    policy_id: int = Field(foreign_key="insurance_policy.id", index=True)
    # The item's whole line total before the split (CMS-1500 box 24F, charges).
    charge: int = Field(sa_type=BigInteger)
    # The insurer's portion: charge minus the client's line total after the split.
    amount: int = Field(sa_type=BigInteger)
    status: str = Field(default="to_submit", max_length=20, index=True)
    paid_amount: int = Field(default=0, sa_type=BigInteger)
    reference: str = Field(default="", max_length=100)
    submitted_on: date | None = Field(default=None)
    decided_on: date | None = Field(default=None)
    # The client's billing item that took the rest the insurer did not pay.
    rest_item_id: int | None = Field(default=None, foreign_key="billing_item.id")
    created_at: datetime
