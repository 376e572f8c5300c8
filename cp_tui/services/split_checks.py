"""Part of `cp-tui check`: no portion of a charge billed twice.

- ``claim_split``: a split item's client portion (its line on a live invoice, or
  the item itself while uninvoiced) and its claim add up to no more than the
  charge the claim was split from (``copays``: client + insurer == charge).
- ``package_cover``: a session drawn from a package is worth 0, on its item and on
  any live invoice line (``packages``: the package's money is billed on its sale).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from cp_tui.models import BillingItem, Invoice, InvoiceLine
from cp_tui.models.insurance import ClaimLine
from cp_tui.models.packages import PackageUse
from cp_tui.money import line_amounts

Found = Callable[[str, str, str], None]


def _billed(
    units: Decimal, price: int, rate: Decimal, line_net: int | None, line_tax: int | None
) -> int:
    """What the client is billed for an item: its live line, else the item itself.

    Only a live (or draft) invoice's line holds ``active_item_id``, so the outer
    join finds at most one line per item.
    """
    if line_net is not None:
        return int(line_net) + int(line_tax or 0)
    return line_amounts(Decimal(units), int(price), Decimal(rate)).total


def check_splits(session: Session, found: Found) -> None:
    """Report every split item whose client portion and claim exceed its charge."""
    rows = session.execute(
        select(
            col(ClaimLine.id),
            col(ClaimLine.charge),
            col(ClaimLine.amount),
            col(BillingItem.id),
            col(BillingItem.units),
            col(BillingItem.unit_price),
            col(BillingItem.tax_rate),
            col(InvoiceLine.net),
            col(InvoiceLine.tax),
            col(Invoice.number),
        )
        .join(BillingItem, col(BillingItem.id) == col(ClaimLine.item_id))
        .outerjoin(InvoiceLine, col(InvoiceLine.active_item_id) == col(BillingItem.id))
        .outerjoin(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .order_by(col(ClaimLine.id))
    ).all()
    for claim_id, charge, claimed, item_id, units, price, rate, net, tax, number in rows:
        billed = _billed(units, price, rate, net, tax)
        if billed + int(claimed) <= int(charge):
            continue
        where = f"on {number}" if number else "on the uninvoiced item"
        found(
            "claim_split",
            str(number or f"item {item_id}"),
            f"item {item_id} bills the client {billed} {where} and claim {claim_id} bills the "
            f"insurer {claimed}: {billed + int(claimed)}, more than the charge {charge} it "
            "was split from, so part of it is billed twice",
        )


def check_covers(session: Session, found: Found) -> None:
    """Report every session drawn from a package that is billed anything."""
    rows = session.execute(
        select(
            col(PackageUse.package_id),
            col(PackageUse.seq),
            col(BillingItem.id),
            col(BillingItem.units),
            col(BillingItem.unit_price),
            col(BillingItem.tax_rate),
            col(InvoiceLine.net),
            col(InvoiceLine.tax),
            col(Invoice.number),
        )
        .join(BillingItem, col(BillingItem.id) == col(PackageUse.item_id))
        .outerjoin(InvoiceLine, col(InvoiceLine.active_item_id) == col(BillingItem.id))
        .outerjoin(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
        .order_by(col(PackageUse.id))
    ).all()
    for package_id, seq, item_id, units, price, rate, net, tax, number in rows:
        billed = _billed(units, price, rate, net, tax)
        if billed == 0 and int(price) == 0:
            continue
        where = f"on {number}" if number else "as an uninvoiced item"
        found(
            "package_cover",
            str(number or f"item {item_id}"),
            f"item {item_id} is session {seq} of package {package_id}, billed on the "
            f"package's invoice, but is billed {billed} {where} (unit price {price})",
        )
