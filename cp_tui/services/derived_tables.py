"""Part of `cp-tui check`: the tables that triggers keep, against their sources.

``invoice_tally`` (the Invoices screen's totals), ``uninvoiced_item`` (the
Clients screen's uninvoiced column) and ``invoice_number_prefix`` (which lets an
invoice search skip the numbers) are kept by database triggers (revision 0010).
One that drifted (triggers lost when a table was rebuilt, rows written with the
triggers off) would show wrong figures, so the check recomputes each from the
invoices, items and lines and reports every row that disagrees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from cp_tui.models import (
    BillingItem,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceNumberPrefix,
    InvoiceStatus,
    InvoiceTally,
    UninvoicedItem,
)

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
                "the Invoices screen's totals are wrong; the database's triggers may be "
                "missing (restore a backup made before this, or report it)",
            )


def check_uninvoiced(session: Session, found: Callable[[str, str, str], None]) -> None:
    """Report every item that ``uninvoiced_item`` lists wrongly or leaves out."""
    on_a_line = select(col(InvoiceLine.id)).where(
        col(InvoiceLine.active_item_id) == col(BillingItem.id)
    )
    free = session.execute(
        select(col(BillingItem.id), col(BillingItem.client_id)).where(~on_a_line.exists())
    ).all()
    expected = {int(item): int(client) for item, client in free}
    listed = session.execute(select(col(UninvoicedItem.item_id), col(UninvoicedItem.client_id)))
    kept = {int(item): int(client) for item, client in listed.all()}
    for item in sorted(set(expected) | set(kept)):
        if expected.get(item) == kept.get(item):
            continue
        if item not in kept:
            why = "is on no live invoice but is missing from the uninvoiced list"
        elif item not in expected:
            why = "is on a live invoice (or gone) but still listed as uninvoiced"
        else:
            why = f"is listed for client {kept[item]}, it belongs to client {expected[item]}"
        found(
            "uninvoiced_item",
            f"item {item}",
            f"{why}; the Clients screen's uninvoiced totals are wrong (the database's "
            "triggers may be missing: restore a backup made before this, or report it)",
        )


def check_prefixes(session: Session, found: Callable[[str, str, str], None]) -> None:
    """Report every number prefix in use that ``invoice_number_prefix`` lacks.

    A prefix no number has any more is harmless (a search reads the numbers
    once too often), so only missing ones are findings.
    """
    numbers = session.execute(
        select(col(Invoice.number)).where(col(Invoice.number).is_not(None)).distinct()
    ).scalars()
    in_use = {str(number).rstrip("0123456789") for number in numbers}
    kept = set(session.execute(select(col(InvoiceNumberPrefix.prefix))).scalars())
    for prefix in sorted(in_use - kept):
        found(
            "invoice_number_prefix",
            prefix,
            "is the prefix of invoice numbers but missing from the prefix list, so a "
            "search for it in the Invoices screen finds no number (the database's "
            "triggers may be missing: restore a backup made before this, or report it)",
        )
