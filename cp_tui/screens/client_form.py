"""New client or edit one: contact details and superbill codes; each message by its field."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.clients import check_email
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import ClientRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ClientForm(DialogScreen[ClientRead | None]):
    """Saves through ``services.clients`` and returns the saved client (None on cancel)."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="client_form.cancel",
            tooltip="Close the form without saving",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="client_form.save",
            tooltip="Save the client (enter in a field does the same)",
        ),
    ]

    def __init__(self, services: Services, client: ClientRead | None = None) -> None:
        super().__init__()
        self.services = services
        self.client = client

    def compose(self) -> ComposeResult:
        c = self.client
        title = f"Edit {c.name}" if c else "New client"
        with Vertical(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Field("Name (required)", c.name if c else "", name="name")
            with Horizontal(classes="row"):
                yield Field(
                    "E-mail (invoices are sent here)",
                    c.email if c else "",
                    name="email",
                    placeholder="name@example.com",
                )
                yield Field("Phone", c.phone if c else "", name="phone")
            yield Field("Address", c.address if c else "", name="address")
            codes = self.services.documents.client_codes(c.id) if c else None
            born = codes.date_of_birth if codes else None
            with Horizontal(classes="row"):
                yield Field(
                    "Date of birth (superbills)",
                    born.isoformat() if born else "",
                    name="date_of_birth",
                    placeholder="YYYY-MM-DD",
                )
                yield Field(
                    "Diagnosis (ICD-10)",
                    ", ".join(codes.diagnosis_codes) if codes else "",
                    name="diagnosis_codes",
                    placeholder="F41.1, F32.0",
                )
            yield Checkbox(
                "Charge the saved card at the end of each session",
                self.services.session_charge.charge_at_end(c.id) if c else False,
                id="charge-at-end",
            )
            yield Static("", classes="dialog-error", id="client-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-name", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    def _valid(self) -> bool:
        problems = self.services.documents.client_codes_problems(
            date_of_birth=self._field("date_of_birth").value,
            diagnosis_codes=self._field("diagnosis_codes").value,
        )
        for code_field in ("date_of_birth", "diagnosis_codes"):
            self._field(code_field).set_error(problems.get(code_field) or None)
        return self._valid_contact() and not problems

    def _valid_contact(self) -> bool:
        name, email = self._field("name"), self._field("email")
        name.set_error(None if name.value else "a client needs a name, e.g. Alex Rivera")
        try:
            check_email(email.value)
            email.set_error(None)
        except DomainError as exc:
            email.set_error(str(exc))
            return False
        return bool(name.value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self._valid():
            return
        values = {f: self._field(f).value for f in ("name", "email", "phone", "address")}
        try:
            if self.client is None:
                saved = self.services.clients.add(**values)
            else:
                saved = self.services.clients.update(self.client.id, **values)
            charge_at_end = self.query_one("#charge-at-end", Checkbox).value
            self.services.session_charge.set_charge_at_end(saved.id, charge_at_end)
            born = self._field("date_of_birth").value
            self.services.documents.set_client_codes(
                saved.id,
                date_of_birth=date.fromisoformat(born) if born else None,
                diagnosis_codes=self._field("diagnosis_codes").value,
                forget_date_of_birth=not born,
            )
        except DomainError as exc:
            self.query_one("#client-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
