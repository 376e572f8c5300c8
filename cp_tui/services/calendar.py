"""Appointments: scheduling, recurrence, status, and the billing items they make.

Completing a single appointment creates one billing item per service per
attendee; a package may cover it, and an insurance policy splits it into the
client's co-pay and the insurer's claim, in the same transaction. Occurrences
of a recurring series create none by themselves: the practitioner generates
them on purpose, so a session that did not happen is never billed.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
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
    Repeat,
    Series,
    Service,
)
from cp_tui.money import MoneyError, parse_units
from cp_tui.services import copays, fees, ledger, packages
from cp_tui.services.catalogue import check_duration, parse_price, parse_rate
from cp_tui.services.clients import get_client
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from cp_tui.services.items import item_read
from cp_tui.services.readmodels import AppointmentRead, ChargeRead, GeneratedItems
from cp_tui.services.textfields import check_length, check_year
from cp_tui.store import Database

MAX_OCCURRENCES = 260
_UNDONE = (AppointmentStatus.SCHEDULED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


def occurrences(
    first: datetime, repeat: Repeat, *, count: int | None, until: date | None
) -> list[datetime]:
    """Start times of a series, by python-dateutil's RFC 5545 rules."""
    from dateutil.rrule import MONTHLY, WEEKLY, rrule

    if (count is None) == (until is None):
        raise InvalidInput("a repeating appointment needs either --count N or --until DATE")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise InvalidInput(f"--count is 1 to {MAX_OCCURRENCES}, got {count}")
    if until is not None and until < first.date():
        raise InvalidInput(f"--until {until} is before the first session on {first.date()}")
    end = datetime.combine(until, time.max) if until is not None else None
    if repeat is Repeat.MONTHLY and first.day > 28:
        # RFC 5545 skips months without a 29th-31st; a practitioner booked "monthly on the
        # 31st" expects the month's last day instead, so take the latest day that exists.
        days = tuple(range(28, first.day + 1))
        rule = rrule(MONTHLY, dtstart=first, count=count, until=end, bymonthday=days, bysetpos=-1)
    elif repeat is Repeat.MONTHLY:
        rule = rrule(MONTHLY, dtstart=first, count=count, until=end)
    else:
        interval = 2 if repeat is Repeat.FORTNIGHTLY else 1
        rule = rrule(WEEKLY, interval=interval, dtstart=first, count=count, until=end)
    starts = list(rule)
    if len(starts) > MAX_OCCURRENCES:
        raise InvalidInput(
            f"that makes {len(starts)} sessions; a series holds at most {MAX_OCCURRENCES}"
        )
    return starts


def parse_repeat(repeat: str) -> Repeat:
    try:
        return Repeat(repeat)
    except ValueError:
        raise InvalidInput(f"--repeat is weekly, fortnightly or monthly, got {repeat!r}") from None


def get_appointment(session: Session, appointment_id: int) -> Appointment:
    row = session.get(Appointment, appointment_id)
    if row is None:
        raise NotFound(
            f"no appointment with id {appointment_id}; `cp-tui appointments list` shows them"
        )
    return row


def item_description(service: Service) -> str:
    return f"{service.name} ({service.code})" if service.code else service.name


