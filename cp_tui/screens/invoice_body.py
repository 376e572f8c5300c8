"""What the invoice screen shows, as renderables: header, lines, totals, payments, history.

Plain functions of the invoice read model, so the screen only places them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from cp_tui.money import decimal_text, format_money
from cp_tui.services.claim_status import STATUS_WORDS
from cp_tui.services.readmodels import AuditRead, InvoiceRead

if TYPE_CHECKING:
    from cp_tui.services.insurance import ClaimRead


def title_of(inv: InvoiceRead) -> str:
    if inv.status == "draft":
        return "Draft invoice"
    return "Credit note" if inv.kind == "credit_note" else "Invoice"


def header(inv: InvoiceRead) -> Text:
    state = inv.status + (" · sent" if inv.sent else "")
    dates = f"\nIssued {inv.issue_date:%d %b %Y}   due {inv.due_date:%d %b %Y}"
    if inv.kind == "credit_note":  # its credit is the client's at once: nothing falls due
        state = "sent" if inv.sent else ""
        dates = f"\nIssued {inv.issue_date:%d %b %Y}"
    if inv.status == "draft":
        state = "draft, no number yet: i issues it, e edits it, x deletes it"
        dates = f"\nPrepared {inv.issue_date:%d %b %Y}; issuing dates it and sets the due date"
    corrects = f"   corrects {inv.corrects}" if inv.corrects else ""
    reason = f"\nReason: {inv.reason}" if inv.reason else ""
    return Text.assemble(
        (f"{title_of(inv)} {inv.number}", "bold"),
        "   ",
        inv.client_name,
        "   ",
        (state, "italic"),
        corrects,
        dates,
        reason,
    )


def lines_table(inv: InvoiceRead) -> Table:
    money = lambda v: format_money(v, inv.currency)  # noqa: E731
    lines = Table(expand=True, box=None, header_style="bold")
    for name, justify in (
        ("Date", "left"),
        ("Description", "left"),
        ("Units", "right"),
        ("Price", "right"),
        ("Tax %", "right"),
        ("Total", "right"),
    ):
        lines.add_column(name, justify=justify)  # type: ignore[arg-type]
    for ln in inv.lines:
        lines.add_row(
            f"{ln.service_date:%d %b}" if ln.service_date else "",
            Text(ln.description),
            decimal_text(ln.units),
            money(ln.unit_price),
            decimal_text(ln.tax_rate),
            money(ln.total),
        )
    return lines


def totals(inv: InvoiceRead) -> str:
    money = lambda v: format_money(v, inv.currency)  # noqa: E731
    text = f"Subtotal {money(inv.subtotal)}   Tax {money(inv.tax)}   Total {money(inv.total)}"
    if inv.kind == "credit_note":
        return text + f"\nCredited to {inv.client_name}'s balance"
    return text + (
        f"\nCredit applied {money(inv.credit_applied)}   Paid {money(inv.amount_paid)}   "
        f"Amount due {money(inv.amount_due)}"
    )


def payments(inv: InvoiceRead) -> str:
    money = lambda v: format_money(v, inv.currency)  # noqa: E731
    paid = "\n".join(
        f"  {p.received_on:%d %b %Y}  {p.method:<9} {money(p.amount):>12}"
        + (f"  ({money(p.amount - p.applied)} to credit)" if p.amount > p.applied else "")
        + (f"  ref {p.reference}" if p.reference else "")
        for p in inv.payments
    )
    return "Payments\n" + (paid or "  none yet")


def claims(rows: Iterable[ClaimRead], currency: str) -> str:
    """The insurers' parts of the sessions whose co-pays this invoice bills."""
    money = lambda v: format_money(v, currency)  # noqa: E731
    text = "\n".join(
        f"  {c.date_of_service:%d %b %Y}  {c.payer}: {money(c.amount)} of {money(c.charge)}  "
        + (f"paid {money(c.paid_amount)}" if c.status == "paid" else STATUS_WORDS[c.status])
        + f"  (claim {c.id})"
        for c in rows
    )
    return "Insurance: these lines are co-pays\n" + text if text else ""


def history(rows: Iterable[AuditRead], currency: str) -> str:
    text = "\n".join(
        f"  {h.at.astimezone():%d %b %Y %H:%M}  {h.action:<22} {h.detail}"
        f"{_change(h.before, h.after, currency)}"
        for h in rows
    )
    return "History\n" + (text or "  none")


def _change(before: str, after: str, currency: str) -> str:
    """'total 150.00 -> 120.00' style summary of what an audit row changed."""
    if not before or not after:
        return ""
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        return ""
    changed = [
        k for k in ("total", "amount_paid", "credit_applied", "status") if old.get(k) != new.get(k)
    ]

    def shown(value: object) -> str:
        return format_money(value, currency) if isinstance(value, int) else str(value)

    parts = [f"{k.replace('_', ' ')} {shown(old.get(k))}→{shown(new.get(k))}" for k in changed]
    return "  " + ", ".join(parts) if parts else ""
