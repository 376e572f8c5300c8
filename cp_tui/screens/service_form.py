"""Add or change a service of the catalogue: name, code, place of service, duration, price, tax."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from cp_tui.money import decimal_text, from_minor
from cp_tui.screens import form_checks as checks
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.document_settings import check_place_of_service
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import ServiceRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ServiceForm(DialogScreen[ServiceRead | None]):
    """Saves through ``services.catalogue``; returns the saved service (None on cancel)."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="service_form.cancel",
            tooltip="Close the form without saving",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="service_form.save",
            tooltip="Save the service (enter in a field does the same)",
        ),
    ]

    def __init__(
        self, services: Services, currency: str, service: ServiceRead | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.currency = currency
        self.service = service

    def compose(self) -> ComposeResult:
        s = self.service
        price = str(from_minor(s.unit_price, self.currency)) if s else ""
        with Vertical(classes="dialog"):
            yield Static(
                f"Edit {s.name}" if s else "New service", classes="dialog-title", markup=False
            )
            yield Field(
                "Name (on invoices)",
                s.name if s else "",
                name="name",
                placeholder="Individual therapy",
            )
            with Horizontal(classes="row"):
                yield Field(
                    "Code (CPT or your own; optional)",
                    s.code if s else "",
                    name="code",
                    placeholder="90837",
                )
                yield Field(
                    "Place of service",
                    self.services.documents.place_of_service(s.id) if s else "",
                    name="place_of_service",
                    placeholder="11",
                )
                yield Field(
                    "Duration (minutes)", str(s.duration_min) if s else "50", name="duration"
                )
            with Horizontal(classes="row"):
                yield Field(f"Price ({self.currency})", price, name="price", placeholder="150.00")
                yield Field(
                    "Tax rate (%)",
                    decimal_text(s.tax_rate) if s else "",
                    name="tax_rate",
                    placeholder="the practice's default",
                )
            fees = self.services.fees.service_fees(s.id) if s else None
            with Horizontal(classes="row"):
                for name, label, fee in (
                    ("no_show_fee", "No-show fee", fees.no_show_fee if fees else None),
                    (
                        "late_cancel_fee",
                        "Late cancellation fee",
                        fees.late_cancel_fee if fees else None,
                    ),
                ):
                    shown = str(from_minor(fee, self.currency)) if fee else ""
                    yield Field(label, shown, name=name, placeholder="none")
            if s is not None:
                yield Checkbox("Offered when booking (active)", s.active, id="active")
            yield Static("", classes="dialog-error", id="service-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-name", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        field = self._field
        if not checks.check_all(
            [
                (field("name"), checks.required("a service needs a name, e.g. Individual therapy")),
                (field("place_of_service"), check_place_of_service),
                (field("duration"), checks.minutes),
                (field("price"), checks.price(self.currency)),
                (field("tax_rate"), lambda t: checks.tax_rate(t) if t else None),
                (field("no_show_fee"), lambda t: checks.price(self.currency)(t) if t else None),
                (field("late_cancel_fee"), lambda t: checks.price(self.currency)(t) if t else None),
            ]
        ):
            return
        rate = field("tax_rate").value or None
        try:
            if self.service is None:
                saved = self.services.catalogue.add(
                    name=field("name").value,
                    code=field("code").value,
                    duration_min=int(field("duration").value),
                    price=field("price").value,
                    tax_rate=rate,
                )
            else:
                saved = self.services.catalogue.update(
                    self.service.id,
                    name=field("name").value,
                    code=field("code").value,
                    duration_min=int(field("duration").value),
                    price=field("price").value,
                    tax_rate=rate or self.services.practice.get().default_tax_rate,
                    active=self.query_one("#active", Checkbox).value,
                )
            self.services.fees.set_service_fees(
                saved.id,
                no_show_fee=field("no_show_fee").value or "none",
                late_cancel_fee=field("late_cancel_fee").value or "none",
            )
            self.services.documents.set_place_of_service(saved.id, field("place_of_service").value)
        except DomainError as exc:
            self.query_one("#service-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
