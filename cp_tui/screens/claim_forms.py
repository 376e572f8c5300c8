"""The two small questions of the Claims screen: the insurer's reference, and what it paid."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from cp_tui.money import MoneyError, format_money, from_minor, to_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.insurance import check_reference
from cp_tui.widgets.field import Field


class ReferenceForm(DialogScreen[str | None]):
    """Returns the insurer's claim reference for the claims being submitted."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="claim_reference.cancel")]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Submit {self.what}", classes="dialog-title", markup=False)
            yield Field(
                "The insurer's claim reference", name="reference", placeholder="e.g. AET-2026-114"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Submit (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-reference", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        field = self.query_one("#field-reference", Field)
        if not field.value:
            field.set_error("type the reference the insurer gave this submission")
            return
        try:
            reference = check_reference(field.value)
        except DomainError as exc:
            field.set_error(str(exc))
            return
        self.dismiss(reference)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ClaimPaymentForm(DialogScreen[int | None]):
    """Returns what the insurer paid, in minor units, at most its portion."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="claim_payment.cancel")]

    def __init__(self, claim_id: int, payer: str, portion: int, currency: str) -> None:
        super().__init__()
        self.claim_id = claim_id
        self.payer = payer
        self.portion = portion
        self.currency = currency

    def compose(self) -> ComposeResult:
        most = format_money(self.portion, self.currency)
        with Vertical(classes="dialog"):
            yield Static(
                f"{self.payer} paid claim {self.claim_id} · its portion is {most}",
                classes="dialog-title",
                markup=False,
            )
            yield Field(
                f"Amount paid ({self.currency})",
                str(from_minor(self.portion, self.currency)),
                name="amount",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-amount", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        field = self.query_one("#field-amount", Field)
        try:
            minor = to_minor(field.value, self.currency)
            if minor < 0:
                raise MoneyError("a payment cannot be negative")
            if minor > self.portion:
                raise MoneyError(
                    f"the insurer's portion is {format_money(self.portion, self.currency)}; "
                    "it cannot pay more"
                )
        except MoneyError as exc:
            field.set_error(str(exc))
            return
        self.dismiss(minor)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
