"""One appointment: its billing details per attendee, editable, and its status."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from cp_tui.money import decimal_text, format_money, from_minor, line_amounts
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import AppointmentRead, ChargeRead, InvoiceRead
from cp_tui.widgets.item_picker import LineValues
from cp_tui.widgets.plain import cells

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class AppointmentDetail(DialogScreen[InvoiceRead | None]):
    CSS_PATH = "appointment_detail.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="appointment.close"),
        Binding(
            "e",
            "edit_charge",
            "Edit billing",
            id="appointment.edit",
            tooltip="Change units, price or tax for the attendee and service",
        ),
        Binding(
            "g",
            "generate",
            "Generate items",
            id="appointment.generate",
            tooltip="Create the items of a recurring session that took place",
        ),
        Binding("d", "status('complete')", "Done", id="appointment.complete"),
        Binding("x", "status('cancel')", "Cancel", id="appointment.cancel"),
        Binding("o", "status('no_show')", "No-show", id="appointment.no_show"),
        Binding(
            "r",
            "status('reopen')",
            "Reopen",
            id="appointment.reopen",
            tooltip="Back to scheduled; uninvoiced items are removed",
        ),
    ]

    def __init__(self, services: Services, appointment_id: int) -> None:
        super().__init__()
        self.services = services
        self.appointment_id = appointment_id
        self.currency = services.practice.get().currency
        self.appt: AppointmentRead | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(id="appointment-header", markup=False)
            yield DataTable(cursor_type="row", id="charges")
            yield Static(id="appointment-hint", classes="muted", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#charges", DataTable)
        for name in ("Attendee", "Service", "Units", "Price", "Tax %", "Total", "Billing"):
            table.add_column(name, key=name)
        self.reload()
        table.focus()

    def reload(self) -> None:
        try:
            appt = self.appt = self.services.calendar.get(self.appointment_id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        end = appt.start + timedelta(minutes=appt.duration_min)
        series = "  ·  recurring series" if appt.series_id else ""
        self.query_one("#appointment-header", Static).update(
            Content.assemble(
                (f"{appt.start:%A %d %B %Y  %H:%M}-{end:%H:%M}", "bold"),
                f"   {appt.status}{series}\n",
                ", ".join(appt.client_names),
            )
        )
        table = self.query_one("#charges", DataTable)
        table.clear()
        for charge in appt.charges:
            total = line_amounts(charge.units, charge.unit_price, charge.tax_rate).total
            table.add_row(
                *cells(
                    charge.client_name,
                    charge.service_name,
                    decimal_text(charge.units),
                    format_money(charge.unit_price, self.currency),
                    decimal_text(charge.tax_rate),
                    format_money(total, self.currency),
                    _billing_state(charge),
                ),
                key=str(charge.id),
            )
        hint = "e edits the line under the cursor."
        if appt.series_id and not any(c.item_id for c in appt.charges):
            hint += " This recurring session has no items yet: g generates them once it happened."
        hint += package_hint(self.services, appt.charges)
        self.query_one("#appointment-hint", Static).update(hint)

    def _charge(self) -> ChargeRead | None:
        table = self.query_one("#charges", DataTable)
        if self.appt is None or not self.appt.charges:
            return None
        return self.appt.charges[min(table.cursor_row, len(self.appt.charges) - 1)]

    @on(DataTable.RowSelected)
    def action_edit_charge(self) -> None:
        from cp_tui.screens.line_form import LineForm

        charge = self._charge()
        if charge is None:
            return
        if charge.invoice_number:
            self.notify(
                f"This line is on {charge.invoice_number}; change it there (or by credit note).",
                severity="warning",
                markup=False,
            )
            return
        values = LineValues(charge.units, charge.unit_price, charge.tax_rate)
        title = f"{charge.client_name} · {charge.service_name}"

        def save(result: LineValues | None) -> None:
            if result is None:
                return
            try:
                self.services.calendar.set_charge(
                    self.appointment_id,
                    client_id=charge.client_id,
                    service_id=charge.service_id,
                    units=result.units,
                    price=from_minor(result.unit_price, self.currency),
                    tax_rate=result.tax_rate,
                )
            except DomainError as exc:
                self.notify(str(exc), severity="error", markup=False)
            self.reload()

        self.app.push_screen(LineForm(title, values, self.currency), save)

    def action_generate(self) -> None:
        try:
            result = self.services.calendar.generate_items(self.appointment_id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        self.notify(result.message.capitalize() + ".", markup=False)

    def action_status(self, action: str) -> None:
        try:
            getattr(self.services.calendar, action)(self.appointment_id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()


def _billing_state(charge: ChargeRead) -> str:
    if charge.invoice_number:
        return f"on {charge.invoice_number}"
    if charge.item_id:
        return "to invoice"
    return "no item yet"


def package_hint(services: Services, charges: list[ChargeRead]) -> str:
    """Which lines a package covered, and the sessions each attendee has left."""
    covered = services.packages.covering([c.item_id for c in charges if c.item_id])
    lines = [
        f"\n{c.client_name}: covered by {covered[c.item_id]}"
        for c in charges
        if c.item_id in covered
    ]
    for client_id, name in dict((c.client_id, c.client_name) for c in charges).items():
        left = sum(p.left for p in services.packages.list(client_id=client_id, active_only=True))
        if left:
            lines.append(f"\n{name}: {left} package session{'s' if left != 1 else ''} left")
    return "".join(lines)
