"""Session packages: N sessions of chosen services, sold and invoiced up front.

How a drawn session stays straight in the ledger: the completed appointment's
billing item is created as usual, then a ``package_use`` row links it to the
package and the item's unit price becomes 0 (its description says which package
and which session; the use keeps what it would have cost). So the item is an
ordinary item worth nothing: it can be invoiced (a zero line, the client's record
of the session) and nothing else changes. Totals are still the sums of their
lines, no item is on two live invoices, every balance is still the sum of its
ledger, and the package's money was billed exactly once, on the sale's invoice.

A package is drawn from while its sale invoice is live, the session's date is on
or before its expiry, and it has sessions left; the oldest-expiring first. Once
used up or expired, items are billed at their own price. Reopening a session
gives its drawn session back. Unused sessions are refunded pro rata as a credit
note against the sale's invoice: net = price x unused / sessions, rounded by the
one rule of ``money``. That is the only refund of a sale with sessions undrawn: a
credit note or card refund naming its invoice is refused, and so is voiding it once
a session was drawn or the package refunded (``package_guards``).
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem, Invoice, InvoiceLine, Service
from cp_tui.models.packages import Package, PackageCover, PackageUse
from cp_tui.money import line_amounts, round_half_up
from cp_tui.services import audit, ledger, package_guards
from cp_tui.services.card_payments import CardPaymentService
from cp_tui.services.catalogue import parse_price, parse_rate
from cp_tui.services.clients import get_client
from cp_tui.services.credits import issue_credit_note
from cp_tui.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from cp_tui.services.invoicing import InvoiceService
from cp_tui.services.package_reads import (
    PackageRead,
    PackageRefund,
    PackageSale,
    package_reads,
)
from cp_tui.services.textfields import check_length, check_year
from cp_tui.store import Database

MAX_SESSIONS = 200
MAX_NAME = 200  # the package's name column

__all__ = [
    "PackageRead",
    "PackageRefund",
    "PackageSale",
    "PackageService",
    "draw_sessions",
    "keep_covered",
    "release_items",
]


class PackageService:
    """Sell, list, show and refund packages (``services.packages``)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        invoices: InvoiceService,
        charges: CardPaymentService | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._invoices = invoices
        self._charges = charges

    def sell(
        self,
        *,
        client_id: int,
        sessions: int,
        service_ids: Sequence[int],
        price: str | Decimal | int,
        tax_rate: str | Decimal | None = None,
        expires_on: date | None = None,
        name: str = "",
        apply_credit: bool = False,
        charge_card: bool = False,
    ) -> PackageSale:
        """Create the package and its invoice; charge the saved card at once if asked."""
        if not 1 <= sessions <= MAX_SESSIONS:
            raise InvalidInput(f"a package has 1 to {MAX_SESSIONS} sessions, got {sessions}")
        wanted = list(dict.fromkeys(service_ids))
        if not wanted:
            raise InvalidInput("say which services the package covers, e.g. --service 1")
        today = self._clock.today()
        if expires_on is not None and expires_on < today:
            raise InvalidInput(f"the expiry {expires_on} is already past")
        if expires_on is not None:
            check_year(expires_on, "the expiry")
        name = check_length(name, "a package's name", MAX_NAME)
        with self._db.write() as session:
            client = ledger.lock_client(session, client_id)
            if client.archived_at is not None:
                raise NotAllowed(f"{client.name} is archived; restore them before selling")
            settings = ledger.practice(session)
            amount = parse_price(price, settings.currency)
            if amount == 0:
                raise InvalidInput("a package's price must be more than 0")
            rate = settings.default_tax_rate if tax_rate is None else parse_rate(tax_rate)
            names = []
            for service_id in wanted:
                service = session.get(Service, service_id)
                if service is None:
                    raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
                names.append(service.name)
            title = name or f"{sessions} sessions of {', '.join(names)}"
            until = f", until {expires_on}" if expires_on else ""
            item = BillingItem(
                client_id=client_id,
                date=today,
                description=f"Package: {title}{until}"[:500],
                units=Decimal(1),
                unit_price=amount,
                tax_rate=rate,
                created_at=self._clock.now(),
            )
            session.add(item)
            session.flush()
            package = Package(
                client_id=client_id,
                name=title[:MAX_NAME],
                sessions=sessions,
                price=amount,
                sale_item_id=item.id or 0,
                expires_on=expires_on,
                created_at=self._clock.now(),
            )
            session.add(package)
            session.flush()
            for service_id in wanted:
                session.add(PackageCover(package_id=package.id or 0, service_id=service_id))
            audit.record(
                session,
                self._clock,
                "package.sell",
                client_id=client_id,
                detail=f"package {package.id}: {title}",
            )
            package_id, item_id = package.id or 0, item.id or 0
        try:
            invoice = self._invoices.create(
                client_id=client_id, item_ids=[item_id], apply_credit=apply_credit
            )
        except DomainError:
            self._unsell(package_id, item_id)
            raise
        message = f"Sold package {package_id}; invoice {invoice.number}."
        charged = False
        if charge_card and invoice.amount_due > 0 and self._charges is None:
            message = f"{message} The card was not charged: payments are not set up."
        elif charge_card and invoice.amount_due > 0 and self._charges is not None:
            try:
                outcome = self._charges.charge(invoice.number or "")
                message = f"{message} {outcome.message}"
                invoice = outcome.invoice
                charged = outcome.invoice.amount_due <= 0
            except DomainError as exc:
                message = f"{message} The card was not charged: {exc}"
        return PackageSale(
            package=self.get(package_id), invoice=invoice, charged=charged, message=message
        )

    def _unsell(self, package_id: int, item_id: int) -> None:
        with self._db.write() as session:
            session.execute(delete(PackageCover).where(col(PackageCover.package_id) == package_id))
            session.execute(delete(Package).where(col(Package.id) == package_id))
            session.execute(delete(BillingItem).where(col(BillingItem.id) == item_id))

    def list(
        self, *, client_id: int | None = None, active_only: bool = False
    ) -> builtins.list[PackageRead]:
        with self._db.read() as session:
            query = select(Package).order_by(col(Package.id))
            if client_id is not None:
                get_client(session, client_id)
                query = query.where(col(Package.client_id) == client_id)
            reads = package_reads(session, list(session.exec(query).all()), self._clock.today())
        return [r for r in reads if r.status == "active"] if active_only else reads

    def get(self, package_id: int) -> PackageRead:
        with self._db.read() as session:
            return package_reads(session, [_package(session, package_id)], self._clock.today())[0]

    def covering(self, item_ids: Iterable[int]) -> dict[int, str]:
        """Item id -> "package 3, session 2 of 10" for the items a package covered."""
        ids = list(item_ids)
        if not ids:
            return {}
        with self._db.read() as session:
            rows = session.exec(
                select(PackageUse, Package)
                .join(Package, col(Package.id) == PackageUse.package_id)
                .where(col(PackageUse.item_id).in_(ids))
            ).all()
            return {
                use.item_id: f"package {pkg.id} ({pkg.name}), session {use.seq} of {pkg.sessions}"
                for use, pkg in rows
            }

    def refund(self, package_id: int, *, reason: str = "") -> PackageRefund:
        """Credit note for the unused sessions, pro rata; they can no longer be drawn."""
        with self._db.write() as session:
            package = _package(session, package_id)
            # The credit goes to whoever was billed for the sale (a parent paying for a
            # child's sessions), so it is their ledger that is locked and written.
            sold = _sale_invoice(session, package.sale_item_id)
            ledger.lock_client(session, sold.client_id if sold else package.client_id)
            session.refresh(package)
            used = _used(session, [package_id]).get(package_id, 0)
            unused = package.sessions - package.refunded_sessions - used
            if unused <= 0:
                raise NotAllowed(f"package {package_id} has no unused sessions to refund")
            sale_item = session.get(BillingItem, package.sale_item_id)
            invoice = _sale_invoice(session, package.sale_item_id)
            if sale_item is None or invoice is None:
                raise NotAllowed(f"package {package_id}'s sale is not on a live invoice")
            if sold is None or invoice.client_id != sold.client_id:  # rebilled meanwhile
                raise NotAllowed(
                    f"package {package_id}'s sale was billed anew to {invoice.number} just now; "
                    "run the refund again"
                )
            credited = package_guards.other_credit_notes(session, invoice)
            if credited:
                raise NotAllowed(
                    f"{invoice.number}, the sale of package {package_id}, was already credited "
                    f"by {', '.join(credited)}; a refund of its unused sessions could refund "
                    "the same money twice. Settle what is still owed with a credit note that "
                    "names no invoice"
                )
            net = round_half_up(Decimal(package.price) * unused / package.sessions)
            text = reason.strip() or (
                f"Refund of {unused} unused session(s) of package {package_id} ({package.name})"
            )
            note = issue_credit_note(
                session,
                self._clock,
                client_id=invoice.client_id,
                net=net,
                reason=text[:500],
                rate=sale_item.tax_rate,
                corrected=invoice,
            )
            package.refunded_sessions += unused
            package.refund_note_id = note.id
            audit.record(
                session,
                self._clock,
                "package.refund",
                client_id=package.client_id,
                invoice_id=note.id,
                detail=f"package {package_id}: {unused} session(s), {note.number}",
            )
            number, total = note.number or "", note.total
            payer = get_client(session, invoice.client_id).name
        return PackageRefund(
            package=self.get(package_id),
            sessions=unused,
            credit_note=number,
            amount=-total,
            credited_to=payer,
        )


