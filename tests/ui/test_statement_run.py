"""Statements e-mailed in a batch from the Reports screen, against a real SMTP server."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, ProgressBar

from cp_tui.bootstrap import Services
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.screens.reports import ReportsScreen
from cp_tui.screens.statement_run import StatementRunScreen
from tests.conftest import Practice
from tests.integration.test_mail import (  # noqa: F401 (fixtures)
    Server,
    configure,
    no_password,
    smtp,
)
from tests.ui.helpers import SIZE, make_app, ready

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


async def _until(pilot: object, check: object, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause()  # type: ignore[attr-defined]
        if check():  # type: ignore[operator]
            return
    raise AssertionError("the screen did not get there")


def test_statements_from_reports_with_progress_and_a_retry_that_sends_nothing_twice(
    services: Services,
    practice: Practice,
    smtp: Server,  # noqa: F811
) -> None:
    configure(services, smtp)
    for name, email in (("Alex Rivera", "alex@example.com"), ("Bo Lind", "bo@example.com")):
        client = practice.client(name, email)
        services.items.add(client_id=client, description="Session", price="120.00")
        services.invoices.create(client_id=client)
    practice.client("Dee Moss", "dee@example.com")  # nothing to say: no statement
    seen: dict[str, object] = {}

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("3", "a")
            await _until(pilot, lambda: isinstance(app.screen, ReportsScreen))
            await pilot.press("m")
            await _until(pilot, lambda: isinstance(app.screen, StatementRunScreen))
            screen = app.screen
            assert isinstance(screen, StatementRunScreen)
            table = screen.query_one("#statements-table", DataTable)
            seen["last month"] = table.row_count  # October: nothing happened yet

            # This month, typed into the two fields.
            await pilot.press("shift+tab", "shift+tab", "end", *["backspace"] * 10)
            await pilot.press(*"2026-11-01", "tab", "end", *["backspace"] * 10)
            await pilot.press(*"2026-11-30", "enter")
            await _until(pilot, lambda: table.row_count == 2)
            await pilot.press("s")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await _until(pilot, lambda: screen.result is not None)
            bar = screen.query_one("#statements-progress", ProgressBar)
            seen["bar"] = (bar.progress, bar.total)
            seen["cells"] = [str(table.get_row_at(r)[-1]) for r in range(table.row_count)]

            # Again: nothing goes out twice.
            screen.result = None
            await pilot.press("s")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await _until(pilot, lambda: screen.result is not None)
            assert screen.result is not None
            seen["again"] = screen.result.summary
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, ReportsScreen))

    asyncio.run(scenario())
    assert seen["last month"] == 0
    assert seen["bar"] == (2, 2)
    assert seen["cells"] == ["sent", "sent"]
    assert seen["again"] == "0 sent, 2 already sent before, 0 failed"
    assert sorted(to for _, (to,) in smtp.inbox.envelopes) == [
        "alex@example.com",
        "bo@example.com",
    ]
