"""documents and mail: superbill codes, practice document and SMTP settings, send records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _text(name: str, length: int | None, default: str) -> sa.Column[str]:
    kind = sa.String(length=length) if length else sa.String()
    return sa.Column(name, kind, nullable=False, server_default=default)


def upgrade() -> None:
    op.create_table(
        "document_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("document", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_document_send_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_document_send_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_send")),
    )
    with op.batch_alter_table("document_send", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_send_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_send_document"), ["document"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_document_send_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_document_send_started_at"), ["started_at"], unique=False
        )

    # Existing rows get the models' defaults through server defaults.
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(_text("diagnosis_codes", 200, ""))

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        batch_op.add_column(_text("npi", 20, ""))
        batch_op.add_column(_text("payment_instructions", 1000, ""))
        batch_op.add_column(_text("locale", 20, "en_US"))
        batch_op.add_column(_text("smtp_host", 200, ""))
        batch_op.add_column(
            sa.Column("smtp_port", sa.Integer(), nullable=False, server_default="587")
        )
        batch_op.add_column(_text("smtp_security", 10, "starttls"))
        batch_op.add_column(_text("smtp_user", 200, ""))
        batch_op.add_column(_text("smtp_from", 200, ""))
        batch_op.add_column(_text("mail_templates", None, ""))

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(_text("place_of_service", 2, ""))


def downgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("place_of_service")

    with op.batch_alter_table("practice_settings", schema=None) as batch_op:
        for name in (
            "mail_templates",
            "smtp_from",
            "smtp_user",
            "smtp_security",
            "smtp_port",
            "smtp_host",
            "locale",
            "payment_instructions",
            "npi",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("diagnosis_codes")
        batch_op.drop_column("date_of_birth")

    with op.batch_alter_table("document_send", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_send_started_at"))
        batch_op.drop_index(batch_op.f("ix_document_send_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_document_send_document"))
        batch_op.drop_index(batch_op.f("ix_document_send_client_id"))

    op.drop_table("document_send")
