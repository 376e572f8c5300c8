"""Choose one client out of many: type to filter, arrows to move, enter to choose."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.readmodels import ClientRead
from cp_tui.widgets.virtual_table import Column, ListSource, Row, VirtualTable


def matches(client: ClientRead, words: list[str]) -> bool:
    """Every typed word appears in the name or the e-mail (case does not matter)."""
    haystack = f"{client.name}\n{client.email}".casefold()
    return all(word in haystack for word in words)


class ChooseClientScreen(DialogScreen[int | None]):
    """Returns the chosen client's id, or None on escape."""

    CSS_PATH = "choose_client.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="choose_client.cancel",
            tooltip="Close without choosing",
        ),
    ]

    def __init__(self, title: str, clients: list[ClientRead]) -> None:
        super().__init__()
        self.title_text = title
        self.clients = clients

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="type a name or e-mail", id="choose-filter")
            yield VirtualTable([Column("Name", 30), Column("E-mail", 34)], id="choose-table")
            yield Static("enter chooses · ↑↓ move · esc cancels", classes="muted", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#choose-filter", Input).focus()

    def _fill(self, text: str) -> None:
        words = text.casefold().split()
        rows = [
            Row(c.id, [c.name, c.email]) for c in self.clients if not words or matches(c, words)
        ]
        self.query_one("#choose-table", VirtualTable).set_source(ListSource(rows))

    @on(Input.Changed, "#choose-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#choose-filter")
    def _submitted(self) -> None:
        key = self.query_one("#choose-table", VirtualTable).current_key
        if isinstance(key, int):
            self.dismiss(key)

    @on(VirtualTable.Selected, "#choose-table")
    def _chosen(self, message: VirtualTable.Selected) -> None:
        message.stop()
        if isinstance(message.key, int):
            self.dismiss(message.key)

    def on_key(self, event: events.Key) -> None:
        # Arrows move the list while the filter keeps the focus.
        if event.key in ("up", "down", "pageup", "pagedown"):
            table = self.query_one("#choose-table", VirtualTable)
            if self.focused is not table:
                event.stop()
                step = {"up": -1, "down": 1}.get(event.key)
                if step is None:
                    table.action_page(-1 if event.key == "pageup" else 1)
                else:
                    table.action_cursor(step)
