"""The Batch screen under Pilot: preview, untick a client, commit, and the database agrees."""

from __future__ import annotations

import asyncio
from datetime import datetime

from textual.widgets import DataTable, Static

from cp_tui.bootstrap import Services
from cp_tui.screens.batch import BatchScreen
from cp_tui.screens.confirm import ConfirmScreen
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app
from tests.ui.test_invoices import open_invoices, until

MON, TUE = datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 24, 10, 0)


def test_preview_untick_and_commit(services: Services, practice: Practice) -> None:
    therapy = practice.service("150.00")
    alex, blair = practice.client("Alex"), practice.client("Blair", "b@example.com")
    practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], TUE)
    practice.session([blair], [therapy], TUE)
    dana = practice.client("Dana", "d@example.com")
    series = services.calendar.add(
        client_ids=[dana],
        service_ids=[therapy],
        start=datetime(2026, 11, 16, 9),
        repeat="weekly",
        count=3,
    )

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_invoices(app, pilot)
            await pilot.press("b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen))
            screen = app.screen
            assert isinstance(screen, BatchScreen)
            table = screen.query_one("#batch-table", DataTable)
            assert table.row_count == 2  # Alex, Blair
            unbilled = screen.query_one("#batch-unbilled", DataTable)
            assert unbilled.row_count == 1  # Dana's Monday session, never generated

            await pilot.press("space")  # untick Alex, the first row
            assert [r.client_name for r in screen.ticked()] == ["Blair"]
            await pilot.press("enter")
            await until(pilot, lambda: not screen.running and table.row_count == 1)

            made = services.invoices.list()
            assert [(i.client_id, i.total) for i in made] == [(blair, 15000)]
            assert len(services.items.list(client_id=alex, uninvoiced=True)) == 2

            await pilot.press("g", "n")  # asked, and not yet: nothing is billed
            await until(pilot, lambda: app.screen is screen)
            assert unbilled.row_count == 1 and table.row_count == 1
            assert services.calendar.get(series[1].id).uninvoiced_items == 0
            await pilot.press("g")  # bill Dana's session, once asked: now she is in the preview
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await until(pilot, lambda: table.row_count == 2 and unbilled.row_count == 0)
            assert services.calendar.get(series[1].id).uninvoiced_items == 1

            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, BatchScreen))

    asyncio.run(scenario())


def test_earlier_items_are_named_and_included_with_e(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    alex = practice.client("Alex")
    practice.session([alex], [therapy], datetime(2026, 11, 17, 10, 0))  # last week
    practice.session([alex], [therapy], TUE)  # this week

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_invoices(app, pilot)
            await pilot.press("b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen))
            screen = app.screen
            assert isinstance(screen, BatchScreen)
            table = screen.query_one("#batch-table", DataTable)
            period = screen.query_one("#batch-period", Static)
            note = screen.query_one("#batch-earlier", Static)
            assert [r.items for r in screen.ticked()] == [1]  # this week's only
            assert table.row_count == 1
            await until(pilot, lambda: note.display)
            assert str(note.content) == (
                "1 uninvoiced item of 1 client is dated before 23 Nov and is not in this "
                "run: e includes it"
            )
            assert "earlier" not in str(period.content)
            # The key is in the footer and the palette, as the screen's others are.
            assert app.active_bindings["e"].binding.id == "batch.earlier"
            titles = [c.title for c in app.get_system_commands(screen)]
            assert "Earlier items" in titles

            await pilot.press("e")
            await until(pilot, lambda: [r.items for r in screen.ticked()] == [2])
            assert "and earlier items" in str(period.content)
            assert str(note.content) == (
                "Uninvoiced items dated before 23 Nov are in this run too: e leaves them out"
            )

            await pilot.press("enter")
            await until(pilot, lambda: not screen.running and table.row_count == 0)
            made = services.invoices.list()
            assert [(i.client_id, i.total) for i in made] == [(alex, 30000)]
            assert services.items.list(client_id=alex, uninvoiced=True) == []

            await pilot.press("e")  # back to this week's items alone: nothing is left
            await until(pilot, lambda: "earlier" not in str(period.content))
            await until(pilot, lambda: not note.display)
            assert table.row_count == 0

    asyncio.run(scenario())
