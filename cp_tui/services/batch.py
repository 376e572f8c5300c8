"""Batch runs: the Friday week and the month-end, one invoice per client.

``preview`` lists what a run would bill; ``run`` creates the invoices, a chunk of
them per transaction with bulk SQL (``batch_writer``), so a run killed half-way
leaves only whole invoices and running it again completes the rest. A run that
e-mails or charges creates each invoice in its own transaction (through
``InvoiceService.create``) before it is sent. Items already on an invoice are
never billed again, so a second run creates nothing.
Recurring occurrences whose items were never generated are listed, never billed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    BillingItem,
    Charge,
    Client,
    InvoiceLine,
    SavedCard,
    Service,
    UninvoicedItem,
)
from cp_tui.services import ledger
from cp_tui.services.batch_rows import (
    BatchOutcome,
    BatchPreview,
    BatchResult,
    BatchRow,
    UnbilledOccurrence,
)
from cp_tui.services.batch_writer import BatchWriter
from cp_tui.services.errors import DomainError, InvalidInput
from cp_tui.services.invoicing import InvoiceService
from cp_tui.store import Database

PERIODS = ("week", "month")


Progress = Callable[[int, int, BatchOutcome], None]


class Sender(Protocol):
    def send_invoice(self, number: str) -> object: ...


class Charger(Protocol):
    def charge(self, number: str) -> object: ...


def period_bounds(period: str, on: date) -> tuple[date, date]:
    """Week: Monday to Sunday of ``on``'s week. Month: the calendar month before ``on``."""
    if period == "week":
        monday = on - timedelta(days=on.weekday())
        return monday, monday + timedelta(days=6)
    if period == "month":
        last = on.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    raise InvalidInput(f"--period is week or month, got {period!r}")


