"""What a package's money forbids elsewhere: checks other use cases make in their transaction.

A package is billed once, on its sale's invoice, and its sessions are drawn as
items worth nothing (``packages``). So:

- a drawn session's item stays at 0: pricing it would bill the session twice;
- the sale's invoice is refunded through the package only (``packages refund``,
  pro rata, which also stops the refunded sessions being drawn). A credit note or a
  card refund naming it while sessions are undrawn would refund them a second time;
- the sale's invoice is not voided once a session was drawn (the drawn sessions
  would be left free) or the package was refunded (its credit would come back).

Nothing here writes; each check raises ``NotAllowed`` with what to do instead.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cp_tui.models import AuditEntry, BillingItem, Invoice, InvoiceKind, InvoiceLine
from cp_tui.models.packages import Package, PackageUse
from cp_tui.services.errors import NotAllowed


def sold_on(session: Session, invoice: Invoice) -> list[Package]:
    """The packages whose sale is a line of ``invoice``."""
    items = select(InvoiceLine.item_id).where(col(InvoiceLine.invoice_id) == invoice.id)
    return list(
        session.exec(
            select(Package).where(col(Package.sale_item_id).in_(items)).order_by(col(Package.id))
        ).all()
    )


def drawn(session: Session, package: Package) -> int:
    """How many sessions have been drawn from ``package``."""
    count = session.execute(
        select(func.count()).where(col(PackageUse.package_id) == package.id)
    ).scalar_one()
    return int(count)


def refuse_price_on_covered(session: Session, item: BillingItem, price: int) -> None:
    """A session drawn from a package is billed at 0; any other price bills it twice."""
    if price == 0:
        return
    row = session.exec(
        select(PackageUse, Package)
        .join(Package, col(Package.id) == PackageUse.package_id)
        .where(col(PackageUse.item_id) == item.id)
    ).first()
    if row is None:
        return
    use, package = row
    raise NotAllowed(
        f"item {item.id} is session {use.seq} of {package.sessions} of package {package.id} "
        f"({package.name}), billed on the package's invoice, so it stays at 0. To charge "
        f"more for this session, add an item for the difference (`cp-tui items add --client "
        f"{item.client_id} --description ... --price ...`) and invoice that"
    )


def refuse_sale_price_change(session: Session, item: BillingItem) -> None:
    """A package's sale keeps the price it was sold at: its refund is reckoned from it."""
    sold = session.exec(select(Package.id).where(col(Package.sale_item_id) == item.id)).first()
    if sold is not None:
        raise NotAllowed(
            f"item {item.id} is the sale of package {sold}, whose price is fixed when it is "
            f"sold; refund its unused sessions instead (`cp-tui packages refund {sold}`)"
        )


def refuse_credit_on_sale(session: Session, invoice: Invoice, doing: str) -> None:
    """A credit note or card refund naming a package's sale, while it has undrawn sessions.

    Once every session was drawn there is nothing the package could refund again,
    so a correction of the sessions given is an ordinary credit note.
    """
    for package in sold_on(session, invoice):
        used = drawn(session, package)
        if package.refunded_sessions:
            raise NotAllowed(
                f"{invoice.number} sold package {package.id} ({package.name}), whose unused "
                f"sessions were refunded already; {doing} it would refund them again. For a "
                "goodwill credit, issue a credit note that names no invoice"
            )
        if used < package.sessions:
            left = package.sessions - used
            raise NotAllowed(
                f"{invoice.number} sold package {package.id} ({package.name}), which has "
                f"{left} session(s) not drawn; {doing} it would leave them to be drawn or "
                f"refunded again. Refund them with `cp-tui packages refund {package.id}` "
                "(pro rata, as a credit note on this invoice); for a goodwill credit, "
                "issue a credit note that names no invoice"
            )


def refuse_void_of_sale(session: Session, invoice: Invoice) -> None:
    """The sale's invoice is not voided once a session was drawn or the package refunded."""
    for package in sold_on(session, invoice):
        used = drawn(session, package)
        if used:
            unused = package.sessions - package.refunded_sessions - used
            instead = (
                f"Refund the unused sessions instead (`cp-tui packages refund {package.id}`)"
                if unused > 0
                else "The invoice stands: those sessions are billed on it"
            )
            raise NotAllowed(
                f"{invoice.number} sold package {package.id} ({package.name}) and {used} of "
                f"its sessions were drawn; voiding it would leave them unbilled. {instead}"
            )
        if package.refunded_sessions:
            raise NotAllowed(
                f"{invoice.number} sold package {package.id} ({package.name}), which was "
                "refunded by a credit note on it; voiding it would give that credit back "
                "a second time"
            )


def other_credit_notes(session: Session, invoice: Invoice) -> list[str]:
    """Numbers of credit notes naming ``invoice`` that are no package's refund."""
    # Every package refund leaves an audit row naming its credit note.
    refunds = (
        select(AuditEntry.invoice_id)
        .where(col(AuditEntry.action) == "package.refund")
        .where(col(AuditEntry.invoice_id).is_not(None))
    )
    return [
        str(number)
        for number in session.exec(
            select(Invoice.number)
            .where(col(Invoice.corrects_invoice_id) == invoice.id)
            .where(col(Invoice.kind) == InvoiceKind.CREDIT_NOTE)
            .where(col(Invoice.id).not_in(refunds))
            .order_by(col(Invoice.id))
        ).all()
    ]
