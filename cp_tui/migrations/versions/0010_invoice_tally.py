"""invoice tally, uninvoiced items, number prefixes kept by triggers; balance index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25

The Invoices screen shows the count, total and amount due of a status filter.
Summing 150,000 invoices for that took 30-60 ms; ``invoice_tally`` holds the
sums per (kind, status), and triggers on ``invoice`` keep them, so any change to
an invoice (through the services, a bulk insert or by hand) moves its tally in
the same transaction. Likewise ``uninvoiced_item`` lists the items on no live
invoice line: finding them by testing 300,000 items against the lines took
35-200 ms on every visit to the Clients screen. ``cp-tui check`` compares both
with what they are computed from. ``invoice_number_prefix`` lets a search for a
word without digits skip reading every invoice number when no prefix has it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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


# An item leaves the list when a live line takes it, and comes back when the line
# lets it go (a void sets active_item_id to NULL) or is deleted.
_ITEM_BACK = (
    "INSERT INTO uninvoiced_item (item_id, client_id) SELECT id, client_id FROM billing_item "
    "WHERE id = OLD.active_item_id ON CONFLICT (item_id) DO NOTHING;"
)
_ITEM_TAKEN = "DELETE FROM uninvoiced_item WHERE item_id = NEW.active_item_id;"
_ITEM_NEW = (
    "INSERT INTO uninvoiced_item (item_id, client_id) VALUES (NEW.id, NEW.client_id) "
    "ON CONFLICT (item_id) DO NOTHING;"
)
_ITEM_GONE = "DELETE FROM uninvoiced_item WHERE item_id = OLD.id;"
_ITEM_MOVED = "UPDATE uninvoiced_item SET client_id = NEW.client_id WHERE item_id = NEW.id;"

SQLITE_ITEM_TRIGGERS = (
    f"CREATE TRIGGER uninvoiced_item_new AFTER INSERT ON billing_item BEGIN {_ITEM_NEW} END",
    f"CREATE TRIGGER uninvoiced_item_gone AFTER DELETE ON billing_item BEGIN {_ITEM_GONE} END",
    "CREATE TRIGGER uninvoiced_item_moved AFTER UPDATE OF client_id ON billing_item "
    f"BEGIN {_ITEM_MOVED} END",
    f"CREATE TRIGGER uninvoiced_item_line_new AFTER INSERT ON invoice_line BEGIN {_ITEM_TAKEN} END",
    f"CREATE TRIGGER uninvoiced_item_line_gone AFTER DELETE ON invoice_line BEGIN {_ITEM_BACK} END",
    "CREATE TRIGGER uninvoiced_item_line_changed AFTER UPDATE OF active_item_id ON invoice_line "
    f"BEGIN {_ITEM_BACK} {_ITEM_TAKEN} END",
)

POSTGRES_ITEM_TRIGGERS = (
    "CREATE FUNCTION uninvoiced_item_keep_items() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'INSERT' THEN {_ITEM_NEW} "
    f"ELSIF TG_OP = 'DELETE' THEN {_ITEM_GONE} "
    f"ELSE {_ITEM_MOVED} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER uninvoiced_item_items AFTER INSERT OR DELETE OR UPDATE OF client_id "
    "ON billing_item FOR EACH ROW EXECUTE FUNCTION uninvoiced_item_keep_items()",
    "CREATE FUNCTION uninvoiced_item_keep_lines() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_ITEM_BACK} END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ITEM_TAKEN} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER uninvoiced_item_lines AFTER INSERT OR DELETE OR UPDATE OF active_item_id "
    "ON invoice_line FOR EACH ROW EXECUTE FUNCTION uninvoiced_item_keep_lines()",
)


# A number's prefix is the number less its trailing digits: "INV-0042" -> "INV-".
_PREFIX_NEW = (
    "INSERT INTO invoice_number_prefix (prefix) VALUES (rtrim(NEW.number, '0123456789')) "
    "ON CONFLICT (prefix) DO NOTHING;"
)

SQLITE_PREFIX_TRIGGERS = (
    "CREATE TRIGGER invoice_number_prefix_insert AFTER INSERT ON invoice "
    f"WHEN NEW.number IS NOT NULL BEGIN {_PREFIX_NEW} END",
    "CREATE TRIGGER invoice_number_prefix_update AFTER UPDATE OF number ON invoice "
    f"WHEN NEW.number IS NOT NULL BEGIN {_PREFIX_NEW} END",
)

POSTGRES_PREFIX_TRIGGERS = (
    "CREATE FUNCTION invoice_number_prefix_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF NEW.number IS NOT NULL THEN {_PREFIX_NEW} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER invoice_number_prefix_keep AFTER INSERT OR UPDATE OF number ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION invoice_number_prefix_keep()",
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
            [
                "client_id",
                "kind",
                "status",
                "total",
                "credit_applied",
                "amount_paid",
                "issue_date",
            ],
            unique=False,
        )
    op.create_table(
        "uninvoiced_item",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_uninvoiced_item")),
    )
    with op.batch_alter_table("uninvoiced_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_uninvoiced_item_client_id"), ["client_id"], unique=False
        )
    op.execute(
        "INSERT INTO uninvoiced_item (item_id, client_id) SELECT b.id, b.client_id "
        "FROM billing_item b WHERE NOT EXISTS "
        "(SELECT 1 FROM invoice_line l WHERE l.active_item_id = b.id)"
    )
    op.create_table(
        "invoice_number_prefix",
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_invoice_number_prefix")),
    )
    op.execute(
        "INSERT INTO invoice_number_prefix (prefix) SELECT DISTINCT "
        "rtrim(number, '0123456789') FROM invoice WHERE number IS NOT NULL"
    )
    statements: tuple[str, ...]
    if op.get_bind().dialect.name == "postgresql":
        statements = POSTGRES_TRIGGERS + POSTGRES_ITEM_TRIGGERS + POSTGRES_PREFIX_TRIGGERS
    else:
        statements = SQLITE_TRIGGERS + SQLITE_ITEM_TRIGGERS + SQLITE_PREFIX_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_client_balance")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER invoice_number_prefix_keep ON invoice")
        op.execute("DROP FUNCTION invoice_number_prefix_keep()")
        op.execute("DROP TRIGGER uninvoiced_item_lines ON invoice_line")
        op.execute("DROP TRIGGER uninvoiced_item_items ON billing_item")
        op.execute("DROP FUNCTION uninvoiced_item_keep_lines()")
        op.execute("DROP FUNCTION uninvoiced_item_keep_items()")
        op.execute("DROP TRIGGER invoice_tally_update ON invoice")
        op.execute("DROP TRIGGER invoice_tally_insert_delete ON invoice")
        op.execute("DROP FUNCTION invoice_tally_keep()")
    else:
        for statement in SQLITE_TRIGGERS + SQLITE_ITEM_TRIGGERS + SQLITE_PREFIX_TRIGGERS:
            op.execute(f"DROP TRIGGER {statement.split()[2]}")
    op.drop_table("invoice_number_prefix")
    op.drop_table("uninvoiced_item")
    op.drop_table("invoice_tally")
