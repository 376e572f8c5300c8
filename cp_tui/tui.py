"""Starting the TUI: the App paints first, then opens the practice."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING

from cp_tui.clock import Clock, SystemClock
from cp_tui.config import Settings, resolve_settings

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.readmodels import AppointmentRead


def open_practice(settings: Settings) -> Services:
    """Build the services; the demo practice is loaded on its first opening."""
    from cp_tui.bootstrap import build_services

    # The daily backup reads the whole file: the App takes it once the calendar shows.
    services = build_services(settings, backup=False)
    if settings.demo and services.demo.is_empty():
        from cp_tui.services.demo import mark_as_demo

        services.demo.load()
        mark_as_demo(settings.data_dir)
    return services


def first_week(
    settings: Settings, clock: Clock | None = None
) -> tuple[date, list[AppointmentRead], date] | None:
    """This week from plain sqlite3, for the screen before the services are up."""
    from cp_tui.services.week_preview import week_preview

    # The services' default clock too, so both read the same week.
    today = (clock or SystemClock()).today()
    monday = today - timedelta(days=today.weekday())
    appointments = week_preview(settings.database_url, monday)
    return None if appointments is None else (monday, appointments, today)


def run_tui(settings: Settings) -> int:
    from cp_tui import cli_output as out
    from cp_tui.app import CpTuiApp
    from cp_tui.userconfig import load_user_config

    config = load_user_config()
    while True:
        app = CpTuiApp(
            partial(open_practice, settings),
            config=config,
            week_preview=partial(first_week, settings),
        )
        result = app.run()
        if app.services is not None:
            app.services.close()
        if app.startup_error:
            out.fail(app.startup_error)
            return 2
        if result == "demo" and not settings.demo:
            settings = resolve_settings(demo=True)
            continue
        return app.return_code or 0
