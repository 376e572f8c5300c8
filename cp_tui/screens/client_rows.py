"""What the client's tabs show: the details grid and the rows of Invoices and Payments.

Plain data in, renderables and table rows out.

Invoice rows are keyed by number; payment and credit rows by (id, invoice number or None),
so enter on any of them can open the invoice it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from cp_tui.money import decimal_text, format_money
from cp_tui.services.cards import CardRead
from cp_tui.services.insurance import PolicyRead
from cp_tui.services.readmodels import ClientRead, CreditEntryRead, InvoiceRead, PaymentRead
from cp_tui.widgets.virtual_table import Column, Row

INVOICE_COLUMNS = [
    Column("Number", 14),
    Column("Date", 12),
    Column("Status", 16),
    Column("Total", 14, "right"),
    Column("Due", 14, "right"),
    Column("Due date", 12),
]
PAYMENT_COLUMNS = [
    Column("Received", 12),
    Column("Invoice", 14),
    Column("Method", 10),
    Column("Amount", 14, "right"),
    Column("To credit", 12, "right"),
    Column("Reference", 24),
]
CREDIT_COLUMNS = [
    Column("Date", 12),
    Column("Kind", 14),
    Column("Invoice", 14),
    Column("Amount", 14, "right"),
    Column("Note", 40),
]


def invoice_rows(invoices: list[InvoiceRead]) -> list[Row]:
    """Newest first; a credit note says so in its status."""
    rows = []
    for inv in sorted(invoices, key=lambda i: (i.issue_date, i.id), reverse=True):
        money = lambda v, c=inv.currency: format_money(v, c)  # noqa: E731
        credit_note = inv.kind == "credit_note"
        status = "credit note" if credit_note else inv.status + (" · sent" if inv.sent else "")
        rows.append(
            Row(
                inv.number,
                [
                    inv.number,
                    f"{inv.issue_date:%d %b %Y}",
                    status,
                    money(inv.total),
                    "" if credit_note else money(inv.amount_due),
                    "" if credit_note else f"{inv.due_date:%d %b %Y}",
                ],
            )
        )
    return rows


def payment_rows(payments: list[PaymentRead], currency: str) -> list[Row]:
    rows = []
    for pay in sorted(payments, key=lambda p: (p.received_on, p.id), reverse=True):
        extra = pay.amount - pay.applied
        rows.append(
            Row(
                (pay.id, pay.invoice_number),
                [
                    f"{pay.received_on:%d %b %Y}",
                    pay.invoice_number,
                    pay.method,
                    format_money(pay.amount, currency),
                    format_money(extra, currency) if extra else "",
                    pay.reference,
                ],
            )
        )
    return rows


def credit_rows(entries: list[CreditEntryRead], currency: str) -> list[Row]:
    return [
        Row(
            (entry.id, entry.invoice_number),
            [
                f"{entry.created_at:%d %b %Y}",
                entry.kind.replace("_", " "),
                entry.invoice_number or "",
                format_money(entry.amount, currency),
                entry.note,
            ],
        )
        for entry in reversed(entries)
    ]


def policy_line(policy: PolicyRead, currency: str, service_names: Mapping[int, str]) -> str:
    """``Aetna · member W123 · co-pay $30.00`` (or ``20 %``), ``· for Individual therapy``."""
    if policy.copay_kind == "fixed":
        copay = format_money(policy.copay_amount or 0, currency)
    else:
        copay = f"{decimal_text(policy.copay_percent or Decimal(0))} %"
    text = f"{policy.payer} · member {policy.member_id} · co-pay {copay}"
    if policy.service_id is not None:
        service = service_names.get(policy.service_id, f"service {policy.service_id}")
        text += f" · for {service}"
    return text


def details_table(
    client: ClientRead,
    currency: str,
    card: CardRead | None = None,
    policies: Sequence[str] = (),
) -> Table:
    """The Details tab; ``policies`` are the active policies, one line each (``policy_line``)."""

    def money(amount: int) -> str:
        return format_money(amount, currency)

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in (
        ("Name", client.name),
        ("E-mail", client.email or "–"),
        ("Phone", client.phone or "–"),
        ("Address", client.address or "–"),
        ("Status", "archived" if client.archived else "active"),
        ("Uninvoiced", money(client.uninvoiced_total)),
        ("Balance due", money(client.balance_due)),
        ("Credit", money(client.credit_balance)),
        ("Card on file", card.label if card else "none (k saves one through Stripe)"),
    ):
        table.add_row(label, Text(value))  # typed by a person: never markup
    for n, line in enumerate(policies):
        table.add_row("Insurance" if n == 0 else "", Text(line))
    table.add_row("", "")
    restore = "restore" if client.archived else "archive"
    table.add_row("", f"e edit · k save card · r credit note · s sell a package · x {restore}")
    table.add_row("", "f statement or superbill · b billing · i invoices · p payments")
    return table
