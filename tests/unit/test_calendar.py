"""Appointments: recurrence, status changes, and the billing items they make."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from tests.conftest import Practice

PAST = datetime(2026, 11, 24, 10, 0)  # the day before the frozen "now"
MONDAY = datetime(2026, 11, 30, 10, 0)  # next week


def items_of(services: Services, appointment_id: int) -> list[tuple[int, int, int]]:
    """(client, service, unit price) of each item the appointment made."""
    return sorted(
        (i.client_id, i.service_id or 0, i.unit_price)
        for i in services.items.list()
        if i.appointment_id == appointment_id
    )


# -- completing a single appointment ----------------------------------------------


def test_complete_group_session_makes_one_item_per_service_per_attendee(
    services: Services, practice: Practice
) -> None:
    ann, ben, cat = (practice.client(n, f"{n.lower()}@example.com") for n in ("Ann", "Ben", "Cat"))
    group = practice.service("80.00", name="Group therapy")
    workbook = practice.service("12.50", name="Workbook")
    appt = practice.session([ann, ben, cat], [group, workbook], PAST, complete=False)

    assert items_of(services, appt) == []
    read = services.calendar.complete(appt)

    assert read.status == "completed"
    assert read.uninvoiced_items == 6
    assert items_of(services, appt) == sorted(
        (c, s, p) for c in (ann, ben, cat) for s, p in ((group, 8000), (workbook, 1250))
    )
    item = next(i for i in services.items.list(client_id=ben) if i.service_id == group)
    assert item.date == date(2026, 11, 24)
    assert item.description == "Group therapy (90837)"
    assert (item.units, item.unit_price, item.tax_rate) == (Decimal(1), 8000, Decimal(0))
    assert item.invoice_number is None


def test_completing_a_session_that_has_not_begun_is_refused(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    # The frozen now is 2026-11-25 14:00: a session at 14:30 has not begun, one at 13:30 has.
    later = practice.session(
        [client], [practice.service()], datetime(2026, 11, 25, 14, 30), complete=False
    )
    begun = practice.session(
        [client], [practice.service()], datetime(2026, 11, 25, 13, 30), complete=False
    )

    with pytest.raises(NotAllowed, match="in the future: a session is completed and billed once"):
        services.calendar.complete(later)

    assert services.calendar.get(later).status == "scheduled"
    assert services.items.list() == []
    assert services.calendar.complete(begun).uninvoiced_items == 1


def test_completing_twice_never_duplicates(services: Services, practice: Practice) -> None:
    a, b = practice.client("Ann"), practice.client("Ben", "ben@example.com")
    appt = practice.session([a, b], [practice.service()], PAST)
    first = [i.id for i in services.items.list()]

    services.calendar.complete(appt)

    assert [i.id for i in services.items.list()] == first
    assert len(first) == 2


@pytest.mark.parametrize("undo", ["reopen", "cancel", "no_show"])
def test_undo_then_complete_again_never_duplicates(
    services: Services, practice: Practice, undo: str
) -> None:
    client = practice.client()
    s1, s2 = practice.service(), practice.service("20.00")
    appt = practice.session([client], [s1, s2], PAST)
    assert len(items_of(services, appt)) == 2

    read = getattr(services.calendar, undo)(appt)
    assert read.status == {"reopen": "scheduled", "cancel": "cancelled", "no_show": "no-show"}[undo]
    assert items_of(services, appt) == []
    assert services.clients.get(client).uninvoiced_total == 0

    services.calendar.complete(appt)
    services.calendar.complete(appt)
    assert items_of(services, appt) == sorted([(client, s1, 15000), (client, s2, 2000)])
    assert services.clients.get(client).uninvoiced_total == 17000


@pytest.mark.parametrize("undo", ["reopen", "cancel", "no_show"])
def test_undo_is_refused_when_items_are_invoiced(
    services: Services, practice: Practice, undo: str
) -> None:
    client = practice.client()
    appt = practice.session([client], [practice.service()], PAST)
    invoice = services.invoices.create(client_id=client)

    with pytest.raises(NotAllowed, match=invoice.number):
        getattr(services.calendar, undo)(appt)

    read = services.calendar.get(appt)
    assert (read.status, read.invoiced_items) == ("completed", 1)
    assert len(services.items.list(client_id=client)) == 1

    # Once the invoice is void the session can be undone; the void invoice keeps its line.
    services.invoices.void(invoice.number)
    assert getattr(services.calendar, undo)(appt).status != "completed"
    assert services.items.list(client_id=client) == []
    void = services.invoices.get(invoice.number)
    assert (void.status, void.total, [ln.total for ln in void.lines]) == ("void", 15000, [15000])
    assert services.clients.get(client).balance_due == 0


# -- recurring series and generate items ------------------------------------------


def weekly(services: Services, client: int, service: int, first: datetime, n: int) -> list[int]:
    appts = services.calendar.add(
        client_ids=[client], service_ids=[service], start=first, repeat="weekly", count=n
    )
    return [a.id for a in appts]


def test_recurring_occurrence_creates_no_items_when_completed(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    ids = weekly(services, client, practice.service(), datetime(2026, 11, 4, 9, 0), 3)

    for appt in ids:
        assert services.calendar.complete(appt).status == "completed"

    assert services.items.list() == []
    assert services.clients.get(client).uninvoiced_total == 0


def test_generate_items_creates_once_and_says_so_the_second_time(
    services: Services, practice: Practice
) -> None:
    a, b = practice.client("Ann"), practice.client("Ben", "ben@example.com")
    ids = services.calendar.add(
        client_ids=[a, b],
        service_ids=[practice.service()],
        start=datetime(2026, 11, 11, 9, 0),
        repeat="weekly",
        count=4,
    )
    second = ids[1].id  # 18 November, in the past
    services.calendar.complete(second)

    first = services.calendar.generate_items(second)
    assert len(first.created) == 2
    assert first.existing == []
    assert first.message == "created 2 billing item(s)"
    assert {i.client_id for i in first.created} == {a, b}

    again = services.calendar.generate_items(second)
    assert again.created == []
    assert sorted(i.id for i in again.existing) == sorted(i.id for i in first.created)
    assert "already generated" in again.message
    assert "nothing changed" in again.message
    assert len(services.items.list()) == 2
    assert services.calendar.get(ids[0].id).uninvoiced_items == 0


def test_generate_items_refuses_the_future(services: Services, practice: Practice) -> None:
    client = practice.client()
    # Today at 09:00 has happened; today at 14:30 is half an hour after the frozen now.
    past = weekly(services, client, practice.service(), datetime(2026, 11, 25, 9, 0), 1)[0]
    future = weekly(services, client, practice.service(), datetime(2026, 11, 25, 14, 30), 1)[0]

    with pytest.raises(NotAllowed, match="future"):
        services.calendar.generate_items(future)

    assert services.items.list() == []
    assert services.calendar.get(future).status == "scheduled"
    assert len(services.calendar.generate_items(past).created) == 1
    assert services.calendar.get(past).status == "completed"


@pytest.mark.parametrize("undo", ["cancel", "no_show"])
def test_generate_items_refuses_a_session_that_did_not_happen(
    services: Services, practice: Practice, undo: str
) -> None:
    client = practice.client()
    appt = weekly(services, client, practice.service(), datetime(2026, 11, 18, 9, 0), 2)[0]
    getattr(services.calendar, undo)(appt)

    with pytest.raises(NotAllowed, match="not billed"):
        services.calendar.generate_items(appt)
    assert services.items.list() == []


# -- changing what a session charges ----------------------------------------------


def test_set_charge_updates_uninvoiced_item(services: Services, practice: Practice) -> None:
    client = practice.client()
    service = practice.service()
    appt = practice.session([client], [service], PAST)

    read = services.calendar.set_charge(
        appt, client_id=client, service_id=service, units="1.5", price="120.00", tax_rate="10"
    )

    charge = read.charges[0]
    assert (charge.units, charge.unit_price, charge.tax_rate) == (
        Decimal("1.5"),
        12000,
        Decimal(10),
    )
    [item] = services.items.list(client_id=client)
    assert (item.units, item.unit_price, item.tax_rate) == (Decimal("1.5"), 12000, Decimal(10))
    assert (item.net, item.tax, item.total) == (18000, 1800, 19800)


def test_set_charge_leaves_invoiced_items_untouched(services: Services, practice: Practice) -> None:
    a, b = practice.client("Ann"), practice.client("Ben", "ben@example.com")
    service = practice.service()
    appt = practice.session([a, b], [service], PAST)
    invoice = services.invoices.create(client_id=a)

    for client in (a, b):
        services.calendar.set_charge(appt, client_id=client, service_id=service, price="99.00")

    [a_item] = services.items.list(client_id=a)
    [b_item] = services.items.list(client_id=b)
    assert (a_item.unit_price, a_item.invoice_number) == (15000, invoice.number)
    assert (b_item.unit_price, b_item.invoice_number) == (9900, None)
    assert services.invoices.get(invoice.number).total == 15000


def test_set_charge_before_completion_is_what_completion_bills(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    service = practice.service()
    appt = practice.session([client], [service], PAST, complete=False)
    services.calendar.set_charge(appt, client_id=client, service_id=service, units="2")

    services.calendar.complete(appt)

    [item] = services.items.list(client_id=client)
    assert (item.units, item.total) == (Decimal(2), 30000)


def test_set_charge_bad_input(services: Services, practice: Practice) -> None:
    client = practice.client()
    service = practice.service()
    appt = practice.session([client], [service], PAST)

    with pytest.raises(NotFound):
        services.calendar.set_charge(appt, client_id=client, service_id=service + 99)
    with pytest.raises(InvalidInput):
        services.calendar.set_charge(appt, client_id=client, service_id=service, units="0")
    with pytest.raises(InvalidInput):
        services.calendar.set_charge(appt, client_id=client, service_id=service, price="-1")
    with pytest.raises(InvalidInput):
        services.calendar.set_charge(appt, client_id=client, service_id=service, tax_rate="101")
    assert services.items.list()[0].total == 15000


# -- rescheduling -----------------------------------------------------------------


def test_reschedule_one_occurrence(services: Services, practice: Practice) -> None:
    ids = weekly(services, practice.client(), practice.service(), MONDAY, 3)

    moved = services.calendar.reschedule(ids[1], start=datetime(2026, 12, 8, 15, 30))

    assert [m.id for m in moved] == [ids[1]]
    starts = [services.calendar.get(i).start for i in ids]
    assert starts == [MONDAY, datetime(2026, 12, 8, 15, 30), MONDAY + timedelta(weeks=2)]


def test_reschedule_whole_series_moves_scheduled_occurrences_only(
    services: Services, practice: Practice
) -> None:
    ids = weekly(services, practice.client(), practice.service(), datetime(2026, 11, 18, 9), 4)
    services.calendar.complete(ids[0])  # 18 Nov, done: stays where it was
    services.calendar.cancel(ids[2])  # 2 Dec, cancelled: stays too

    moved = services.calendar.reschedule(
        ids[1], start=datetime(2026, 11, 26, 11, 0), duration_min=60, whole_series=True
    )

    assert sorted(m.id for m in moved) == [ids[1], ids[3]]
    reads = [services.calendar.get(i) for i in ids]
    assert [r.start for r in reads] == [
        datetime(2026, 11, 18, 9),
        datetime(2026, 11, 26, 11),
        datetime(2026, 12, 2, 9),
        datetime(2026, 12, 10, 11),
    ]
    assert [r.duration_min for r in reads] == [50, 60, 50, 60]


def test_reschedule_refusals(services: Services, practice: Practice) -> None:
    single = practice.session([practice.client()], [practice.service()], PAST)

    with pytest.raises(NotAllowed, match="reopen"):
        services.calendar.reschedule(single, start=MONDAY)
    with pytest.raises(InvalidInput, match="not part of a series"):
        services.calendar.reschedule(single, start=MONDAY, whole_series=True)
    with pytest.raises(NotFound):
        services.calendar.reschedule(9999, start=MONDAY)
    assert services.calendar.get(single).start == PAST


# -- recurrence -------------------------------------------------------------------


D = date


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (D(2027, 1, 31), [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30)]),
        (D(2027, 1, 30), [D(2027, 1, 30), D(2027, 2, 28), D(2027, 3, 30), D(2027, 4, 30)]),
        (D(2028, 1, 29), [D(2028, 1, 29), D(2028, 2, 29), D(2028, 3, 29), D(2028, 4, 29)]),
    ],
)
def test_monthly_series_late_in_the_month_takes_the_last_day_of_short_months(
    services: Services, practice: Practice, first: date, expected: list[date]
) -> None:
    appts = services.calendar.add(
        client_ids=[practice.client()],
        service_ids=[practice.service()],
        start=datetime.combine(first, time(9)),
        repeat="monthly",
        count=4,
    )

    assert [a.start.date() for a in appts] == expected


@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        ("weekly", [D(2026, 12, 1), D(2026, 12, 8), D(2026, 12, 15), D(2026, 12, 22)]),
        ("fortnightly", [D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 29), D(2027, 1, 12)]),
        ("monthly", [D(2026, 12, 1), D(2027, 1, 1), D(2027, 2, 1), D(2027, 3, 1)]),
    ],
)
def test_series_with_count(
    services: Services, practice: Practice, repeat: str, expected: list[date]
) -> None:
    appts = services.calendar.add(
        client_ids=[practice.client()],
        service_ids=[practice.service()],
        start=datetime(2026, 12, 1, 10, 0),
        repeat=repeat,
        count=4,
    )

    assert [a.start for a in appts] == [datetime.combine(d, time(10)) for d in expected]
    assert len({a.series_id for a in appts}) == 1
    assert appts[0].series_id is not None
    assert {a.status for a in appts} == {"scheduled"}


@pytest.mark.parametrize(
    ("repeat", "until", "n"),
    [
        ("weekly", date(2026, 12, 22), 4),
        ("fortnightly", date(2027, 1, 11), 3),
        ("monthly", date(2027, 3, 1), 4),
        ("weekly", date(2026, 12, 1), 1),
    ],
)
def test_series_until_a_date_includes_that_day(
    services: Services, practice: Practice, repeat: str, until: date, n: int
) -> None:
    appts = services.calendar.add(
        client_ids=[practice.client()],
        service_ids=[practice.service()],
        start=datetime(2026, 12, 1, 10, 0),
        repeat=repeat,
        until=until,
    )

    assert len(appts) == n
    assert appts[-1].start.date() <= until
    assert appts[0].start == datetime(2026, 12, 1, 10, 0)


def test_single_appointment_has_no_series(services: Services, practice: Practice) -> None:
    a, b = practice.client("Ann"), practice.client("Ben", "ben@example.com")
    s1, s2 = practice.service(), practice.service("20.00")
    [appt] = services.calendar.add(client_ids=[a, b, a], service_ids=[s1, s2], start=MONDAY)

    assert appt.series_id is None
    assert (appt.client_ids, appt.service_ids) == ([a, b], [s1, s2])
    assert appt.duration_min == 50


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"client_ids": []}, InvalidInput, "at least one client"),
        ({"service_ids": []}, InvalidInput, "at least one service"),
        ({"client_ids": [1, 999]}, NotFound, "no client with id 999"),
        ({"service_ids": [999]}, NotFound, "no service with id 999"),
        ({"repeat": "weekly", "count": 3, "until": D(2027, 1, 1)}, InvalidInput, "either"),
        ({"repeat": "weekly"}, InvalidInput, "either"),
        ({"repeat": "daily", "count": 2}, InvalidInput, "weekly, fortnightly or monthly"),
        ({"count": 2}, InvalidInput, "go with --repeat"),
        ({"repeat": "monthly", "until": D(2026, 11, 1)}, InvalidInput, "before the first"),
        ({"repeat": "weekly", "count": 0}, InvalidInput, "--count is 1 to"),
        ({"duration_min": 2}, InvalidInput, "duration"),
    ],
)
def test_add_bad_input_changes_nothing(
    services: Services,
    practice: Practice,
    changes: dict[str, object],
    error: type[Exception],
    match: str,
) -> None:
    args: dict[str, object] = {
        "client_ids": [practice.client()],
        "service_ids": [practice.service()],
        "start": MONDAY,
    }
    with pytest.raises(error, match=match):
        services.calendar.add(**{**args, **changes})  # type: ignore[arg-type]

    assert services.calendar.list() == []


def test_unknown_appointment_ids(services: Services) -> None:
    for action in ("complete", "cancel", "no_show", "reopen", "generate_items", "get"):
        with pytest.raises(NotFound, match="no appointment with id 404"):
            getattr(services.calendar, action)(404)


def test_list_between_days_includes_both_ends(services: Services, practice: Practice) -> None:
    weekly(services, practice.client(), practice.service(), datetime(2026, 11, 23, 18), 3)

    listed = services.calendar.list(start=date(2026, 11, 30), end=date(2026, 12, 7))

    assert [a.start for a in listed] == [datetime(2026, 11, 30, 18), datetime(2026, 12, 7, 18)]


def test_a_zero_minute_appointment_is_refused(services: Services, practice: Practice) -> None:
    client = practice.client()
    service = practice.service()
    with pytest.raises(InvalidInput, match="5 to 1440 minutes"):
        services.calendar.add(
            client_ids=[client],
            service_ids=[service],
            start=datetime(2026, 11, 24, 9, 0),
            duration_min=0,
        )
