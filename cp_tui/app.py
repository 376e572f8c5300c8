"""The Textual App: modes, global bindings, command palette."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from cp_tui.bootstrap import Services


class CpTuiApp(App[None]):
    TITLE = "cp-tui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", id="week")
        yield Footer()

    def on_mount(self) -> None:
        today = self.services.clock.today()
        monday = today - timedelta(days=today.weekday())
        self.sub_title = f"{self.services.practice.get().name} · week of {monday:%d %b %Y}"
        table = self.query_one(DataTable)
        table.add_columns("When", "Clients", "Services", "Status")
        for appt in self.services.calendar.list(start=monday, end=monday + timedelta(days=6)):
            table.add_row(
                f"{appt.start:%a %d %b %H:%M}",
                ", ".join(appt.client_names),
                ", ".join(appt.service_names),
                appt.status,
            )
