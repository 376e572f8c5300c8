"""cards payments links refunds

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "unmatched_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_ref", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmatched_payment")),
        sa.UniqueConstraint("remote_ref", name=op.f("uq_unmatched_payment_remote_ref")),
    )
    op.create_table(
        "card_setup_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("session_ref", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_card_setup_session_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_setup_session")),
        sa.UniqueConstraint("session_ref", name=op.f("uq_card_setup_session_session_ref")),
    )
    with op.batch_alter_table("card_setup_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_setup_session_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "gateway_customer",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("customer_ref", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_gateway_customer_client_id_client")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_gateway_customer")),
        sa.UniqueConstraint("customer_ref", name=op.f("uq_gateway_customer_customer_ref")),
    )
    op.create_table(
        "saved_card",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("payment_method_ref", sa.String(length=100), nullable=False),
        sa.Column("brand", sa.String(length=30), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_saved_card_client_id_client")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_saved_card")),
    )
    op.create_table(
        "card_refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("refund_ref", sa.String(length=100), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_note_id"], ["invoice.id"], name=op.f("fk_card_refund_credit_note_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_card_refund_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_card_refund_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_card_refund_idempotency_key")),
    )
    with op.batch_alter_table("card_refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_refund_invoice_id"), ["invoice_id"], unique=False)

    op.create_table(
        "payment_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("open_invoice_id", sa.Integer(), nullable=True),
        sa.Column("intent_ref", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_payment_attempt_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_attempt_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["open_invoice_id"],
            ["invoice.id"],
            name=op.f("fk_payment_attempt_open_invoice_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_payment_attempt_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempt")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_attempt_idempotency_key")),
        sa.UniqueConstraint("open_invoice_id", name=op.f("uq_payment_attempt_open_invoice_id")),
    )
    with op.batch_alter_table("payment_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_attempt_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payment_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("remote_ref", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_link_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_payment_link_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_link")),
        sa.UniqueConstraint("remote_ref", name=op.f("uq_payment_link_remote_ref")),
    )
    with op.batch_alter_table("payment_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_link_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("payment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_link_invoice_id"))

    op.drop_table("payment_link")
    with op.batch_alter_table("payment_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempt_invoice_id"))

    op.drop_table("payment_attempt")
    with op.batch_alter_table("card_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_refund_invoice_id"))

    op.drop_table("card_refund")
    op.drop_table("saved_card")
    op.drop_table("gateway_customer")
    with op.batch_alter_table("card_setup_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_setup_session_client_id"))

    op.drop_table("card_setup_session")
    op.drop_table("unmatched_payment")
