"""index billing items by date, for the batch run's period

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_item", schema=None) as batch_op:
        batch_op.create_index("ix_billing_item_date", ["date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("billing_item", schema=None) as batch_op:
        batch_op.drop_index("ix_billing_item_date")
