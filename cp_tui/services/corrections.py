"""How much of an invoice is left to correct.

Credit notes that name an invoice, and refunds of its card payments (each booked
as such a credit note), correct it. Together they never come to more than the
invoice billed: a second correction of money already credited would pay the
client twice (a credit note, then a refund to the card), and a typo (1500.00
for 150.00) would hand out credit nobody meant. Credit that corrects no
particular invoice (goodwill) names none and is not capped here.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cp_tui.models import Invoice, InvoiceKind, InvoiceStatus
from cp_tui.models.cards import CardRefund
from cp_tui.money import format_money
from cp_tui.services.errors import NotAllowed

# A refund whose credit note is not issued yet still counts: Stripe may have paid it.
_REFUNDS_IN_FLIGHT = ("pending", "succeeded", "unknown")


def corrected_so_far(session: Session, invoice: Invoice) -> int:
    """Credit notes naming ``invoice`` and refunds of it not yet booked, in minor units."""
    notes = session.execute(
        select(func.coalesce(func.sum(Invoice.total), 0))
        .where(col(Invoice.kind) == InvoiceKind.CREDIT_NOTE)
        .where(col(Invoice.corrects_invoice_id) == invoice.id)
        .where(col(Invoice.status) != InvoiceStatus.VOID)
    ).scalar_one()
    in_flight = session.execute(
        select(func.coalesce(func.sum(CardRefund.amount), 0))
        .where(col(CardRefund.invoice_id) == invoice.id)
        .where(col(CardRefund.status).in_(_REFUNDS_IN_FLIGHT))
        .where(col(CardRefund.credit_note_id).is_(None))
    ).scalar_one()
    return -int(notes) + int(in_flight)


def refuse_over_correction(session: Session, invoice: Invoice, adding: int) -> None:
    """NotAllowed when ``adding`` more would correct ``invoice`` beyond what it billed."""
    done = corrected_so_far(session, invoice)
    left = max(invoice.total - done, 0)
    if adding > left:
        money = lambda amount: format_money(amount, invoice.currency)  # noqa: E731
        raise NotAllowed(
            f"{invoice.number} billed {money(invoice.total)} and {money(done)} of it is already "
            f"credited or refunded: at most {money(left)} more can correct it "
            "(credit that corrects no invoice names none)"
        )
