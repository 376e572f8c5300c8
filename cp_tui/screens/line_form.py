"""Edit one line's units, price and tax; each field checks what was typed."""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from cp_tui.money import (
    MoneyError,
    decimal_text,
    from_minor,
    parse_tax_rate,
    parse_units,
    to_minor,
)
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.widgets.field import Field
from cp_tui.widgets.item_picker import LineValues


class LineForm(DialogScreen[LineValues | None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="line.cancel")]

    def __init__(self, title: str, values: LineValues, currency: str) -> None:
        super().__init__()
        self.title_text = title
        self.values = values
        self.currency = currency

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field("Units", decimal_text(self.values.units), name="units")
                yield Field(
                    f"Unit price ({self.currency})",
                    str(from_minor(self.values.unit_price, self.currency)),
                    name="price",
                )
                yield Field("Tax %", decimal_text(self.values.tax_rate), name="tax")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-units", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        fields = {f.field_name: f for f in self.query(Field)}
        parsed: dict[str, object] = {}
        parsers = {
            "units": parse_units,
            "price": lambda text: _price(text, self.currency),
            "tax": parse_tax_rate,
        }
        for name, parse in parsers.items():
            try:
                parsed[name] = parse(fields[name].value)
                fields[name].set_error(None)
            except MoneyError as exc:
                fields[name].set_error(str(exc))
        if len(parsed) == len(parsers):
            units, price, tax = parsed["units"], parsed["price"], parsed["tax"]
            assert isinstance(units, Decimal) and isinstance(price, int)
            assert isinstance(tax, Decimal)
            self.dismiss(LineValues(units, price, tax))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def _price(text: str | Decimal | int, currency: str) -> int:
    minor = to_minor(text, currency)
    if minor < 0:
        raise MoneyError("a price cannot be negative; issue a credit note instead")
    return minor
