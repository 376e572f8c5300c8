"""One of a few ways forward, in a modal: its letter or enter on the line chooses it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cp_tui.screens.dialog_screen import DialogScreen


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    key: str  # one letter that chooses it at once
    label: str


class ChoiceScreen(DialogScreen[str | None]):
    """Returns the chosen value, or None on escape."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel")]

    def __init__(self, question: str, choices: list[Choice]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title", markup=False)
            yield OptionList(
                *[Option(f"{c.key}  {c.label}", id=c.value) for c in self.choices],
                id="choices",
                markup=False,
            )
            yield Static("a letter or enter chooses · esc cancels", classes="muted", markup=False)

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        chosen = next((c for c in self.choices if c.key == event.character), None)
        if chosen is not None:
            event.stop()
            self.dismiss(chosen.value)

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
