"""No-show and late-cancellation fees under Pilot: status keys on the calendar add the fee."""

from __future__ import annotations

import asyncio
from datetime import datetime

from cp_tui.bootstrap import Services
from cp_tui.widgets.week_grid import WeekGrid
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

TODAY_10AM = datetime(2026, 11, 25, 10, 0)  # the clock stands at 14:00 that day
TOMORROW_9AM = datetime(2026, 11, 26, 9, 0)  # 19 hours away: a late cancellation


def test_no_show_and_late_cancel_keys_bill_the_fee(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.fees.set_service_fees(therapy, no_show_fee="40.00", late_cancel_fee="25.00")
    today = practice.session([alex], [therapy], TODAY_10AM, complete=False)
    tomorrow = practice.session([alex], [therapy], TOMORROW_9AM, complete=False)
    seen: dict[str, list[tuple[str, int]]] = {}

    def items() -> list[tuple[str, int]]:
        return [(i.description, i.total) for i in services.items.list(client_id=alex)]

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            grid = app.screen.query_one(WeekGrid)
            assert grid.selected_id == today
            await pilot.press("o")  # no-show
            await pilot.pause()
            seen["no-show"] = items()
            await pilot.press("d")  # it did happen after all: the fee goes, the session stays
            await pilot.pause()
            seen["done"] = items()
            await pilot.press("right")
            await pilot.pause()
            assert grid.selected_id == tomorrow
            await pilot.press("x")  # cancelled 19 hours ahead: inside the 24-hour window
            await pilot.pause()
            seen["late"] = items()

    asyncio.run(scenario())
    assert [(d.split(":")[0], t) for d, t in seen["no-show"]] == [("No-show fee", 4000)]
    assert [t for _, t in seen["done"]] == [15000]
    assert seen["late"][0] == seen["done"][0]
    assert [(d.split(":")[0], t) for d, t in seen["late"][1:]] == [("Late cancellation fee", 2500)]
    assert services.calendar.get(tomorrow).status == "cancelled"
