"""end-of-session charge and no-show / late-cancellation fees

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get the models' defaults through server defaults.
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("charge_at_end", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_show_fee", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("late_cancel_fee", sa.Integer(), nullable=True))

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("late_cancel_hours", sa.Integer(), nullable=False, server_default="24")
        )

    # Which fee an item is (no-show or late-cancel); NULL for every other item.
    with op.batch_alter_table("billing_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("billing_item", schema=None) as batch_op:
        batch_op.drop_column("fee_kind")

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        batch_op.drop_column("late_cancel_hours")

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("late_cancel_fee")
        batch_op.drop_column("no_show_fee")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("charge_at_end")