class CalendarService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- scheduling ---------------------------------------------------------

    def add(
        self,
        *,
        client_ids: Sequence[int],
        service_ids: Sequence[int],
        start: datetime,
        duration_min: int | None = None,
        repeat: str | None = None,
        count: int | None = None,
        until: date | None = None,
        notes: str = "",
    ) -> builtins.list[AppointmentRead]:
        """Book one appointment, or every occurrence of a series."""
        clients = list(dict.fromkeys(client_ids))
        services = list(dict.fromkeys(service_ids))
        if not clients:
            raise InvalidInput("an appointment needs at least one client (--client ID)")
        if not services:
            raise InvalidInput("an appointment needs at least one service (--service ID)")
        start = start.replace(second=0, microsecond=0)
        check_year(start, "the start")
        if until is not None:
            check_year(until, "--until")
        notes = check_length(notes, "an appointment's notes", 2000)
        with self._db.write() as session:
            for client_id in clients:
                if get_client(session, client_id).archived_at is not None:
                    raise NotAllowed(f"client {client_id} is archived; restore them first")
            service_rows = [self._service(session, sid) for sid in services]
            minutes = check_duration(
                duration_min if duration_min is not None else service_rows[0].duration_min
            )
            series_id: int | None = None
            starts = [start]
            if repeat:
                rule = parse_repeat(repeat)
                starts = occurrences(start, rule, count=count, until=until)
                series = Series(repeat=rule, first_start=start, count=count, until=until)
                session.add(series)
                session.flush()
                series_id = series.id
            elif count is not None or until is not None:
                raise InvalidInput("--count and --until go with --repeat")
            created: builtins.list[Appointment] = []
            for when in starts:
                appt = Appointment(
                    start=when,
                    duration_min=minutes,
                    series_id=series_id,
                    notes=notes,
                    created_at=self._clock.now(),
                )
                session.add(appt)
                session.flush()
                assert appt.id is not None
                for position, client_id in enumerate(clients):
                    session.add(
                        Attendee(appointment_id=appt.id, client_id=client_id, position=position)
                    )
                    for service in service_rows:
                        assert service.id is not None
                        session.add(
                            Charge(
                                appointment_id=appt.id,
                                client_id=client_id,
                                service_id=service.id,
                                units=Decimal(1),
                                unit_price=service.unit_price,
                                tax_rate=service.tax_rate,
                            )
                        )
                created.append(appt)
            session.flush()
            return self._reads(session, created)

    def reschedule(
        self,
        appointment_id: int,
        *,
        start: datetime | None = None,
        duration_min: int | None = None,
        whole_series: bool = False,
    ) -> builtins.list[AppointmentRead]:
        """Move one occurrence, or shift every scheduled occurrence of its series."""
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            targets = [appt]
            if whole_series:
                if appt.series_id is None:
                    raise InvalidInput("this appointment is not part of a series")
                targets = list(
                    session.exec(
                        select(Appointment)
                        .where(col(Appointment.series_id) == appt.series_id)
                        .where(col(Appointment.status) == AppointmentStatus.SCHEDULED)
                        .order_by(col(Appointment.start))
                    ).all()
                )
            elif appt.status != AppointmentStatus.SCHEDULED:
                raise NotAllowed(f"appointment {appointment_id} is {appt.status}; reopen it first")
            shift = (start.replace(second=0, microsecond=0) - appt.start) if start else timedelta(0)
            for row in targets:
                row.start = row.start + shift
                if duration_min is not None:
                    row.duration_min = check_duration(duration_min)
            session.flush()
            return self._reads(session, targets)

    def delete(self, appointment_id: int) -> None:
        """Remove a booking made by mistake; one with billing items is cancelled instead."""
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            has_items = session.exec(
                select(BillingItem.id).where(col(BillingItem.appointment_id) == appointment_id)
            ).first()
            if has_items is not None:
                raise NotAllowed(
                    f"appointment {appointment_id} has billing items; cancel it instead"
                )
            for model in (Charge, Attendee):
                for row in session.exec(
                    select(model).where(col(model.appointment_id) == appointment_id)
                ).all():
                    session.delete(row)
            session.flush()
            session.delete(appt)

    def set_charge(
        self,
        appointment_id: int,
        *,
        client_id: int,
        service_id: int,
        units: str | Decimal | None = None,
        price: str | Decimal | int | None = None,
        tax_rate: str | Decimal | None = None,
    ) -> AppointmentRead:
        """Change what an attendee is billed; their uninvoiced item follows, invoiced ones stay."""
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            charge = session.exec(
                select(Charge)
                .where(col(Charge.appointment_id) == appointment_id)
                .where(col(Charge.client_id) == client_id)
                .where(col(Charge.service_id) == service_id)
            ).first()
            if charge is None:
                raise NotFound(
                    f"appointment {appointment_id} has no service {service_id} "
                    f"for client {client_id}"
                )
            if units is not None:
                try:
                    charge.units = parse_units(units)
                except MoneyError as exc:
                    raise InvalidInput(str(exc)) from None
            if price is not None:
                charge.unit_price = parse_price(price, ledger.practice(session).currency)
            if tax_rate is not None:
                charge.tax_rate = parse_rate(tax_rate)
            item = session.exec(
                select(BillingItem).where(col(BillingItem.charge_id) == charge.id)
            ).first()
            if item is not None and item.id not in ledger.invoiced_numbers(session, [item.id or 0]):
                item.units, item.unit_price, item.tax_rate = (
                    charge.units,
                    charge.unit_price,
                    charge.tax_rate,
                )
                # A drawn session stays covered; a split item is split again from the
                # new charge, so the portions still add up.
                if not packages.keep_covered(session, item):
                    copays.resplit(session, self._clock, item)
            session.flush()
            return self._reads(session, [appt], with_charges=True)[0]

    # -- status ---------------------------------------------------------------

    def complete(self, appointment_id: int) -> AppointmentRead:
        """Mark a session done; a single appointment gets its items (never twice)."""
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            self._refuse_future(appt)
            appt.status = AppointmentStatus.COMPLETED
            fees.drop_fees(session, appt)
            if appt.series_id is None:
                self._ensure_items(session, appt)
            session.flush()
            return self._reads(session, [appt], with_charges=True)[0]

    def cancel(self, appointment_id: int) -> AppointmentRead:
        return self._undo(appointment_id, AppointmentStatus.CANCELLED)

    def no_show(self, appointment_id: int) -> AppointmentRead:
        return self._undo(appointment_id, AppointmentStatus.NO_SHOW)

    def reopen(self, appointment_id: int) -> AppointmentRead:
        return self._undo(appointment_id, AppointmentStatus.SCHEDULED)

    def generate_items(self, appointment_id: int) -> GeneratedItems:
        """Create the items of a session that happened; a second call changes nothing."""
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            if appt.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
                raise NotAllowed(
                    f"appointment {appointment_id} is {appt.status}: a session that did not "
                    "happen is not billed; reopen it first if it did happen"
                )
            self._refuse_future(appt)
            appt.status = AppointmentStatus.COMPLETED
            existing = self._items_of(session, [appointment_id])
            created = self._ensure_items(session, appt)
            numbers = ledger.invoiced_numbers(session, [i.id or 0 for i in existing])
            message = (
                f"created {len(created)} billing item(s)"
                if created
                else "items already generated for this session; nothing changed"
            )
            return GeneratedItems(
                appointment_id=appointment_id,
                created=[item_read(i, None) for i in created],
                existing=[item_read(i, numbers.get(i.id or 0)) for i in existing],
                message=message,
            )

    # -- reading ----------------------------------------------------------------

    def get(self, appointment_id: int) -> AppointmentRead:
        with self._db.read() as session:
            appt = get_appointment(session, appointment_id)
            return self._reads(session, [appt], with_charges=True)[0]

    def list(
        self, *, start: date | None = None, end: date | None = None
    ) -> builtins.list[AppointmentRead]:
        """Appointments from ``start`` to ``end``, both days included."""
        with self._db.read() as session:
            query = sa_select(
                col(Appointment.id),
                col(Appointment.start),
                col(Appointment.duration_min),
                col(Appointment.status),
                col(Appointment.series_id),
            ).order_by(col(Appointment.start), col(Appointment.id))
            if start is not None:
                query = query.where(col(Appointment.start) >= datetime.combine(start, time.min))
            if end is not None and end < date.max:  # the last day has no next day
                query = query.where(
                    col(Appointment.start) < datetime.combine(end + timedelta(days=1), time.min)
                )
            return self._week_reads(session, [tuple(row) for row in session.execute(query)])

    # -- internals ----------------------------------------------------------------

    def _refuse_future(self, appt: Appointment) -> None:
        # Billing a session that has not begun would bill one that may never happen.
        if appt.start > self._clock.local_now():
            raise NotAllowed(
                f"appointment {appt.id} is on {appt.start:%Y-%m-%d %H:%M}, in the future: "
                "a session is completed and billed once it has begun"
            )

    def _service(self, session: Session, service_id: int) -> Service:
        row = session.get(Service, service_id)
        if row is None:
            raise NotFound(f"no service with id {service_id}; `cp-tui services list` shows them")
        return row

    def _undo(self, appointment_id: int, status: AppointmentStatus) -> AppointmentRead:
        """Leave completed: its uninvoiced items go, invoiced ones block the change."""
        assert status in _UNDONE
        with self._db.write() as session:
            appt = get_appointment(session, appointment_id)
            if appt.status == status:  # marked again: no second fee, nothing changes
                return self._reads(session, [appt], with_charges=True)[0]
            items = self._items_of(session, [appointment_id])
            numbers = ledger.invoiced_numbers(session, [i.id or 0 for i in items])
            if numbers:
                listed = ", ".join(sorted(set(numbers.values())))
                raise NotAllowed(
                    f"appointment {appointment_id} is billed on {listed}: void that invoice "
                    "(or issue a credit note) before marking it " + status.value
                )
            if items:
                # Lines of void invoices still name these items: they keep their own
                # description and amounts, and let go of the item that goes away.
                session.execute(
                    update(InvoiceLine)
                    .where(col(InvoiceLine.item_id).in_([i.id for i in items]))
                    .values(item_id=None)
                )
            packages.release_items(session, [i.id or 0 for i in items])
            copays.release_items(session, [i.id or 0 for i in items])
            for item in items:
                session.delete(item)
            appt.status = status
            fees.add_fees(session, self._clock, appt)
            session.flush()
            return self._reads(session, [appt], with_charges=True)[0]

    def _items_of(
        self, session: Session, appointment_ids: Iterable[int]
    ) -> builtins.list[BillingItem]:
        return list(
            session.exec(
                select(BillingItem)
                .where(col(BillingItem.appointment_id).in_(list(appointment_ids)))
                .order_by(col(BillingItem.id))
            ).all()
        )

    def _ensure_items(self, session: Session, appt: Appointment) -> builtins.list[BillingItem]:
        charges = session.exec(
            select(Charge).where(col(Charge.appointment_id) == appt.id).order_by(col(Charge.id))
        ).all()
        have = {item.charge_id for item in self._items_of(session, [appt.id or 0])}
        created: builtins.list[BillingItem] = []
        for charge in charges:
            if charge.id in have:
                continue
            service = self._service(session, charge.service_id)
            item = BillingItem(
                client_id=charge.client_id,
                appointment_id=appt.id,
                charge_id=charge.id,
                service_id=charge.service_id,
                date=appt.start.date(),
                description=item_description(service),
                units=charge.units,
                unit_price=charge.unit_price,
                tax_rate=charge.tax_rate,
                created_at=self._clock.now(),
            )
            session.add(item)
            created.append(item)
        session.flush()
        packages.draw_sessions(session, self._clock, created)
        copays.split_completed(session, self._clock, created)
        return created

    def _week_reads(
        self, session: Session, appts: Sequence[tuple[Any, ...]]
    ) -> builtins.list[AppointmentRead]:
        """What the calendar shows of many appointments, read as columns, not ORM rows.

        A busy week holds ~1,000 appointments and as many attendees, charges and
        items: building an ORM object for each cost most of the week's load time.
        """
        ids = [row[0] for row in appts if row[0] is not None]
        if not ids:
            return []
        clients: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for appointment_id, client_id, client_name in session.exec(
            select(Attendee.appointment_id, Attendee.client_id, Client.name)
            .join(Client, col(Client.id) == Attendee.client_id)
            .where(col(Attendee.appointment_id).in_(ids))
            .order_by(col(Attendee.position))
        ).all():
            clients[appointment_id].append((client_id, client_name))
        services: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for appointment_id, service_id, service_name in session.exec(
            select(Charge.appointment_id, Charge.service_id, Service.name)
            .join(Service, col(Service.id) == Charge.service_id)
            .where(col(Charge.appointment_id).in_(ids))
            .order_by(col(Charge.id))
        ).all():
            services[appointment_id].append((service_id, service_name))
        items: dict[int, list[int]] = defaultdict(list)
        for item_id, billed_appointment in session.exec(
            select(BillingItem.id, BillingItem.appointment_id).where(
                col(BillingItem.appointment_id).in_(ids)
            )
        ).all():
            if item_id is not None and billed_appointment is not None:
                items[billed_appointment].append(item_id)
        numbers = ledger.invoiced_numbers(session, [i for own in items.values() for i in own])
        reads = []
        for appt_id, start, duration_min, status, series_id in appts:
            own_items = items[appt_id]
            invoiced = sum(1 for i in own_items if i in numbers)
            own_services = services[appt_id]
            reads.append(
                AppointmentRead(
                    id=appt_id,
                    start=start,
                    duration_min=duration_min,
                    status=status,
                    series_id=series_id,
                    client_ids=[c for c, _ in clients[appt_id]],
                    client_names=[n for _, n in clients[appt_id]],
                    service_ids=list(dict.fromkeys(i for i, _ in own_services)),
                    service_names=list(dict.fromkeys(n for _, n in own_services)),
                    uninvoiced_items=len(own_items) - invoiced,
                    invoiced_items=invoiced,
                )
            )
        return reads

    def _reads(
        self, session: Session, appts: builtins.list[Appointment], *, with_charges: bool = False
    ) -> builtins.list[AppointmentRead]:
        ids = [a.id for a in appts if a.id is not None]
        if not ids:
            return []
        names: dict[int, str] = {}
        attendees: dict[int, list[int]] = defaultdict(list)
        for att, client_name in session.exec(
            select(Attendee, Client.name)
            .join(Client, col(Client.id) == Attendee.client_id)
            .where(col(Attendee.appointment_id).in_(ids))
            .order_by(col(Attendee.position))
        ).all():
            attendees[att.appointment_id].append(att.client_id)
            names[att.client_id] = client_name
        charges: dict[int, list[tuple[Charge, str]]] = defaultdict(list)
        for charge, service_name in session.exec(
            select(Charge, Service.name)
            .join(Service, col(Service.id) == Charge.service_id)
            .where(col(Charge.appointment_id).in_(ids))
            .order_by(col(Charge.id))
        ).all():
            charges[charge.appointment_id].append((charge, service_name))
        items = self._items_of(session, ids)
        numbers = ledger.invoiced_numbers(session, [i.id or 0 for i in items])
        by_charge = {i.charge_id: i for i in items}
        # Grouped once: a busy week has ~1,000 appointments and as many items.
        items_by_appt: dict[int, list[BillingItem]] = defaultdict(list)
        for billed in items:
            if billed.appointment_id is not None:
                items_by_appt[billed.appointment_id].append(billed)
        reads = []
        for appt in appts:
            assert appt.id is not None
            own = charges[appt.id]
            service_ids = list(dict.fromkeys(c.service_id for c, _ in own))
            service_names = list(dict.fromkeys(n for _, n in own))
            own_items = items_by_appt[appt.id]
            invoiced = sum(1 for i in own_items if i.id in numbers)
            charge_reads = []
            if with_charges:
                for charge, service_name in own:
                    item = by_charge.get(charge.id)
                    charge_reads.append(
                        ChargeRead(
                            id=charge.id or 0,
                            client_id=charge.client_id,
                            client_name=names.get(charge.client_id, ""),
                            service_id=charge.service_id,
                            service_name=service_name,
                            units=charge.units,
                            unit_price=charge.unit_price,
                            tax_rate=charge.tax_rate,
                            item_id=item.id if item else None,
                            invoice_number=numbers.get(item.id or 0) if item else None,
                        )
                    )
            reads.append(
                AppointmentRead(
                    id=appt.id,
                    start=appt.start,
                    duration_min=appt.duration_min,
                    status=appt.status,
                    series_id=appt.series_id,
                    client_ids=attendees[appt.id],
                    client_names=[names[c] for c in attendees[appt.id]],
                    service_ids=service_ids,
                    service_names=service_names,
                    uninvoiced_items=len(own_items) - invoiced,
                    invoiced_items=invoiced,
                    charges=charge_reads,
                )
            )
        return reads
