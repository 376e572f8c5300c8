"""Taking an uninvoiced item away: one added by mistake, a fee waived, a package sale
that was called off.

An item on a live invoice or a draft stays (the invoice is corrected, or the draft
discarded, first). A session's own item stays too: the appointment says whether
the session happened, so reopening, cancelling or marking it a no-show is what
takes its items away. A package goes with its sale's item when nothing was drawn
from it and nothing refunded; it was never paid for on a live invoice.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem, Invoice, InvoiceLine
from cp_tui.models.packages import Package, PackageCover, PackageUse
from cp_tui.money import format_money, line_amounts
from cp_tui.services import audit, copays, ledger
from cp_tui.services.errors import NotAllowed


def remove_item(session: Session, clock: Clock, item: BillingItem) -> str:
    """Delete ``item`` if nothing bills or needs it; returns what was removed, in words."""
    item_id = item.id or 0
    held = session.exec(
        select(Invoice.number, Invoice.id)
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == Invoice.id)
        .where(col(InvoiceLine.active_item_id) == item_id)
    ).first()
    if held is not None:
        number, invoice_id = held
        if number is None:
            draft = ledger.invoice_reference(number, invoice_id)
            raise NotAllowed(
                f"item {item_id} is on draft {draft}; take it off the draft or "
                f"discard the draft first (`cp-tui invoices discard {draft}`)"
            )
        raise NotAllowed(
            f"item {item_id} is on invoice {number}; void the invoice or correct it with a "
            f"credit note (`cp-tui credits add --invoice {number} ...`)"
        )
    if item.appointment_id is not None and item.fee_kind is None:
        raise NotAllowed(
            f"item {item_id} is the session of appointment {item.appointment_id}: if it did "
            f"not take place, cancel it or mark it a no-show (`cp-tui appointments cancel "
            f"{item.appointment_id}`), which takes its items away"
        )
    package = session.exec(select(Package).where(col(Package.sale_item_id) == item_id)).first()
    what = "item"
    if package is not None:
        drawn = session.exec(
            select(PackageUse.id).where(col(PackageUse.package_id) == package.id)
        ).first()
        if drawn is not None or package.refunded_sessions or package.refund_note_id:
            raise NotAllowed(
                f"item {item_id} sold package {package.id}, whose sessions were drawn or "
                "refunded; it stays as the record of that sale"
            )
        session.execute(delete(PackageCover).where(col(PackageCover.package_id) == package.id))
        session.delete(package)
        session.flush()  # the package names the item: it goes first
        what = f"package {package.id} ({package.name}) and its sale"
    copays.release_items(session, [item_id])
    # Lines of void invoices still name the item: they keep their own description and
    # amounts, and let go of the item that goes away.
    session.execute(
        update(InvoiceLine).where(col(InvoiceLine.item_id) == item_id).values(item_id=None)
    )
    amounts = line_amounts(item.units, item.unit_price, item.tax_rate)
    total = format_money(amounts.net + amounts.tax, ledger.practice(session).currency)
    audit.record(
        session,
        clock,
        "item.remove",
        client_id=item.client_id,
        detail=f"item {item_id} of {item.date}: {item.description} ({total})",
    )
    session.delete(item)
    session.flush()
    return f"removed {what}: {item.description} ({total})"
