"""The Calendar: the week (or one day's agenda) and end-of-session quick billing.

From a selected appointment, ``i`` then ``enter`` creates the invoice (the
appointment is completed on the way), and ``m`` then ``enter`` on the invoice
records the payment: paid in four keystrokes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import AppointmentRead, InvoiceRead
from cp_tui.widgets.virtual_table import Column, ListSource, Row, VirtualTable
from cp_tui.widgets.week_grid import WeekGrid, block_lines, needs_invoice

NARROW_BELOW = 100  # columns: below this the heading and the legend are written shorter

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class CalendarScreen(Screen[None]):
    CSS_PATH = "calendar.tcss"
    BINDINGS = [
        Binding("left_square_bracket", "week(-1)", "Prev week", id="calendar.prev_week"),
        Binding("right_square_bracket", "week(1)", "Next week", id="calendar.next_week"),
        Binding("t", "today", "Today", id="calendar.today"),
        Binding("v", "toggle_view", "Week/day", id="calendar.view"),
        Binding("n", "new", "New", id="calendar.new", tooltip="Book a new appointment"),
        Binding("enter", "open", "Open", id="calendar.open", tooltip="Appointment detail"),
        Binding(
            "i",
            "invoice",
            "Invoice",
            id="calendar.invoice",
            tooltip="Complete the session and invoice it",
        ),
        Binding(
            "d",
            "status('complete')",
            "Done",
            id="calendar.complete",
            tooltip="Mark the appointment completed",
        ),
        Binding(
            "x",
            "status('cancel')",
            "Cancel",
            id="calendar.cancel",
            tooltip="Mark the appointment cancelled",
        ),
        Binding(
            "o",
            "status('no_show')",
            "No-show",
            id="calendar.no_show",
            tooltip="Mark the appointment as a no-show",
        ),
        Binding(
            "g",
            "generate",
            "Generate items",
            id="calendar.generate",
            show=False,
            tooltip="Create the billing items of a recurring session that took place",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        today = services.clock.today()
        self.monday = today - timedelta(days=today.weekday())
        self.appointments: list[AppointmentRead] = []
        self.agenda_day = today

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="calendar-title", markup=False)
        yield WeekGrid(id="week")
        yield VirtualTable(
            [
                Column("Time", 13),
                Column("Clients", 30),
                Column("Services", 30),
                Column("Status", 12),
                Column("Billing", 16),
            ],
            id="agenda",
        )
        yield Static(id="calendar-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agenda").display = False
        self.reload()
        self.query_one(WeekGrid).focus()

    # -- data ------------------------------------------------------------------

    def reload(self) -> None:
        grid = self.query_one(WeekGrid)
        self.appointments = self.services.calendar.list(
            start=self.monday, end=self.monday + timedelta(days=6)
        )
        grid.show_week(self.monday, self.appointments, self.services.clock.today())
        self._fill_agenda()
        self._describe(grid.selected)

    def _fill_agenda(self) -> None:
        day = self.monday + timedelta(days=self.query_one(WeekGrid).selected_day)
        self.agenda_day = day
        rows = []
        for appt in self.appointments:
            if appt.start.date() != day:
                continue
            end = appt.start + timedelta(minutes=appt.duration_min)
            billing = (
                "$ to invoice" if needs_invoice(appt) else "invoiced" if appt.invoiced_items else ""
            )
            rows.append(
                Row(
                    appt.id,
                    [
                        f"{appt.start:%H:%M}-{end:%H:%M}",
                        ", ".join(appt.client_names),
                        ", ".join(appt.service_names),
                        appt.status,
                        billing,
                    ],
                )
            )
        agenda = self.query_one("#agenda", VirtualTable)
        agenda.set_source(ListSource(rows), keep_key=self.query_one(WeekGrid).selected_id)

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted:
            self._describe(self.selected)

    def _describe(self, appt: AppointmentRead | None) -> None:
        title = self.query_one("#calendar-title", Static)
        sunday = self.monday + timedelta(days=6)
        view = "day" if self.query_one("#agenda").display else "week"
        if self.size.width >= NARROW_BELOW:
            heading = (
                f"{self.agenda_day:%A %d %B %Y}"
                if view == "day"
                else f"Week of {self.monday:%d %b} – {sunday:%d %b %Y}"
            )
            legend = "○ scheduled  ✓ completed  ✗ cancelled  ! no-show  $ to invoice"
            title.update(f"{heading}   {legend}")
        else:  # shorter, so that the whole legend fits on one line of 80 columns
            heading = (
                f"{self.agenda_day:%a %d %b}"
                if view == "day"
                else f"Week of {self.monday:%d %b}–{sunday:%d %b}"
            )
            title.update(f"{heading}  ○ scheduled ✓ done ✗ cancelled ! no-show $ to invoice")
        detail = self.query_one("#calendar-detail", Static)
        if appt is None:
            detail.update("No appointment selected. n books one; [ and ] change week.")
            return
        lines = block_lines(appt)
        series = "  (recurring)" if appt.series_id else ""
        detail.update(f"{appt.start:%a %d %b}  {lines[0]}  ·  {lines[1]}  ·  {lines[2]}{series}")

    @property
    def selected(self) -> AppointmentRead | None:
        if self.query_one("#agenda").display:
            key = self.query_one("#agenda", VirtualTable).current_key
            return next((a for a in self.appointments if a.id == key), None)
        return self.query_one(WeekGrid).selected

    def select(self, appointment_id: int | None) -> None:
        if appointment_id is not None:
            self.query_one(WeekGrid).selected_id = appointment_id

    @on(WeekGrid.Highlighted)
    def _highlighted(self, message: WeekGrid.Highlighted) -> None:
        self._describe(self.query_one(WeekGrid).selected)

    @on(VirtualTable.Highlighted, "#agenda")
    def _agenda_moved(self, message: VirtualTable.Highlighted) -> None:
        if isinstance(message.key, int):
            self.query_one(WeekGrid).selected_id = message.key

    @on(VirtualTable.Selected, "#agenda")
    def _agenda_open(self, message: VirtualTable.Selected) -> None:
        self.action_open()

    # -- navigation ------------------------------------------------------------------

    def action_week(self, step: int) -> None:
        self.monday += timedelta(weeks=step)
        self.reload()

    def action_today(self) -> None:
        today = self.services.clock.today()
        self.monday = today - timedelta(days=today.weekday())
        grid = self.query_one(WeekGrid)
        grid.selected_id = None
        self.reload()

    def action_toggle_view(self) -> None:
        agenda = self.query_one("#agenda", VirtualTable)
        grid = self.query_one(WeekGrid)
        agenda.display = not agenda.display
        grid.display = not agenda.display
        if agenda.display:
            self._fill_agenda()
            agenda.focus()
        else:
            grid.focus()
        self._describe(self.selected)

    # -- actions ------------------------------------------------------------------------

    def _need_selection(self) -> AppointmentRead | None:
        appt = self.selected
        if appt is None:
            self.notify(
                "Select an appointment first (arrows move, n books one).",
                severity="warning",
                markup=False,
            )
        return appt

    def action_new(self) -> None:
        from cp_tui.screens.appointment_form import AppointmentForm

        day = self.monday + timedelta(days=self.query_one(WeekGrid).selected_day)
        self.app.push_screen(AppointmentForm(self.services, day), self._booked)

    def _booked(self, booked: list[AppointmentRead] | None) -> None:
        if booked:
            first = booked[0]
            self.monday = first.start.date() - timedelta(days=first.start.weekday())
            self.query_one(WeekGrid).selected_id = first.id
            self.reload()
            extra = f" and {len(booked) - 1} more in the series" if len(booked) > 1 else ""
            self.notify(f"Booked {first.start:%a %d %b %H:%M}{extra}.", markup=False)

    def action_open(self) -> None:
        from cp_tui.screens.appointment_detail import AppointmentDetail

        appt = self._need_selection()
        if appt is not None:
            self.app.push_screen(AppointmentDetail(self.services, appt.id), self._after_detail)

    def _after_detail(self, result: InvoiceRead | None) -> None:
        self.reload()
        if result is not None:
            self._show_invoice(result)

    def action_status(self, action: str) -> None:
        appt = self._need_selection()
        if appt is None:
            return
        try:
            updated = getattr(self.services.calendar, action)(appt.id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        note = ""
        if updated.status == "completed" and updated.series_id and not updated.uninvoiced_items:
            note = " Recurring: press g to generate its items, or i to invoice."
        self.notify(f"{', '.join(updated.client_names)}: {updated.status}.{note}", markup=False)
        if action == "complete":
            self._offer_charge(updated.id)

    def _offer_charge(self, appointment_id: int) -> None:
        """A client charged at the end of each session: one confirm invoices and charges."""
        offer = self.services.session_charge.offer_for_session(appointment_id)
        if offer is None or not self.services.charges.available():
            return
        from cp_tui.screens.confirm import ConfirmScreen

        amount = format_money(offer.amount, offer.currency)

        def invoice_and_charge(yes: bool | None) -> None:
            if not yes:
                return
            try:
                invoice = self.services.invoices.create(
                    client_id=offer.client_id, item_ids=offer.item_ids
                )
            except DomainError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.reload()
            self._show_invoice(invoice, charge=True)

        self.app.push_screen(
            ConfirmScreen(
                f"{offer.client_name}'s session is done: invoice {amount} and charge it "
                f"to {offer.card} now?",
                yes="Invoice and charge",
            ),
            invoice_and_charge,
        )

    def action_generate(self) -> None:
        appt = self._need_selection()
        if appt is None:
            return
        try:
            result = self.services.calendar.generate_items(appt.id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        self.notify(result.message.capitalize() + ".", markup=False)

    # -- quick billing ---------------------------------------------------------------------

    def action_invoice(self) -> None:
        """End of session: complete (or generate), then the invoice dialog."""
        appt = self._need_selection()
        if appt is None:
            return
        if appt.status in ("cancelled", "no-show"):
            self.notify(
                f"This session is {appt.status}; reopen it from its detail to bill it.",
                severity="error",
                markup=False,
            )
            return
        has_items = appt.uninvoiced_items + appt.invoiced_items > 0
        if appt.series_id is not None and not has_items:
            from cp_tui.screens.confirm import ConfirmScreen

            if appt.start > self.services.clock.local_now():
                # Asking "did it take place?" about a session still to come only to refuse.
                self.notify(
                    f"{', '.join(appt.client_names)}'s session on {appt.start:%a %d %b %H:%M} "
                    "has not taken place yet: invoice it once it has.",
                    severity="warning",
                    markup=False,
                )
                return

            question = (
                f"{', '.join(appt.client_names)} · {appt.start:%a %d %b %H:%M}\n"
                "This is a session of a recurring series: it has no billing items yet.\n"
                "Did it take place? Generate its items and invoice it?"
            )
            self.app.push_screen(
                ConfirmScreen(question, yes="Generate and invoice"),
                lambda yes: self._bill(appt, generate=True) if yes else None,
            )
            return
        self._bill(appt, generate=False)

    def _bill(self, appt: AppointmentRead, *, generate: bool) -> None:
        try:
            if generate:
                self.services.calendar.generate_items(appt.id)
            elif appt.status != "completed":
                self.services.calendar.complete(appt.id)
            fresh = self.services.calendar.get(appt.id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        open_charges = [c for c in fresh.charges if c.item_id and not c.invoice_number]
        if not open_charges:
            self.notify(
                "Every item of this session is invoiced already.", severity="warning", markup=False
            )
            return
        clients = list(dict.fromkeys(c.client_id for c in open_charges))
        if len(clients) == 1:
            self._open_dialog(clients[0], [c.item_id for c in open_charges if c.item_id])
            return
        from cp_tui.screens.pick_client import PickClientScreen

        names = {c.client_id: c.client_name for c in open_charges}
        self.app.push_screen(
            PickClientScreen("Invoice which attendee?", [(cid, names[cid]) for cid in clients]),
            lambda chosen: (
                self._open_dialog(
                    chosen,
                    [c.item_id for c in open_charges if c.item_id and c.client_id == chosen],
                )
                if chosen is not None
                else None
            ),
        )

    def _open_dialog(self, client_id: int, ticked: list[int]) -> None:
        from cp_tui.screens.invoice_dialog import InvoiceDialog

        self.app.push_screen(InvoiceDialog(self.services, client_id, ticked), self._created)

    def _created(self, invoice: InvoiceRead | None) -> None:
        self.reload()
        if invoice is None:
            return
        if invoice.status == "draft":
            self._show_invoice(invoice)
            return
        offer = self.services.session_charge.offer(invoice.number or "")
        if offer is None or not self.services.charges.available():
            self._show_invoice(invoice)
            return
        from cp_tui.screens.confirm import ConfirmScreen

        amount = format_money(offer.amount, offer.currency)
        self.app.push_screen(
            ConfirmScreen(
                f"{invoice.number} for {offer.client_name}: charge {amount} to {offer.card} now?",
                yes="Charge",
            ),
            lambda yes: self._show_invoice(invoice, charge=bool(yes)),
        )

    def _show_invoice(self, invoice: InvoiceRead, *, charge: bool = False) -> None:
        from cp_tui.screens.invoice_detail import InvoiceDetailScreen

        if invoice.status == "draft":
            self.notify(
                f"Draft {invoice.number} saved for {invoice.client_name}: no number yet; "
                "i issues it (Invoices, filter Drafts, lists it).",
                markup=False,
            )
        else:
            self.notify(
                f"{invoice.number} created for {invoice.client_name}: "
                f"{format_money(invoice.amount_due, invoice.currency)} due.",
                markup=False,
            )
        detail = InvoiceDetailScreen(self.services, invoice.number)
        self.app.push_screen(detail, lambda _: self.reload())
        if charge:  # the invoice screen's own Pay now worker, once it is up
            self.call_after_refresh(detail.charge_now)
