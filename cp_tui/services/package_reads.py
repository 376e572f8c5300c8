"""Read models of session packages, built inside a read transaction."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from cp_tui.models import BillingItem, Client, Invoice, InvoiceLine, Service
from cp_tui.models.packages import Package, PackageCover, PackageUse
from cp_tui.services.readmodels import InvoiceRead


@dataclass(frozen=True, slots=True)
class PackageUseRead:
    seq: int
    item_id: int
    appointment_id: int | None
    date: date
    covered_price: int


@dataclass(frozen=True, slots=True)
class PackageRead:
    id: int
    client_id: int
    client_name: str
    name: str
    sessions: int
    used: int
    refunded: int
    left: int
    price: int
    tax_rate: Decimal
    expires_on: date | None
    # "active", "used up", "expired", "refunded" or "cancelled" (sale invoice void).
    status: str
    invoice_number: str | None
    refund_note: str | None
    service_ids: list[int]
    service_names: list[str]
    uses: list[PackageUseRead]


@dataclass(frozen=True, slots=True)
class PackageSale:
    package: PackageRead
    invoice: InvoiceRead
    charged: bool
    message: str


@dataclass(frozen=True, slots=True)
class PackageRefund:
    package: PackageRead
    sessions: int
    credit_note: str
    amount: int
    credited_to: str  # the client billed for the sale, whose credit balance it feeds


def sessions_left_text(packages: list[PackageRead]) -> str:
    """The title line's "   Package: 7 sessions left"; empty without a live package."""
    left = sum(p.left for p in packages)
    return f"   Package: {left} session{'s' if left != 1 else ''} left" if packages else ""


def _status(pkg: Package, left: int, live: bool, today: date) -> str:
    if not live:
        return "cancelled"
    if left > 0 and pkg.expires_on is not None and pkg.expires_on < today:
        return "expired"
    if left > 0:
        return "active"
    return "refunded" if pkg.refunded_sessions else "used up"


def package_reads(session: Session, packages: list[Package], today: date) -> list[PackageRead]:
    ids = [p.id or 0 for p in packages]
    if not ids:
        return []
    names = dict(
        session.exec(
            select(Client.id, Client.name).where(
                col(Client.id).in_({p.client_id for p in packages})
            )
        ).all()
    )
    services: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cover, service_name in session.exec(
        select(PackageCover, Service.name)
        .join(Service, col(Service.id) == PackageCover.service_id)
        .where(col(PackageCover.package_id).in_(ids))
        .order_by(col(PackageCover.id))
    ).all():
        services[cover.package_id].append((cover.service_id, service_name))
    uses: dict[int, list[PackageUseRead]] = defaultdict(list)
    for use, item in session.exec(
        select(PackageUse, BillingItem)
        .join(BillingItem, col(BillingItem.id) == PackageUse.item_id)
        .where(col(PackageUse.package_id).in_(ids))
        .order_by(col(PackageUse.seq))
    ).all():
        uses[use.package_id].append(
            PackageUseRead(use.seq, use.item_id, item.appointment_id, item.date, use.covered_price)
        )
    sale_items = [p.sale_item_id for p in packages]
    sold: dict[int, str] = {}
    for item_id, number in session.exec(
        select(InvoiceLine.active_item_id, Invoice.number)
        .join(Invoice, col(Invoice.id) == InvoiceLine.invoice_id)
        .where(col(InvoiceLine.active_item_id).in_(sale_items))
    ).all():
        sold[int(item_id or 0)] = str(number)
    rates: dict[int, Decimal] = {
        item.id or 0: item.tax_rate
        for item in session.exec(select(BillingItem).where(col(BillingItem.id).in_(sale_items)))
    }
    notes = {p.refund_note_id for p in packages if p.refund_note_id}
    note_numbers = (
        dict(
            session.exec(select(Invoice.id, Invoice.number).where(col(Invoice.id).in_(notes))).all()
        )
        if notes
        else {}
    )
    reads = []
    for pkg in packages:
        pid = pkg.id or 0
        used = len(uses[pid])
        left = max(0, pkg.sessions - pkg.refunded_sessions - used)
        number = sold.get(pkg.sale_item_id)
        reads.append(
            PackageRead(
                id=pid,
                client_id=pkg.client_id,
                client_name=str(names.get(pkg.client_id, "")),
                name=pkg.name,
                sessions=pkg.sessions,
                used=used,
                refunded=pkg.refunded_sessions,
                left=left,
                price=pkg.price,
                tax_rate=rates.get(pkg.sale_item_id, Decimal(0)),
                expires_on=pkg.expires_on,
                status=_status(pkg, left, number is not None, today),
                invoice_number=number,
                refund_note=note_numbers.get(pkg.refund_note_id) if pkg.refund_note_id else None,
                service_ids=[sid for sid, _ in services[pid]],
                service_names=[name for _, name in services[pid]],
                uses=uses[pid],
            )
        )
    return reads


def packages_on_invoice(session: Session, invoice_id: int, on: date) -> list[PackageRead]:
    """Packages the invoice sold, or that covered sessions on it; ``left`` as of ``on``.

    Sessions drawn after ``on`` are counted as still left, so a receipt says what
    was left on the day of its payment and reads the same whenever it is printed.
    """
    item_ids = [
        int(i)
        for i in session.exec(
            select(InvoiceLine.item_id).where(col(InvoiceLine.invoice_id) == invoice_id)
        ).all()
        if i is not None
    ]
    if not item_ids:
        return []
    sold = select(Package.id).where(col(Package.sale_item_id).in_(item_ids))
    drawn = select(PackageUse.package_id).where(col(PackageUse.item_id).in_(item_ids))
    ids = {int(i) for i in session.exec(sold).all() if i is not None}
    ids |= {int(i) for i in session.exec(drawn).all()}
    if not ids:
        return []
    packages = list(
        session.exec(select(Package).where(col(Package.id).in_(ids)).order_by(col(Package.id)))
    )
    reads = []
    for read in package_reads(session, packages, on):
        later = sum(1 for use in read.uses if use.date > on)
        reads.append(dataclasses.replace(read, left=read.left + later, used=read.used - later))
    return reads