class BatchService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        invoices: InvoiceService,
        *,
        sender: Sender | None = None,
        charger: Charger | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._invoices = invoices
        self._sender = sender
        self._charger = charger
        self._writer = BatchWriter(db, clock)

    # -- preview ------------------------------------------------------------------

    def preview(
        self,
        period: str = "week",
        on: date | None = None,
        *,
        apply_credit: bool = True,
        include_earlier: bool = False,
    ) -> BatchPreview:
        """What a run would bill. ``include_earlier`` adds uninvoiced items dated
        before the period (a claim's rest, a session generated late); without it
        the preview counts them, so they are never forgotten silently."""
        start, end = period_bounds(period, on or self._clock.today())
        with self._db.read() as session:
            earlier = (0, 0) if include_earlier else self._earlier(session, start)
            return BatchPreview(
                period=period,
                start=start,
                end=end,
                currency=ledger.practice(session).currency,
                rows=self._rows(
                    session, None if include_earlier else start, end, None, apply_credit
                ),
                unbilled=self._unbilled(session, start, end),
                include_earlier=include_earlier,
                earlier_items=earlier[0],
                earlier_clients=earlier[1],
            )

    # -- run --------------------------------------------------------------------------

    def run(
        self,
        selection: Sequence[BatchRow] | Sequence[int],
        *,
        period: str = "week",
        on: date | None = None,
        apply_credit: bool = True,
        include_earlier: bool = False,
        send: bool = False,
        charge: bool = False,
        progress: Progress | None = None,
    ) -> BatchResult:
        """Invoice each chosen client for their period items, up to ``CHUNK`` a transaction.

        ``selection`` is preview rows (their items, as previewed) or client ids (their
        items in ``period`` of ``on``, and earlier ones with ``include_earlier``).
        Items invoiced since are left out, so running the same batch twice creates
        each invoice once. ``progress`` hears of each invoice once it is written;
        if it raises, what it heard of is kept and the exception goes on. With
        ``send`` or ``charge``, each invoice is committed on its own before it is
        sent or charged.
        """
        rows = self._selected(selection, period, on, apply_credit, include_earlier)
        outcomes: list[BatchOutcome] = []

        def report(outcome: BatchOutcome) -> None:
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), len(rows), outcome)

        if send or charge:
            # Each invoice is committed before it is e-mailed or charged, and the
            # network, not the database, sets the pace: one transaction each.
            for row in rows:
                outcome = self._invoice_one(row, apply_credit=apply_credit)
                if outcome.invoice is not None:
                    outcome = self._deliver(outcome, send=send, charge=charge, card=row.card)
                report(outcome)
            return BatchResult(outcomes)
        at = 0
        while at < len(rows):
            written = self._writer.write(rows[at:], apply_credit=apply_credit, report=report)
            if written.cancelled is not None:
                raise written.cancelled
            at += written.done
            if written.one_by_one:
                # The bulk path stopped before a row it cannot vouch for: ``create``
                # invoices it or says what is wrong, in its own transaction.
                report(self._invoice_one(rows[at], apply_credit=apply_credit))
                at += 1
        return BatchResult(outcomes)

    def _selected(
        self,
        selection: Sequence[BatchRow] | Sequence[int],
        period: str,
        on: date | None,
        apply_credit: bool,
        include_earlier: bool,
    ) -> list[BatchRow]:
        chosen = list(selection)
        if not chosen:
            return []
        if all(isinstance(entry, BatchRow) for entry in chosen):
            rows = [entry for entry in chosen if isinstance(entry, BatchRow)]
            with self._db.read() as session:
                wanted = [i for row in rows for i in row.item_ids]
                taken = ledger.invoiced_numbers(session, wanted)
            return [
                replace(row, item_ids=[i for i in row.item_ids if i not in taken]) for row in rows
            ]
        ids = [entry for entry in chosen if isinstance(entry, int)]
        start, end = period_bounds(period, on or self._clock.today())
        with self._db.read() as session:
            found = {
                row.client_id: row
                for row in self._rows(
                    session, None if include_earlier else start, end, ids, apply_credit
                )
            }
            names = dict(
                session.exec(select(Client.id, Client.name).where(col(Client.id).in_(ids))).all()
            )
        return [
            found.get(cid)
            or BatchRow(cid, str(names.get(cid, f"client {cid}")), "", [], 0, 0, None)
            for cid in dict.fromkeys(ids)
        ]

    def _invoice_one(self, row: BatchRow, *, apply_credit: bool) -> BatchOutcome:
        base = BatchOutcome(client_id=row.client_id, client_name=row.client_name, status="skipped")
        if not row.item_ids:
            return replace(base, message="nothing left to invoice in this period")
        try:
            invoice = self._invoices.create(
                client_id=row.client_id, item_ids=row.item_ids, apply_credit=apply_credit
            )
        except DomainError as exc:
            return replace(base, status="failed", message=str(exc))
        return replace(
            base,
            status="created",
            invoice=invoice.number,
            total=invoice.total,
            amount_due=invoice.amount_due,
            message=f"{invoice.number} created",
        )

    def _deliver(
        self, outcome: BatchOutcome, *, send: bool, charge: bool, card: str | None
    ) -> BatchOutcome:
        number = outcome.invoice
        assert number is not None
        notes = [outcome.message]
        if charge and self._charger is not None and card and outcome.amount_due > 0:
            try:
                result = self._charger.charge(number)
                outcome = replace(outcome, charged=str(getattr(result, "outcome", "done")))
                notes.append(str(getattr(result, "message", "charged")))
            except DomainError as exc:
                outcome = replace(outcome, charged="failed", undelivered=True)
                notes.append(f"not charged: {exc}; `cp-tui payments charge {number}` retries")
        if send and self._sender is not None:
            try:
                self._sender.send_invoice(number)
                outcome = replace(outcome, sent=True)
                notes.append("sent")
            except DomainError as exc:
                outcome = replace(outcome, undelivered=True)
                notes.append(f"not sent: {exc}; `cp-tui invoices send {number}` retries")
        return replace(outcome, message="; ".join(notes))

    # -- queries ------------------------------------------------------------------------

    def _rows(
        self,
        session: Session,
        start: date | None,
        end: date,
        client_ids: list[int] | None,
        apply_credit: bool,
    ) -> list[BatchRow]:
        """Active clients' uninvoiced items dated ``start`` (any day if None) to ``end``."""
        query = (
            select(BillingItem)
            .join(Client, col(Client.id) == BillingItem.client_id)
            .outerjoin(InvoiceLine, col(InvoiceLine.active_item_id) == BillingItem.id)
            .where(col(InvoiceLine.id).is_(None))
            .where(col(Client.archived_at).is_(None))
            .where(col(BillingItem.date) <= end)
            .order_by(col(BillingItem.date), col(BillingItem.id))
        )
        if start is not None:
            query = query.where(col(BillingItem.date) >= start)
        if client_ids is not None:
            query = query.where(col(BillingItem.client_id).in_(client_ids))
        by_client: dict[int, list[BillingItem]] = defaultdict(list)
        for item in session.exec(query).all():
            by_client[item.client_id].append(item)
        if not by_client:
            return []
        ids = sorted(by_client)
        clients = {
            c.id: c for c in session.exec(select(Client).where(col(Client.id).in_(ids))).all()
        }
        cards = {
            c.client_id: c
            for c in session.exec(select(SavedCard).where(col(SavedCard.client_id).in_(ids))).all()
        }
        balances = ledger.credit_balances(session, ids)
        rows = []
        for cid in ids:
            client = clients[cid]
            items = by_client[cid]
            total = sum(ledger.item_total(i) for i in items)
            credit = min(max(balances.get(cid, 0), 0), max(total, 0))
            card = cards.get(cid)
            rows.append(
                BatchRow(
                    client_id=cid,
                    client_name=client.name,
                    email=client.email,
                    item_ids=[i.id or 0 for i in items],
                    total=total,
                    credit=credit if apply_credit else 0,
                    card=f"{card.brand.title()} ···· {card.last4}" if card else None,
                )
            )
        rows.sort(key=lambda r: (r.client_name.lower(), r.client_id))
        return rows

    @staticmethod
    def _earlier(session: Session, start: date) -> tuple[int, int]:
        """(items, clients): active clients' uninvoiced items dated before ``start``."""
        items, clients = session.execute(
            columns(func.count(), func.count(func.distinct(UninvoicedItem.client_id)))
            .select_from(UninvoicedItem)
            .join(BillingItem, col(BillingItem.id) == col(UninvoicedItem.item_id))
            .join(Client, col(Client.id) == col(UninvoicedItem.client_id))
            .where(col(BillingItem.date) < start)
            .where(col(Client.archived_at).is_(None))
        ).one()
        return int(items), int(clients)

    def _unbilled(self, session: Session, start: date, end: date) -> list[UnbilledOccurrence]:
        now = self._clock.local_now()
        stop = min(datetime.combine(end + timedelta(days=1), time.min), now)
        billed = select(BillingItem.appointment_id).where(
            col(BillingItem.appointment_id).is_not(None)
        )
        appts = list(
            session.exec(
                select(Appointment)
                .where(col(Appointment.series_id).is_not(None))
                .where(col(Appointment.start) >= datetime.combine(start, time.min))
                .where(col(Appointment.start) < stop)
                .where(
                    col(Appointment.status).not_in(
                        [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]
                    )
                )
                .where(col(Appointment.id).not_in(billed))
                .order_by(col(Appointment.start), col(Appointment.id))
            ).all()
        )
        ids = [a.id for a in appts]
        if not ids:
            return []
        people: dict[int, list[str]] = defaultdict(list)
        for appointment_id, name in session.exec(
            select(Attendee.appointment_id, Client.name)
            .join(Client, col(Client.id) == Attendee.client_id)
            .where(col(Attendee.appointment_id).in_(ids))
            .order_by(col(Attendee.position))
        ).all():
            people[appointment_id].append(name)
        services: dict[int, list[str]] = defaultdict(list)
        for appointment_id, name in session.exec(
            select(Charge.appointment_id, Service.name)
            .join(Service, col(Service.id) == Charge.service_id)
            .where(col(Charge.appointment_id).in_(ids))
            .order_by(col(Charge.id))
        ).all():
            if name not in services[appointment_id]:
                services[appointment_id].append(name)
        return [
            UnbilledOccurrence(
                appointment_id=a.id or 0,
                start=a.start,
                status=a.status,
                client_names=people[a.id or 0],
                service_names=services[a.id or 0],
            )
            for a in appts
        ]
