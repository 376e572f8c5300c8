"""Opening the practice in the TUI: the calendar first, the daily backup right after."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cp_tui.app import CpTuiApp
from cp_tui.backup import list_backups
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.tui import open_practice
from tests.ui.helpers import SIZE, ready

pytestmark = pytest.mark.sqlite_only


def test_the_daily_backup_is_taken_once_the_calendar_is_up(
    tmp_path: Path, clock: FrozenClock
) -> None:
    data_dir = tmp_path / "practice"
    first = build_services(resolve_settings(data_dir, environ={}), clock=clock)
    first.clients.add(name="Ann Archer")
    first.close()
    db = data_dir / DB_FILENAME
    for taken in list_backups(db):
        taken.unlink()
    settings = resolve_settings(data_dir, environ={})
    backups_at_start: list[int] = []

    def opening() -> Services:
        services = open_practice(settings)
        backups_at_start.append(len(list_backups(db)))
        return services

    async def scenario() -> None:
        app = CpTuiApp(opening)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.workers.wait_for_complete()
            await pilot.pause()
        if app.services is not None:
            app.services.close()

    asyncio.run(scenario())
    assert backups_at_start == [0]  # not before the calendar
    assert len(list_backups(db)) == 1
