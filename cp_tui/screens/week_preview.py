"""The week on screen while the practice still opens: read-only, from plain sqlite3.

Shown in place of the splash when ``services.week_preview`` can read the week;
the Calendar takes over as soon as the services are up. Nothing here writes:
every key that would need the services says the practice is still opening.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cp_tui.services.readmodels import AppointmentRead
from cp_tui.widgets.week_grid import WeekGrid

OPENING = "Opening the practice… this key works in a moment."
# Keys that only move around the grid, and the App's own keys: they work already.
FREE_KEYS = frozenset({"left", "right", "up", "down", "home", "end", "pageup", "pagedown"})


class WeekPreviewScreen(Screen[None]):
    CSS_PATH = "calendar.tcss"

    class Shown(Message):
        """The week is on screen: the services may start loading (and take the GIL)."""

    def __init__(self, monday: date, appointments: Sequence[AppointmentRead], today: date) -> None:
        super().__init__()
        self.monday, self.appointments, self.today = monday, appointments, today

    def compose(self) -> ComposeResult:
        sunday = self.monday + timedelta(days=6)
        yield Header()
        yield Static(
            f"Week of {self.monday:%d %b} – {sunday:%d %b %Y}"
            "   ○ scheduled  ✓ completed  ✗ cancelled  ! no-show  $ to invoice",
            id="calendar-title",
            markup=False,
        )
        yield WeekGrid(id="week")
        yield Static("Opening the practice…", id="calendar-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        grid = self.query_one(WeekGrid)
        grid.show_week(self.monday, self.appointments, self.today)
        grid.focus()
        self.call_after_refresh(lambda: self.post_message(self.Shown()))

    def on_key(self, event: events.Key) -> None:
        if event.key in FREE_KEYS or self.app.active_bindings.get(event.key) is not None:
            return
        event.stop()
        self.notify(OPENING, timeout=3, markup=False)