# -- used inside other use cases' transactions ---------------------------------------------


def draw_sessions(session: Session, clock: Clock, items: Iterable[BillingItem]) -> int:
    """Cover each new appointment item a package can cover; returns how many were covered."""
    covered = 0
    for item in items:
        if item.service_id is None or item.appointment_id is None or item.id is None:
            continue
        package = _available(session, item.client_id, item.service_id, item.date)
        if package is None:
            continue
        ledger.lock_client(session, item.client_id)
        used = _used(session, [package.id or 0]).get(package.id or 0, 0)
        if used >= package.sessions - package.refunded_sessions:
            continue
        last = session.execute(
            select(func.coalesce(func.max(PackageUse.seq), 0)).where(
                col(PackageUse.package_id) == package.id
            )
        ).scalar_one()
        net = line_amounts(item.units, item.unit_price, item.tax_rate).net
        session.add(
            PackageUse(
                package_id=package.id or 0,
                seq=int(last) + 1,
                item_id=item.id,
                covered_price=net,
                created_at=clock.now(),
            )
        )
        item.unit_price = 0
        label = f" (package {package.id}: session {used + 1} of {package.sessions})"
        item.description = f"{item.description[: 500 - len(label)]}{label}"
        covered += 1
        session.flush()
    return covered


def keep_covered(session: Session, item: BillingItem) -> bool:
    """After a drawn session's charge changed: the item stays worth nothing, the use
    keeps what the session now would have cost. False when no package covers it."""
    use = session.exec(select(PackageUse).where(col(PackageUse.item_id) == item.id)).first()
    if use is None:
        return False
    use.covered_price = line_amounts(item.units, item.unit_price, item.tax_rate).net
    item.unit_price = 0
    return True


