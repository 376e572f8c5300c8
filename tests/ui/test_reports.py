"""The Reports screen under Pilot: reached with `a` from Invoices and from the palette."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from textual.widgets import DataTable, Input, Static

from cp_tui.bootstrap import Services
from cp_tui.screens.reports import ReportsScreen
from cp_tui.widgets.bar_chart import BarChart
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready


def test_reports_show_aging_and_the_chart_and_take_an_as_of_day(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], datetime(2026, 11, 24, 10, 0))
    number = services.invoices.create(client_id=alex).number
    services.payments.record(number, amount="40.00", method="cash")

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("3")
            await pilot.pause()
            await pilot.press("a")
            for _ in range(100):
                await pilot.pause()
                if isinstance(app.screen, ReportsScreen) and app.screen.aging is not None:
                    break
            screen = app.screen
            assert isinstance(screen, ReportsScreen)
            assert screen.aging is not None and screen.aging.total == 11000
            table = screen.query_one("#reports-aging", DataTable)
            assert table.row_count == 1
            assert str(table.get_row_at(0)[0]) == "Alex Rivera"
            assert "$110.00" in str(screen.query_one("#reports-aging-total", Static).render())
            chart = screen.query_one("#reports-chart", BarChart)
            assert chart.pairs[-1].billed == 15000 and chart.pairs[-1].received == 4000

            # Before the invoice was issued nothing was owed.
            await pilot.press("d")
            field = screen.query_one("#reports-as-of", Input)
            field.value = "2026-11-01"
            await pilot.press("enter")
            await pilot.pause()
            assert screen.as_of == date(2026, 11, 1)
            assert table.row_count == 0
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, ReportsScreen)
            # The palette's command opens it from any screen.
            app.action_open_reports()
            await pilot.pause()
            assert isinstance(app.screen, ReportsScreen)

    asyncio.run(scenario())
