"""Part of `cp-tui check`: the invoice tally against the invoices it sums.

``invoice_tally`` is kept by database triggers (revision 0010); the Invoices
screen's totals come from it. A tally that drifted (triggers lost when a table
was rebuilt, rows written with the triggers off) would show wrong totals, so the
check recomputes every (kind, status) from the invoices and reports each that
disagrees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from cp_tui.models import InvoiceKind, InvoiceStatus, InvoiceTally

Figures = tuple[int, int, int]  # count, total, amount due


class TalliedInvoice(Protocol):
    kind: str
    status: str
    total: int
    credit_applied: int
    amount_paid: int


def recount(invoices: Iterable[TalliedInvoice]) -> dict[tuple[str, str], Figures]:
    """What the tally should hold, computed from the invoices with ledger.amount_due's rule."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for invoice in invoices:
        nothing_due = (
            invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status == InvoiceStatus.VOID
        )
        due = 0 if nothing_due else invoice.total - invoice.credit_applied - invoice.amount_paid
        figures = sums[(invoice.kind, invoice.status)]
        figures[0] += 1
        figures[1] += invoice.total
        figures[2] += due
    return {key: (f[0], f[1], f[2]) for key, f in sums.items()}


def stored(session: Session) -> dict[tuple[str, str], Figures]:
    rows = session.execute(
        select(
            col(InvoiceTally.kind),
            col(InvoiceTally.status),
            col(InvoiceTally.count),
            col(InvoiceTally.total),
            col(InvoiceTally.amount_due),
        )
    ).all()
    return {(str(r[0]), str(r[1])): (int(r[2]), int(r[3]), int(r[4])) for r in rows}


def check_tally(
    session: Session,
    invoices: Iterable[TalliedInvoice],
    found: Callable[[str, str, str], None],
) -> None:
    """Report every (kind, status) whose stored tally differs from the invoices."""
    expected = recount(invoices)
    kept = stored(session)
    for key in sorted(set(expected) | set(kept)):
        want = expected.get(key, (0, 0, 0))
        have = kept.get(key, (0, 0, 0))
        if want != have:
            kind, status = key
            found(
                "invoice_tally",
                f"{kind} {status}",
                f"the tally holds {have[0]} invoices, total {have[1]}, due {have[2]}; the "
                f"invoices add up to {want[0]}, total {want[1]}, due {want[2]}. "
                "`cp-tui check` found this; the Invoices screen's totals are wrong until it "
                "is rebuilt (report it: the database's triggers may be missing)",
            )