def release_items(session: Session, item_ids: Iterable[int]) -> None:
    """Give drawn sessions back before their items are deleted (a session reopened)."""
    ids = list(item_ids)
    if ids:
        session.execute(delete(PackageUse).where(col(PackageUse.item_id).in_(ids)))


def _package(session: Session, package_id: int) -> Package:
    row = session.get(Package, package_id)
    if row is None:
        raise NotFound(f"no package with id {package_id}; `cp-tui packages list` shows them")
    return row


def _used(session: Session, package_ids: builtins.list[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    if package_ids:
        for package_id, count in session.execute(
            select(PackageUse.package_id, func.count())
            .where(col(PackageUse.package_id).in_(package_ids))
            .group_by(col(PackageUse.package_id))
        ).all():
            counts[int(package_id)] = int(count)
    return counts


def _sale_invoice(session: Session, sale_item_id: int) -> Invoice | None:
    return session.exec(
        select(Invoice)
        .join(InvoiceLine, col(InvoiceLine.invoice_id) == Invoice.id)
        .where(col(InvoiceLine.active_item_id) == sale_item_id)
    ).first()


def _available(session: Session, client_id: int, service_id: int, on: date) -> Package | None:
    candidates = session.exec(
        select(Package)
        .join(PackageCover, col(PackageCover.package_id) == Package.id)
        .where(col(Package.client_id) == client_id)
        .where(col(PackageCover.service_id) == service_id)
        .order_by(col(Package.id))
    ).all()
    live = [
        p
        for p in candidates
        if (p.expires_on is None or p.expires_on >= on)
        and _sale_invoice(session, p.sale_item_id) is not None
    ]
    if not live:
        return None
    used = _used(session, [p.id or 0 for p in live])
    open_ = [p for p in live if used[p.id or 0] < p.sessions - p.refunded_sessions]
    open_.sort(key=lambda p: (p.expires_on is None, p.expires_on or on, p.id or 0))
    return open_[0] if open_ else None
