"""First run on an empty practice: its name, currency, tax rate and first service.

Dismisses "done" once saved (the calendar is underneath), "demo" when the person
would rather look around the demo practice first, and None when skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Static

from cp_tui.money import decimal_text
from cp_tui.screens import form_checks as checks
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

WELCOME = (
    "Welcome to cp-tui. A few details and the calendar is yours: what the practice is "
    "called, its currency and tax rate, and the service you give most. All of it can "
    "be changed later in Settings (4)."
)


class SetupScreen(DialogScreen[str | None]):
    CSS_PATH = ["dialog.tcss", "setup.tcss"]
    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Start",
            id="setup.save",
            tooltip="Save the practice and its first service, then open the calendar",
        ),
        Binding(
            "ctrl+t",
            "demo",
            "Demo practice",
            id="setup.demo",
            tooltip="Look around the demo practice instead (yours stays empty)",
        ),
        Binding(
            "escape",
            "skip",
            "Later",
            id="setup.skip",
            tooltip="Skip for now; this setup comes back on the next start",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        current = self.services.practice.get()
        with Vertical(classes="dialog wide", id="setup-dialog"):
            yield Static("Set up your practice", classes="dialog-title", markup=False)
            yield Static(WELCOME, classes="dialog-body", markup=False)
            yield Field(
                "Practice name (on every invoice)",
                name="name",
                placeholder="e.g. Harbour Therapy",
            )
            with Horizontal(classes="row"):
                yield Field("Currency (USD, EUR, GBP, ...)", current.currency, name="currency")
                yield Field(
                    "Tax rate on sessions (%; 0 if exempt)",
                    decimal_text(current.default_tax_rate),
                    name="tax_rate",
                )
            yield Static("Your first service", classes="setup-heading", markup=False)
            with Horizontal(classes="row"):
                yield Field("Name", name="service_name", placeholder="e.g. Individual therapy")
                yield Field("Price", name="price", placeholder="e.g. 150.00")
                yield Field("Minutes", "50", name="duration")
            yield Static("", classes="dialog-error", id="setup-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Look around the demo practice instead (ctrl+t)", id="demo")
                yield Button("Start (enter)", variant="primary", id="save")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#input-name", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        f = self._field
        currency = f("currency").value.upper()
        # A price is read in the chosen currency (JPY has no cents), once that one is known.
        known = checks.check(f("currency"), checks.currency)
        price = checks.price(currency) if known else checks.required("a price is needed")
        service_hint = "name the service you give most, e.g. Individual therapy"
        fields_ok = checks.check_all(
            [
                (f("name"), checks.required("the practice needs a name, e.g. Harbour Therapy")),
                (f("tax_rate"), checks.tax_rate),
                (f("service_name"), checks.required(service_hint)),
                (f("price"), price),
                (f("duration"), checks.minutes),
            ]
        )
        if not (known and fields_ok):
            return
        try:
            self.services.practice.update(
                name=f("name").value,
                currency=currency,
                default_tax_rate=f("tax_rate").value or "0",
            )
            self.services.catalogue.add(
                name=f("service_name").value,
                price=f("price").value,
                duration_min=int(f("duration").value),
            )
        except DomainError as exc:
            self.query_one("#setup-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss("done")

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.dismiss("demo")

    def action_skip(self) -> None:
        self.dismiss(None)
