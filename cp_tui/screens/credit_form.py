"""Issue a credit note: an amount in the client's favour, with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from cp_tui.money import MoneyError, from_minor, to_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class CreditForm(DialogScreen[InvoiceRead | None]):
    """Returns the credit note; when it names an invoice with money due, it is applied there."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="credit.cancel")]

    def __init__(
        self,
        services: Services,
        client_id: int,
        client_name: str,
        *,
        invoice: InvoiceRead | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.client_name = client_name
        self.invoice = invoice
        practice = services.practice.get()
        self.currency = practice.currency
        self.tax_rate = _suggested_tax_rate(invoice, practice.default_tax_rate)

    def compose(self) -> ComposeResult:
        about = f" correcting {self.invoice.number}" if self.invoice else ""
        suggested = str(from_minor(self.invoice.subtotal, self.currency)) if self.invoice else ""
        with Vertical(classes="dialog"):
            yield Static(
                f"Credit note for {self.client_name}{about}", classes="dialog-title", markup=False
            )
            yield Field(f"Amount before tax ({self.currency})", suggested, name="amount")
            yield Field("Reason (printed on the credit note)", name="reason")
            yield Field("Tax %", format(self.tax_rate.normalize(), "f"), name="tax")
            yield Static("", classes="dialog-error", id="credit-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Issue credit note (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-amount", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        amount = self.query_one("#field-amount", Field)
        reason = self.query_one("#field-reason", Field)
        ok = True
        try:
            if to_minor(amount.value, self.currency) <= 0:
                raise MoneyError("the amount must be more than 0")
            amount.set_error(None)
        except MoneyError as exc:
            amount.set_error(str(exc))
            ok = False
        reason.set_error(None if reason.value else "say why, e.g. 'Session cancelled'")
        ok = ok and bool(reason.value)
        if not ok:
            return
        try:
            note = self.services.credits.add(
                client_id=self.client_id,
                amount=amount.value,
                reason=reason.value,
                tax_rate=self.query_one("#field-tax", Field).value or "0",
                invoice_number=self.invoice.number if self.invoice else None,
            )
        except DomainError as exc:
            self.query_one("#credit-error", Static).update(str(exc))
            return
        self.dismiss(note)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def _suggested_tax_rate(invoice: InvoiceRead | None, default: Decimal) -> Decimal:
    """The rate of the invoice being corrected when all its lines share one, else the default."""
    rates = {line.tax_rate for line in invoice.lines} if invoice else set()
    return rates.pop() if len(rates) == 1 else default
