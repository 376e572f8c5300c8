"""session packages: packages, the services they cover, and the sessions drawn

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("sale_item_id", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("refunded_sessions", sa.Integer(), nullable=False),
        sa.Column("refund_note_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_package_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["sale_item_id"],
            ["billing_item.id"],
            name=op.f("fk_package_sale_item_id_billing_item"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_note_id"], ["invoice.id"], name=op.f("fk_package_refund_note_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package")),
        sa.UniqueConstraint("sale_item_id", name=op.f("uq_package_sale_item_id")),
    )
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_client_id"), ["client_id"], unique=False)

    op.create_table(
        "package_cover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"], ["package.id"], name=op.f("fk_package_cover_package_id_package")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_package_cover_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_cover")),
        sa.UniqueConstraint("package_id", "service_id", name=op.f("uq_package_cover_package_id")),
    )
    with op.batch_alter_table("package_cover", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_cover_package_id"), ["package_id"], unique=False
        )

    op.create_table(
        "package_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("covered_price", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_id"], ["package.id"], name=op.f("fk_package_use_package_id_package")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["billing_item.id"], name=op.f("fk_package_use_item_id_billing_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_use")),
        sa.UniqueConstraint("item_id", name=op.f("uq_package_use_item_id")),
        sa.UniqueConstraint("package_id", "seq", name=op.f("uq_package_use_package_id")),
    )
    with op.batch_alter_table("package_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_use_package_id"), ["package_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("package_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_use_package_id"))
    op.drop_table("package_use")
    with op.batch_alter_table("package_cover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_cover_package_id"))
    op.drop_table("package_cover")
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_client_id"))
    op.drop_table("package")
