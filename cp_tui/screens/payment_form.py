"""Record a payment received by hand: cash, cheque, transfer or a card taken elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cp_tui.money import MoneyError, format_money, from_minor, to_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

METHODS = [
    ("Card (taken elsewhere)", "card"),
    ("Cash", "cash"),
    ("Cheque", "cheque"),
    ("Bank transfer", "transfer"),
]


class PaymentForm(DialogScreen[InvoiceRead | None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="payment.cancel")]

    def __init__(self, services: Services, invoice: InvoiceRead) -> None:
        super().__init__()
        self.services = services
        self.invoice = invoice

    def compose(self) -> ComposeResult:
        inv = self.invoice
        due = format_money(inv.amount_due, inv.currency)
        with Vertical(classes="dialog"):
            yield Static(
                f"Payment for {inv.number} · {inv.client_name} · {due} due",
                classes="dialog-title",
                markup=False,
            )
            yield Field(
                f"Amount ({inv.currency}); more than is due goes to the client's credit",
                str(from_minor(inv.amount_due, inv.currency)),
                name="amount",
            )
            yield Label("Method", markup=False)
            yield Select(METHODS, value="card", allow_blank=False, id="method")
            yield Field("Reference (cheque number, transfer id; optional)", name="reference")
            yield Static("", classes="dialog-error", id="payment-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record payment (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-amount", Input).focus()

    @on(Select.Changed, "#method")
    def _method_chosen(self, event: Select.Changed) -> None:
        # enter on the method only reopens its list: move on, where enter records.
        if event.select.has_focus:
            self.query_one("#input-reference", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        amount_field = self.query_one("#field-amount", Field)
        try:
            amount = to_minor(amount_field.value, self.invoice.currency)
            if amount <= 0:
                raise MoneyError("a payment must be more than 0")
        except MoneyError as exc:
            amount_field.set_error(str(exc))
            return
        amount_field.set_error(None)
        method = self.query_one("#method", Select).value
        try:
            updated = self.services.payments.record(
                self.invoice.number,
                amount=from_minor(amount, self.invoice.currency),
                method=str(method),
                reference=self.query_one("#field-reference", Field).value,
            )
        except DomainError as exc:
            self.query_one("#payment-error", Static).update(str(exc))
            return
        self.dismiss(updated)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
