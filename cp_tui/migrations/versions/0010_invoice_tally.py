"""invoice tally kept by triggers, and an index for per-client balances

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-25

The Invoices screen shows the count, total and amount due of a status filter.
Summing 150,000 invoices for that took 30-60 ms; ``invoice_tally`` holds the
sums per (kind, status), and triggers on ``invoice`` keep them, so any change to
an invoice (through the services, a bulk insert or by hand) moves its tally in
the same transaction. ``cp-tui check`` compares the tally with the invoices.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

# ledger.amount_due in SQL: nothing is due on a credit note or a void invoice.
_DUE = (
    "CASE WHEN {row}.kind = 'credit_note' OR {row}.status = 'void' THEN 0 "
    "ELSE {row}.total - {row}.credit_applied - {row}.amount_paid END"
)


def _add(row: str, sign: str) -> str:
    """Upsert one invoice row's share (OLD or NEW) into its tally, added or taken away."""
    return (
        "INSERT INTO invoice_tally (kind, status, count, total, amount_due) "
        f"VALUES ({row}.kind, {row}.status, {sign}1, {sign}{row}.total, {sign}({_DUE.format(row=row)})) "
        "ON CONFLICT (kind, status) DO UPDATE SET "
        "count = invoice_tally.count + excluded.count, "
        "total = invoice_tally.total + excluded.total, "
        "amount_due = invoice_tally.amount_due + excluded.amount_due;"
    )


_WATCHED = "kind, status, total, credit_applied, amount_paid"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER invoice_tally_insert AFTER INSERT ON invoice BEGIN {_add('NEW', '+')} END",
    f"CREATE TRIGGER invoice_tally_delete AFTER DELETE ON invoice BEGIN {_add('OLD', '-')} END",
    f"CREATE TRIGGER invoice_tally_update AFTER UPDATE OF {_WATCHED} ON invoice BEGIN "
    f"{_add('OLD', '-')} {_add('NEW', '+')} END",
)

POSTGRES_TRIGGERS = (
    "CREATE FUNCTION invoice_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add('OLD', '-')} END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW', '+')} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER invoice_tally_insert_delete AFTER INSERT OR DELETE ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION invoice_tally_keep()",
    f"CREATE TRIGGER invoice_tally_update AFTER UPDATE OF {_WATCHED} ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION invoice_tally_keep()",
)


def upgrade() -> None:
    op.create_table(
        "invoice_tally",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("amount_due", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "status", name=op.f("pk_invoice_tally")),
    )
    op.execute(
        "INSERT INTO invoice_tally (kind, status, count, total, amount_due) "
        f"SELECT kind, status, count(*), sum(total), sum({_DUE.format(row='invoice')}) "
        "FROM invoice GROUP BY kind, status"
    )
    # The index first: a batch operation that rebuilt the table would drop its triggers.
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_client_balance",
            ["client_id", "kind", "status", "total", "credit_applied", "amount_paid"],
            unique=False,
        )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_client_balance")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER invoice_tally_update ON invoice")
        op.execute("DROP TRIGGER invoice_tally_insert_delete ON invoice")
        op.execute("DROP FUNCTION invoice_tally_keep()")
    else:
        for name in ("invoice_tally_insert", "invoice_tally_delete", "invoice_tally_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("invoice_tally")
