"""insurance: policies with co-pays, and claim lines (the insurer's portions)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insurance_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.String(length=100), nullable=False),
        sa.Column("copay_kind", sa.String(length=10), nullable=False),
        sa.Column("copay_amount", sa.Integer(), nullable=True),
        sa.Column("copay_percent", sa.BigInteger(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_insurance_policy_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_insurance_policy_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policy")),
    )
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_insurance_policy_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "claim_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("charge", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("paid_amount", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("rest_item_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["billing_item.id"], name=op.f("fk_claim_line_item_id_billing_item")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["insurance_policy.id"],
            name=op.f("fk_claim_line_policy_id_insurance_policy"),
        ),
        sa.ForeignKeyConstraint(
            ["rest_item_id"],
            ["billing_item.id"],
            name=op.f("fk_claim_line_rest_item_id_billing_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_line")),
        sa.UniqueConstraint("item_id", name=op.f("uq_claim_line_item_id")),
    )
    with op.batch_alter_table("claim_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_line_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_line_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_line_status"))
        batch_op.drop_index(batch_op.f("ix_claim_line_policy_id"))
    op.drop_table("claim_line")
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insurance_policy_client_id"))
    op.drop_table("insurance_policy")
