"""No-show and late-cancellation fees.

A service may carry a fee for a missed session and one for a late cancellation
(cancelled within the practice's window, in hours, before the start; one
recorded after the start carries none). Marking
an appointment no-show, or cancelling it late, adds one fee item per attendee;
marking it again adds nothing more; reopening or completing it removes a fee item
that is not invoiced yet. ``add_fees`` and ``drop_fees`` run inside the
calendar's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    BillingItem,
    Charge,
    InvoiceLine,
    Service,
)
from cp_tui.services import ledger
from cp_tui.services.catalogue import parse_price
from cp_tui.services.errors import InvalidInput, NotFound
from cp_tui.store import Database

NO_SHOW = "no-show"
LATE_CANCEL = "late-cancel"
MAX_WINDOW_HOURS = 24 * 14
_LABELS = {NO_SHOW: "No-show fee", LATE_CANCEL: "Late cancellation fee"}


@dataclass(frozen=True, slots=True)
class ServiceFees:
    service_id: int
    no_show_fee: int | None
    late_cancel_fee: int | None


def parse_fee(text: str | Decimal | int | None, currency: str) -> int | None:
    """A fee typed in major units; blank, "none" or 0 means no fee."""
    if text is None:
        return None
    if isinstance(text, str) and text.strip().lower() in ("", "none", "no", "-"):
        return None
    minor = parse_price(text, currency)
    return minor or None


def fee_kind_for(session: Session, clock: Clock, appt: Appointment) -> str | None:
    """Which fee the appointment's status calls for, if any."""
    if appt.status == AppointmentStatus.NO_SHOW:
        return NO_SHOW
    if appt.status == AppointmentStatus.CANCELLED:
        hours = ledger.practice(session).late_cancel_hours
        now = clock.local_now()
        # Cancelled once the session has begun is a record kept afterwards (a
        # recurring occurrence that never happened, tidied up on Friday): when the
        # client called is not known, so no fee is charged by itself. A client
        # who did not come is marked no-show.
        if hours > 0 and appt.start - timedelta(hours=hours) <= now < appt.start:
            return LATE_CANCEL
    return None


def add_fees(session: Session, clock: Clock, appt: Appointment) -> list[BillingItem]:
    """One fee item per attendee whose services carry the fee; never a second one."""
    kind = fee_kind_for(session, clock, appt)
    if kind is None or appt.id is None:
        return []
    have = {
        item.client_id
        for item in session.exec(
            select(BillingItem)
            .where(col(BillingItem.appointment_id) == appt.id)
            .where(col(BillingItem.fee_kind) == kind)
        ).all()
    }
    created: list[BillingItem] = []
    attendees = session.exec(
        select(Attendee)
        .where(col(Attendee.appointment_id) == appt.id)
        .order_by(col(Attendee.position))
    ).all()
    for attendee in attendees:
        if attendee.client_id in have:
            continue
        service = _fee_service(session, appt.id, attendee.client_id, kind)
        if service is None:
            continue
        fee = service.no_show_fee if kind == NO_SHOW else service.late_cancel_fee
        assert fee is not None
        item = BillingItem(
            client_id=attendee.client_id,
            appointment_id=appt.id,
            service_id=service.id,
            date=appt.start.date(),
            description=f"{_LABELS[kind]}: {service.name} on {appt.start:%d %b %Y %H:%M}",
            units=Decimal(1),
            unit_price=fee,
            tax_rate=service.tax_rate,
            created_at=clock.now(),
            fee_kind=kind,
        )
        session.add(item)
        created.append(item)
    session.flush()
    return created


def drop_fees(session: Session, appt: Appointment) -> int:
    """Remove the appointment's fee items that are not on an invoice; returns how many."""
    items = list(
        session.exec(
            select(BillingItem)
            .where(col(BillingItem.appointment_id) == appt.id)
            .where(col(BillingItem.fee_kind).is_not(None))
        ).all()
    )
    invoiced = ledger.invoiced_numbers(session, [i.id or 0 for i in items])
    loose = [i for i in items if i.id not in invoiced]
    if loose:
        session.execute(
            update(InvoiceLine)
            .where(col(InvoiceLine.item_id).in_([i.id for i in loose]))
            .values(item_id=None)
        )
    for item in loose:
        session.delete(item)
    session.flush()
    return len(loose)


def _fee_service(
    session: Session, appointment_id: int, client_id: int, kind: str
) -> Service | None:
    fee_column = Service.no_show_fee if kind == NO_SHOW else Service.late_cancel_fee
    return session.exec(
        select(Service)
        .join(Charge, col(Charge.service_id) == Service.id)
        .where(col(Charge.appointment_id) == appointment_id)
        .where(col(Charge.client_id) == client_id)
        .where(col(fee_column).is_not(None))
        .where(col(fee_column) > 0)
        .order_by(col(Charge.id))
    ).first()


class FeeService:
    """The fee settings: per service, and the practice's late-cancellation window."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def service_fees(self, service_id: int) -> ServiceFees:
        with self._db.read() as session:
            row = _service(session, service_id)
            return ServiceFees(service_id, row.no_show_fee, row.late_cancel_fee)

    def set_service_fees(
        self,
        service_id: int,
        *,
        no_show_fee: str | Decimal | int | None = None,
        late_cancel_fee: str | Decimal | int | None = None,
        clear: tuple[str, ...] = (),
    ) -> ServiceFees:
        """Set fees typed in major units; "none" (or a name in ``clear``) removes one."""
        with self._db.write() as session:
            row = _service(session, service_id)
            currency = ledger.practice(session).currency
            if no_show_fee is not None or "no_show_fee" in clear:
                row.no_show_fee = parse_fee(no_show_fee, currency)
            if late_cancel_fee is not None or "late_cancel_fee" in clear:
                row.late_cancel_fee = parse_fee(late_cancel_fee, currency)
            session.flush()
            return ServiceFees(service_id, row.no_show_fee, row.late_cancel_fee)

    def late_cancel_hours(self) -> int:
        with self._db.read() as session:
            return ledger.practice(session).late_cancel_hours

    def set_late_cancel_hours(self, hours: int) -> int:
        check_window(hours)
        with self._db.write() as session:
            ledger.practice(session).late_cancel_hours = hours
            return hours


def check_window(hours: int) -> None:
    """Refuse a late-cancellation window out of range (before anything is written)."""
    if not 0 <= hours <= MAX_WINDOW_HOURS:
        raise InvalidInput(
            f"the late-cancellation window is 0 to {MAX_WINDOW_HOURS} hours "
            f"(0 turns late fees off), got {hours}"
        )


def _service(session: Session, service_id: int) -> Service:
    row = session.get(Service, service_id)
    if row is None:
        raise NotFound(f"no service with id {service_id}; `cp-tui services list` shows them")
    return row
