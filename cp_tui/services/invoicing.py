"""Invoices: created from a client's uninvoiced items, edited until sent or paid, voided.

Numbers are taken inside the issuing transaction, so a failed issue leaves no
gap. A sent or paid invoice is never edited: a credit note naming it corrects
it (see ``credits``).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Attendee,
    AuditEntry,
    BillingItem,
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Package,
)
from cp_tui.money import line_amounts
from cp_tui.services import audit, copays, ledger, package_guards
from cp_tui.services.catalogue import parse_price, parse_rate
from cp_tui.services.drafts import require_issued
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.invoice_query import (
    normalize_status,
    summaries,
    totals,
    where_status,
)
from cp_tui.services.invoice_reads import (
    get_invoice,
    invoice_read,
    invoice_reads,
    snapshot,
    snapshot_of,
)
from cp_tui.services.items import get_item, parse_units_input
from cp_tui.services.readmodels import AuditRead, InvoiceRead, InvoiceSummary, InvoiceTotals
from cp_tui.store import Database


@dataclass(frozen=True, slots=True)
class LineChange:
    """Units, price (major units, as typed) or tax rate to change on one line."""

    units: str | Decimal | None = None
    price: str | Decimal | int | None = None
    tax_rate: str | Decimal | None = None


class InvoiceService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- issuing ----------------------------------------------------------------

    def create(
        self,
        *,
        client_id: int,
        item_ids: Iterable[int] | None = None,
        bill_to: int | None = None,
        apply_credit: bool = False,
        changes: Mapping[int, LineChange] | None = None,
        draft: bool = False,
    ) -> InvoiceRead:
        """Invoice a client's chosen uninvoiced items (all of them by default).

        A draft holds its items but takes no number and asks for no money until it
        is issued (``drafts.DraftService.issue``); credit is applied at issue.
        """
        payer_id = bill_to if bill_to is not None else client_id
        with self._db.write() as session:
            # Both clients, always in id order: two terminals billing the same pair
            # crosswise wait for each other instead of deadlocking.
            locked = {
                cid: ledger.lock_client(session, cid) for cid in sorted({payer_id, client_id})
            }
            payer = locked[payer_id]
            if payer.archived_at is not None:
                raise NotAllowed(f"{payer.name} is archived; restore them before invoicing")
            settings = ledger.practice(session)
            if item_ids is None:
                items = self._uninvoiced(session, client_id)
                if not items:
                    raise InvalidInput(
                        f"client {client_id} has no uninvoiced items; complete a session "
                        "or generate its items first"
                    )
            else:
                wanted = list(dict.fromkeys(item_ids))
                if not wanted:
                    raise InvalidInput("choose at least one item to invoice")
                items = [get_item(session, item_id) for item_id in wanted]
            self._check_billable(session, items, client_id, payer_id)
            for item_id in changes or {}:
                if item_id not in {i.id for i in items}:
                    raise InvalidInput(f"item {item_id} is not among the items being invoiced")
            number = None
            if not draft:
                number = ledger.format_number(
                    settings.invoice_prefix, ledger.next_number(session, InvoiceKind.INVOICE)
                )
            today = self._clock.today()
            invoice = Invoice(
                number=number,
                kind=InvoiceKind.INVOICE,
                status=InvoiceStatus.DRAFT if draft else InvoiceStatus.UNPAID,
                client_id=payer_id,
                currency=settings.currency,
                issue_date=today,
                due_date=today + timedelta(days=settings.payment_terms_days),
                created_at=self._clock.now(),
            )
            session.add(invoice)
            session.flush()
            for position, item in enumerate(items):
                self._apply_change(session, item, (changes or {}).get(item.id or 0))
                session.add(self._line_for(session, invoice, item, position))
            self._flush_lines(session)
            ledger.retotal(session, invoice)
            if apply_credit and not draft:
                self._take_credit(session, invoice, ledger.credit_balance(session, payer_id))
            ledger.settle_status(invoice)
            session.flush()
            read = invoice_read(session, invoice)
            audit.record(
                session,
                self._clock,
                "invoice.draft" if draft else "invoice.issue",
                client_id=payer_id,
                invoice_id=invoice.id,
                detail=number or "draft",
                after=snapshot_of(read),
            )
            return read

    def apply_credit(self, number: str) -> InvoiceRead:
        """Use the client's credit balance on an open invoice."""
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            self._require_open(invoice, "apply credit to")
            balance = ledger.credit_balance(session, invoice.client_id)
            if balance <= 0:
                raise NotAllowed("the client has no credit balance to apply")
            before = snapshot(session, invoice)
            self._take_credit(session, invoice, balance)
            ledger.settle_status(invoice)
            audit.record(
                session,
                self._clock,
                "invoice.apply_credit",
                client_id=invoice.client_id,
                invoice_id=invoice.id,
                detail=invoice.number or "",
                before=before,
                after=snapshot(session, invoice),
            )
            return invoice_read(session, invoice)

    # -- changing -----------------------------------------------------------------

    def edit(
        self,
        number: str,
        *,
        changes: Mapping[int, LineChange] | None = None,
        remove: Iterable[int] = (),
        add: Iterable[int] = (),
    ) -> InvoiceRead:
        """Change an invoice that is neither sent nor paid; the audit keeps before and after."""
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            self._require_editable(invoice)
            before = snapshot(session, invoice)
            _refuse_package_sale_changes(session, [*(changes or {}), *remove])
            lines = {
                line.item_id: line
                for line in session.exec(
                    select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id)
                ).all()
            }
            for item_id in dict.fromkeys(remove):
                line = lines.pop(item_id, None)
                if line is None:
                    raise InvalidInput(f"item {item_id} is not on {invoice.number}")
                session.delete(line)
            session.flush()
            added = [get_item(session, item_id) for item_id in dict.fromkeys(add)]
            if added:
                owners = {get_item(session, i).client_id for i in lines if i is not None}
                self._check_billable(
                    session, added, invoice.client_id, invoice.client_id, owners=owners
                )
                position = max((ln.position for ln in lines.values()), default=-1) + 1
                for offset, item in enumerate(added):
                    line = self._line_for(session, invoice, item, position + offset)
                    session.add(line)
                    lines[item.id] = line
            for item_id, change in (changes or {}).items():
                line = lines.get(item_id)
                if line is None:
                    raise InvalidInput(f"item {item_id} is not on {invoice.number}")
                item = get_item(session, item_id)
                self._apply_change(session, item, change, invoice.number)
                self._copy_amounts(line, item)
            if not lines:
                raise NotAllowed(
                    f"that would leave {invoice.number} with no lines; void it instead"
                )
            self._flush_lines(session)
            ledger.retotal(session, invoice)
            if invoice.credit_applied > max(invoice.total, 0):
                self._restore_credit(
                    session, invoice, invoice.credit_applied - max(invoice.total, 0)
                )
            ledger.settle_status(invoice)
            audit.record(
                session,
                self._clock,
                "invoice.edit",
                client_id=invoice.client_id,
                invoice_id=invoice.id,
                detail=invoice.number or "",
                before=before,
                after=snapshot(session, invoice),
            )
            return invoice_read(session, invoice)

    def void(self, number: str, *, reason: str = "") -> InvoiceRead:
        """Cancel an invoice with no payment; its items go back to uninvoiced."""
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            if invoice.status == InvoiceStatus.DRAFT:
                raise NotAllowed(
                    f"{number} is a draft: discard it (`cp-tui invoices discard {number}`)"
                )
            ledger.lock_client(session, invoice.client_id)
            session.refresh(invoice)
            if invoice.status == InvoiceStatus.VOID:
                raise NotAllowed(f"{invoice.number} is already void")
            if invoice.kind == InvoiceKind.CREDIT_NOTE:
                raise NotAllowed(
                    f"{invoice.number} is a credit note; its credit may be spent already, "
                    "so it is not voided: issue an invoice for the amount instead"
                )
            if invoice.amount_paid > 0:
                raise NotAllowed(
                    f"{invoice.number} has payments; correct it with a credit note "
                    f"(`cp-tui credits add --invoice {invoice.number} ...`)"
                )
            package_guards.refuse_void_of_sale(session, invoice)
            before = snapshot(session, invoice)
            for line in session.exec(
                select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id)
            ).all():
                line.active_item_id = None
            if invoice.credit_applied:
                self._restore_credit(session, invoice, invoice.credit_applied, keep_applied=True)
            invoice.status = InvoiceStatus.VOID
            invoice.voided_at = self._clock.now()
            invoice.reason = reason or invoice.reason
            audit.record(
                session,
                self._clock,
                "invoice.void",
                client_id=invoice.client_id,
                invoice_id=invoice.id,
                detail=reason,
                before=before,
                after=snapshot(session, invoice),
            )
            return invoice_read(session, invoice)

    def mark_sent(self, number: str) -> InvoiceRead:
        """Record that the client has the invoice; from now on it is never edited."""
        with self._db.write() as session:
            invoice = get_invoice(session, number)
            require_issued(invoice, "send it")
            if invoice.status == InvoiceStatus.VOID:
                raise NotAllowed(f"{invoice.number} is void; it cannot be sent")
            if invoice.sent_at is None:
                invoice.sent_at = self._clock.now()
                audit.record(
                    session,
                    self._clock,
                    "invoice.sent",
                    client_id=invoice.client_id,
                    invoice_id=invoice.id,
                    detail=invoice.number or "",
                )
            return invoice_read(session, invoice)

    # -- reading ----------------------------------------------------------------------

    def get(self, number: str) -> InvoiceRead:
        with self._db.read() as session:
            return invoice_read(session, get_invoice(session, number))

    def history(self, number: str) -> builtins.list[AuditRead]:
        """Every audit row about the invoice, oldest first."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            rows = session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.invoice_id) == invoice.id)
                .order_by(col(AuditEntry.id))
            ).all()
            return [
                AuditRead(at=r.at, action=r.action, detail=r.detail, before=r.before, after=r.after)
                for r in rows
            ]

    def list(
        self, *, client_id: int | None = None, status: str = "all"
    ) -> builtins.list[InvoiceRead]:
        status = normalize_status(status)
        with self._db.read() as session:
            query = select(Invoice).order_by(col(Invoice.issue_date), col(Invoice.id))
            if client_id is not None:
                query = query.where(col(Invoice.client_id) == client_id)
            query = where_status(query, status, self._clock.today())
            return invoice_reads(session, list(session.exec(query).all()), with_payments=False)

    def page(
        self, *, status: str = "all", search: str = "", offset: int = 0, limit: int = 200
    ) -> builtins.list[InvoiceSummary]:
        """One page of the filtered invoices, newest first; search matches number or client."""
        status = normalize_status(status)
        with self._db.read() as session:
            return summaries(
                session, status, search, self._clock.today(), offset=offset, limit=limit
            )

    def summary(self, *, status: str = "all", search: str = "") -> InvoiceTotals:
        """Count, total and amount due of everything ``page`` pages through."""
        status = normalize_status(status)
        with self._db.read() as session:
            return totals(session, status, search, self._clock.today())

    # -- internals ----------------------------------------------------------------------

    def _uninvoiced(self, session: Session, client_id: int) -> builtins.list[BillingItem]:
        return list(
            session.exec(
                select(BillingItem)
                .outerjoin(InvoiceLine, col(InvoiceLine.active_item_id) == BillingItem.id)
                .where(col(InvoiceLine.id).is_(None))
                .where(col(BillingItem.client_id) == client_id)
                .order_by(col(BillingItem.date), col(BillingItem.id))
            ).all()
        )

    def _check_billable(
        self,
        session: Session,
        items: builtins.list[BillingItem],
        client_id: int,
        payer_id: int,
        *,
        owners: set[int] | None = None,
    ) -> None:
        """Uninvoiced, and the client's own, or from a session the client or payer attended.

        So a partner can pay for a couples session, and a parent who did not attend
        can pay for both children's group session.
        """
        numbers = ledger.invoiced_numbers(session, [i.id or 0 for i in items])
        allowed = (owners or set()) | {client_id, payer_id}
        for item in items:
            if item.id in numbers:
                raise NotAllowed(f"item {item.id} is already on invoice {numbers[item.id or 0]}")
            if item.client_id in allowed:
                continue
            shared = (
                item.appointment_id is not None
                and session.exec(
                    select(Attendee.id)
                    .where(col(Attendee.appointment_id) == item.appointment_id)
                    .where(col(Attendee.client_id).in_(sorted(allowed)))
                ).first()
            )
            if not shared:
                raise InvalidInput(
                    f"item {item.id} belongs to client {item.client_id}; invoice it with "
                    f"--client {item.client_id} --bill-to {payer_id}"
                )

    def _apply_change(
        self,
        session: Session,
        item: BillingItem,
        change: LineChange | None,
        on_invoice: str | None = None,
    ) -> None:
        """Change a line's item, unless its amount is fixed by a claim or a package.

        A change that leaves the line as it is passes (the screens send every line
        the person opened); a real one obeys the rules every amount change obeys.
        """
        if change is None:
            return
        units = item.units if change.units is None else parse_units_input(change.units)
        price = (
            item.unit_price
            if change.price is None
            else parse_price(change.price, ledger.practice(session).currency)
        )
        rate = item.tax_rate if change.tax_rate is None else parse_rate(change.tax_rate)
        if (units, price, rate) == (item.units, item.unit_price, item.tax_rate):
            return
        package_guards.refuse_sale_price_change(session, item)
        copays.refuse_split_change(session, item, on_invoice)
        package_guards.refuse_price_on_covered(session, item, price)
        item.units, item.unit_price, item.tax_rate = units, price, rate

    def _line_for(
        self, session: Session, invoice: Invoice, item: BillingItem, position: int
    ) -> InvoiceLine:
        description = item.description
        if item.client_id != invoice.client_id:
            attendee = session.get(Client, item.client_id)
            description = f"{description} ({attendee.name})" if attendee else description
        line = InvoiceLine(
            invoice_id=invoice.id or 0,
            position=position,
            item_id=item.id,
            active_item_id=item.id,
            service_date=item.date,
            description=description,
            units=item.units,
            unit_price=item.unit_price,
            tax_rate=item.tax_rate,
            net=0,
            tax=0,
        )
        self._copy_amounts(line, item)
        return line

    @staticmethod
    def _copy_amounts(line: InvoiceLine, item: BillingItem) -> None:
        amounts = line_amounts(item.units, item.unit_price, item.tax_rate)
        line.units, line.unit_price, line.tax_rate = item.units, item.unit_price, item.tax_rate
        line.net, line.tax = amounts.net, amounts.tax

    @staticmethod
    def _flush_lines(session: Session) -> None:
        try:
            session.flush()
        except IntegrityError as exc:
            # The unique key on active_item_id: another terminal invoiced the item.
            raise NotAllowed(
                "one of these items was invoiced a moment ago elsewhere; reload and try again"
            ) from exc

    def _take_credit(self, session: Session, invoice: Invoice, balance: int) -> None:
        ledger.take_credit(session, invoice, balance, self._clock.now())

    def _restore_credit(
        self, session: Session, invoice: Invoice, amount: int, *, keep_applied: bool = False
    ) -> None:
        if not keep_applied:
            invoice.credit_applied -= amount
        session.add(
            CreditEntry(
                client_id=invoice.client_id,
                amount=amount,
                kind=CreditKind.RESTORED,
                invoice_id=invoice.id,
                note=f"returned from {invoice.number}",
                created_at=self._clock.now(),
            )
        )

    @staticmethod
    def _require_open(invoice: Invoice, doing: str) -> None:
        require_issued(invoice, doing)
        if invoice.kind != InvoiceKind.INVOICE:
            raise NotAllowed(f"{invoice.number} is a credit note; cannot {doing} it")
        if invoice.status == InvoiceStatus.VOID:
            raise NotAllowed(f"{invoice.number} is void; cannot {doing} it")
        if ledger.amount_due(invoice) <= 0:
            raise NotAllowed(f"nothing is due on {invoice.number}")

    @staticmethod
    def _require_editable(invoice: Invoice) -> None:
        if invoice.kind != InvoiceKind.INVOICE:
            raise NotAllowed(f"{invoice.number} is a credit note; credit notes are not edited")
        if invoice.status == InvoiceStatus.VOID:
            raise NotAllowed(f"{invoice.number} is void; it cannot be edited")
        if invoice.amount_paid > 0 or invoice.status == InvoiceStatus.PAID:
            raise NotAllowed(
                f"{invoice.number} is paid (or has a payment), so it is never edited; correct "
                f"it with a credit note (`cp-tui credits add --invoice {invoice.number} ...`)"
            )
        if invoice.sent_at is not None:
            raise NotAllowed(
                f"{invoice.number} was sent, so it is never edited; correct it with a "
                f"credit note (`cp-tui credits add --invoice {invoice.number} ...`)"
            )


def _refuse_package_sale_changes(session: Session, item_ids: list[int]) -> None:
    """A package's sale line keeps the price it was sold at: its refund is reckoned from it."""
    if not item_ids:
        return
    sold = session.exec(select(Package.id).where(col(Package.sale_item_id).in_(item_ids))).first()
    if sold is not None:
        raise NotAllowed(
            f"that line is the sale of package {sold}, whose price is fixed when it is sold; "
            "void the invoice to cancel the package, or refund its unused sessions"
        )
