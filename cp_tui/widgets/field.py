"""A labelled input with its own error line, so a message sits by its field."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static


class Field(Vertical):
    DEFAULT_CSS = """
    Field { height: auto; margin: 0 0 1 0; }
    Field > Label { color: $text-muted; }
    Field > .field-error { color: $error; height: auto; display: none; }
    Field.-invalid > .field-error { display: block; }
    Field.-invalid > Input { border: tall $error; }
    """

    def __init__(
        self,
        label: str,
        value: str = "",
        *,
        name: str,
        placeholder: str = "",
        password: bool = False,
    ) -> None:
        super().__init__(id=f"field-{name}")
        self._label = label
        self._value = value
        self._placeholder = placeholder
        self._password = password
        self.field_name = name

    def compose(self) -> ComposeResult:
        yield Label(self._label, markup=False)
        yield Input(
            self._value,
            placeholder=self._placeholder,
            password=self._password,
            id=f"input-{self.field_name}",
        )
        yield Static("", classes="field-error", markup=False)

    @property
    def value(self) -> str:
        return self.query_one(Input).value.strip()

    def set_error(self, message: str | None) -> None:
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-invalid")
