"""Choose one client from a short list (the attendees of a group session)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cp_tui.screens.dialog_screen import DialogScreen


class PickClientScreen(DialogScreen[int | None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, clients: list[tuple[int, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.clients = clients

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(
                *[Option(name, id=str(cid)) for cid, name in self.clients], markup=False
            )
            yield Static("enter chooses · ↑↓ move · esc cancels", classes="muted", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))
