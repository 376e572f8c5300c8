"""money columns are 64-bit integers on every database

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Amounts are integers in the currency's minor unit. PostgreSQL's INTEGER stops at
2,147,483,647: 21.4 million in a two-decimal currency, and the Invoices screen's
tally of a practice billing in COP, IDR or VND would pass that within a year.
SQLite's INTEGER already holds 64 bits, so its tables are left as they are (a
rebuild would drop the tally triggers of 0010 for nothing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "billing_item": ("unit_price",),
    "card_refund": ("amount",),
    "charge": ("unit_price",),
    "claim_line": ("charge", "amount", "paid_amount"),
    "credit_entry": ("amount",),
    "insurance_policy": ("copay_amount",),
    "invoice": ("subtotal", "tax", "total", "credit_applied", "amount_paid"),
    "invoice_line": ("unit_price", "net", "tax"),
    "invoice_tally": ("total", "amount_due"),
    "package": ("price",),
    "package_use": ("covered_price",),
    "payment": ("amount", "applied"),
    "payment_attempt": ("amount",),
    "payment_link": ("amount",),
    "service": ("unit_price", "no_show_fee", "late_cancel_fee"),
    "unmatched_payment": ("amount",),
}


# PostgreSQL cannot retype a column that a trigger names in its UPDATE OF list:
# 0010's tally trigger is set aside meanwhile and made again as it was.
_TALLY_TRIGGER = (
    "CREATE TRIGGER invoice_tally_update AFTER UPDATE OF "
    "kind, status, total, credit_applied, amount_paid ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION invoice_tally_keep()"
)


def _retype(to: sa.types.TypeEngine[int], was: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER invoice_tally_update ON invoice")
    for table, columns in MONEY_COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=to, existing_type=was)
    op.execute(_TALLY_TRIGGER)


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())
