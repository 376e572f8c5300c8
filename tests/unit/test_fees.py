"""No-show and late-cancellation fees: added once per attendee, removed on reopening."""

from __future__ import annotations

from datetime import datetime

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.errors import InvalidInput, NotAllowed
from tests.conftest import Practice

# The clock stands at Wed 25 Nov 2026 14:00.
PAST = datetime(2026, 11, 24, 10, 0)
SOON = datetime(2026, 11, 26, 9, 0)  # 19 hours away: inside a 24-hour window
LATER = datetime(2026, 11, 30, 9, 0)  # days away


def fee_items(services: Services, client_id: int) -> list[tuple[str, int]]:
    return [
        (i.description.split(":")[0], i.unit_price)
        for i in services.items.list(client_id=client_id)
    ]


@pytest.fixture
def therapy(services: Services, practice: Practice) -> int:
    service = practice.service("150.00")
    services.fees.set_service_fees(service, no_show_fee="40.00", late_cancel_fee="25.00")
    return service


def book(services: Services, clients: list[int], service: int, start: datetime) -> int:
    return services.calendar.add(client_ids=clients, service_ids=[service], start=start)[0].id


def test_fee_settings_round_trip(services: Services, therapy: int) -> None:
    fees = services.fees.service_fees(therapy)
    assert (fees.no_show_fee, fees.late_cancel_fee) == (4000, 2500)
    cleared = services.fees.set_service_fees(therapy, late_cancel_fee="none")
    assert (cleared.no_show_fee, cleared.late_cancel_fee) == (4000, None)
    assert services.fees.late_cancel_hours() == 24
    assert services.fees.set_late_cancel_hours(48) == 48
    with pytest.raises(InvalidInput):
        services.fees.set_late_cancel_hours(-1)
    with pytest.raises(InvalidInput):
        services.fees.set_service_fees(therapy, no_show_fee="-5")


def test_no_show_adds_one_fee_per_attendee_once(
    services: Services, practice: Practice, therapy: int
) -> None:
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    appt = book(services, [alex, blair], therapy, PAST)

    services.calendar.no_show(appt)
    services.calendar.no_show(appt)  # marked again

    assert fee_items(services, alex) == [("No-show fee", 4000)]
    assert fee_items(services, blair) == [("No-show fee", 4000)]
    assert services.calendar.get(appt).uninvoiced_items == 2


def test_a_fee_is_never_doubled_even_once_invoiced(
    services: Services, practice: Practice, therapy: int
) -> None:
    alex = practice.client("Alex")
    appt = book(services, [alex], therapy, PAST)
    services.calendar.no_show(appt)
    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == 4000

    services.calendar.no_show(appt)

    assert len(services.items.list(client_id=alex)) == 1
    with pytest.raises(NotAllowed):
        services.calendar.reopen(appt)  # the fee is invoiced: void it first


def test_reopening_or_completing_removes_an_uninvoiced_fee(
    services: Services, practice: Practice, therapy: int
) -> None:
    alex = practice.client("Alex")
    first, second = book(services, [alex], therapy, PAST), book(services, [alex], therapy, SOON)
    services.calendar.no_show(first)
    services.calendar.cancel(second)
    assert len(fee_items(services, alex)) == 2

    services.calendar.reopen(second)
    services.calendar.complete(first)  # it did happen after all

    assert fee_items(services, alex) == [("Therapy (90837)", 15000)]


def test_late_cancellation_only_within_the_window(
    services: Services, practice: Practice, therapy: int
) -> None:
    alex = practice.client("Alex")
    soon, later = book(services, [alex], therapy, SOON), book(services, [alex], therapy, LATER)

    services.calendar.cancel(soon)
    services.calendar.cancel(later)

    assert fee_items(services, alex) == [("Late cancellation fee", 2500)]
    services.fees.set_late_cancel_hours(0)  # late fees off
    services.calendar.reopen(soon)
    services.calendar.cancel(soon)
    assert fee_items(services, alex) == []


def test_a_cancellation_recorded_after_the_session_began_carries_no_fee(
    services: Services, practice: Practice, therapy: int
) -> None:
    """Tidying up a past session that did not happen never bills the client by itself."""
    alex = practice.client("Alex")
    yesterday = book(services, [alex], therapy, PAST)

    services.calendar.cancel(yesterday)
    assert fee_items(services, alex) == []
    services.calendar.reopen(yesterday)
    services.calendar.no_show(yesterday)  # the client did not come: that fee is on purpose
    assert fee_items(services, alex) == [("No-show fee", 4000)]


def test_a_no_show_after_a_late_cancel_swaps_the_fee(
    services: Services, practice: Practice, therapy: int
) -> None:
    alex = practice.client("Alex")
    appt = book(services, [alex], therapy, SOON)
    services.calendar.cancel(appt)
    services.calendar.no_show(appt)
    assert fee_items(services, alex) == [("No-show fee", 4000)]


def test_services_without_fees_add_nothing(services: Services, practice: Practice) -> None:
    plain = practice.service("90.00", name="Review")
    alex = practice.client("Alex")
    appt = book(services, [alex], plain, PAST)
    services.calendar.no_show(appt)
    assert services.items.list(client_id=alex) == []
