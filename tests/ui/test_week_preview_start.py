"""The week is on screen before the services are up, read-only, then the Calendar takes over."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.screens.clients import ClientsScreen
from cp_tui.screens.week_preview import OPENING, WeekPreviewScreen
from cp_tui.services.readmodels import AppointmentRead
from cp_tui.services.week_preview import week_preview
from cp_tui.widgets.week_grid import WeekGrid
from tests.ui.helpers import SIZE, ready

pytestmark = pytest.mark.sqlite_only


def test_the_week_shows_first_and_keys_wait_for_the_practice(
    tmp_path: Path, clock: FrozenClock
) -> None:
    settings = resolve_settings(tmp_path / "practice", environ={})
    built = build_services(settings, clock=clock)
    built.demo.load()
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    expected = built.calendar.list(start=monday, end=monday + timedelta(days=6))
    booked = len(built.calendar.list())
    built.close()
    assert expected
    release = threading.Event()

    def opening() -> Services:
        # The services stay "loading" until the test has looked at the preview.
        assert release.wait(30)
        return build_services(settings, clock=clock, backup=False)

    def preview() -> tuple[date, list[AppointmentRead], date] | None:
        week = week_preview(settings.database_url, monday)
        return None if week is None else (monday, week, today)

    seen: dict[str, object] = {}

    async def scenario() -> None:
        app = CpTuiApp(opening, week_preview=preview)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):
                await pilot.pause()
                if isinstance(app.screen, WeekPreviewScreen) and app.screen.is_mounted:
                    break
            screen = app.screen
            assert isinstance(screen, WeekPreviewScreen)
            assert app.services is None
            seen["preview"] = list(screen.appointments)
            seen["blocks"] = len(screen.query_one(WeekGrid)._blocks)
            for key in ("n", "i", "d", "2"):
                await pilot.press(key)
            await pilot.pause()
            seen["notes"] = [n.message for n in app._notifications]
            release.set()
            # 2 asked for the Clients screen: it comes once the practice is open.
            await ready(app, pilot, mode="clients")
            seen["after"] = app.screen
            await app.workers.wait_for_complete()
        if app.services is not None:
            seen["booked"] = len(app.services.calendar.list())
            app.services.close()

    try:
        asyncio.run(scenario())
    finally:
        release.set()
    assert seen["preview"] == expected
    assert seen["blocks"] == len(expected)
    notes = seen["notes"]
    assert isinstance(notes, list) and len(notes) >= 4
    assert set(notes[:-1]) == {OPENING}
    assert notes[-1] == "Opening the practice… Clients comes next."
    assert isinstance(seen["after"], ClientsScreen)
    assert seen["booked"] == booked  # nothing was written before the services were up
