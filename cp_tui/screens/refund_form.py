"""Refund (part of) a card payment to the card: the amount, capped, and why."""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from cp_tui.money import MoneyError, format_money, from_minor, to_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.widgets.field import Field


class RefundForm(DialogScreen[tuple[Decimal, str] | None]):
    """Returns (amount in major units, reason); the screen runs the refund."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="refund.cancel")]

    def __init__(self, number: str, refundable: int, currency: str) -> None:
        super().__init__()
        self.number = number
        self.refundable = refundable
        self.currency = currency

    def compose(self) -> ComposeResult:
        most = format_money(self.refundable, self.currency)
        with Vertical(classes="dialog"):
            yield Static(
                f"Refund to the card · {self.number} · up to {most}",
                classes="dialog-title",
                markup=False,
            )
            yield Field(
                f"Amount ({self.currency})",
                str(from_minor(self.refundable, self.currency)),
                name="amount",
            )
            yield Field("Reason (printed on the credit note)", name="reason")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Refund (enter)", variant="error", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-amount", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        field = self.query_one("#field-amount", Field)
        try:
            minor = to_minor(field.value, self.currency)
            if minor <= 0:
                raise MoneyError("a refund must be more than 0")
            if minor > self.refundable:
                raise MoneyError(
                    f"at most {format_money(self.refundable, self.currency)} can be refunded"
                )
        except MoneyError as exc:
            field.set_error(str(exc))
            return
        reason = self.query_one("#field-reason", Field).value
        self.dismiss((from_minor(minor, self.currency), reason))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
