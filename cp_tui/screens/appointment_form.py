"""Book an appointment: client(s), service(s), start, duration, repeat."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import AppointmentRead
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

REPEATS = [
    ("Does not repeat", ""),
    ("Weekly", "weekly"),
    ("Fortnightly", "fortnightly"),
    ("Monthly", "monthly"),
]


class AppointmentForm(DialogScreen[list[AppointmentRead] | None]):
    CSS_PATH = "appointment_form.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="appointment_form.cancel"),
        Binding("ctrl+s", "save", "Book", id="appointment_form.save"),
    ]

    def __init__(self, services: Services, day: date) -> None:
        super().__init__()
        self.services = services
        self.day = day
        self.clients = services.clients.list()
        self.catalogue = services.catalogue.list()
        self.chosen_clients: set[int] = set()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("New appointment", classes="dialog-title", markup=False)
            yield Field(
                "Clients (type to filter, space to choose)",
                name="filter",
                placeholder="name or e-mail",
            )
            yield SelectionList[int](id="clients")
            yield Static("", classes="field-error", id="clients-error", markup=False)
            yield Label("Services", markup=False)
            yield SelectionList[int](
                *[
                    (Content(f"{s.name} {s.code}".strip()), s.id, i == 0)
                    for i, s in enumerate(self.catalogue)
                ],
                id="services",
            )
            yield Static("", classes="field-error", id="services-error", markup=False)
            with Horizontal(classes="row"):
                yield Field("Date", self.day.isoformat(), name="date", placeholder="YYYY-MM-DD")
                yield Field("Time", "09:00", name="time", placeholder="HH:MM")
                duration = self.catalogue[0].duration_min if self.catalogue else 50
                yield Field("Minutes", str(duration), name="duration")
            with Horizontal(classes="row"):
                with Vertical(classes="repeat"):
                    yield Label("Repeat", markup=False)
                    yield Select(REPEATS, value="", allow_blank=False, id="repeat")
                yield Field("Sessions in the series", "10", name="count")
            yield Static("", classes="dialog-error", id="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Book (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._fill_clients("")
        self.query_one("#input-filter", Input).focus()

    def _fill_clients(self, text: str) -> None:
        needle = text.lower()
        chooser = self.query_one("#clients", SelectionList)
        chooser.clear_options()
        chooser.add_options(
            [
                (Content(f"{c.name}  {c.email}"), c.id, c.id in self.chosen_clients)
                for c in self.clients
                if needle in c.name.lower() or needle in c.email.lower()
            ][:200]
        )

    @on(Input.Changed, "#input-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill_clients(event.value)

    @on(Input.Submitted, "#input-filter")
    def _pick_first(self) -> None:
        chooser = self.query_one("#clients", SelectionList)
        if chooser.option_count and not self.chosen_clients:
            chooser.select(chooser.get_option_at_index(0))
        chooser.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Tabbed into a list with nothing highlighted, space would tick nothing.
        chooser = event.widget
        if (
            isinstance(chooser, SelectionList)
            and chooser.highlighted is None
            and chooser.option_count
        ):
            chooser.highlighted = 0

    @on(SelectionList.SelectedChanged, "#clients")
    def _clients_changed(self, event: SelectionList.SelectedChanged) -> None:
        visible = {
            event.selection_list.get_option_at_index(i).value
            for i in range(event.selection_list.option_count)
        }
        self.chosen_clients = (self.chosen_clients - visible) | set(event.selection_list.selected)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#input-date, #input-time, #input-duration, #input-count")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        fields = {f.field_name: f for f in self.query(Field)}
        errors: dict[str, str] = {}
        start: datetime | None = None
        try:
            day = date.fromisoformat(fields["date"].value)
        except ValueError:
            errors["date"] = "a date like 2026-11-20"
            day = None
        try:
            at = time.fromisoformat(fields["time"].value)
        except ValueError:
            errors["time"] = "a time like 09:30"
            at = None
        if day is not None and at is not None:
            start = datetime.combine(day, at)
        duration = _whole(fields["duration"].value, "minutes", errors, "duration")
        repeat = str(self.query_one("#repeat", Select).value or "")
        count = _whole(fields["count"].value, "sessions", errors, "count") if repeat else None
        for name, field in fields.items():
            field.set_error(errors.get(name))
        services = list(self.query_one("#services", SelectionList).selected)
        self.query_one("#clients-error", Static).update(
            "" if self.chosen_clients else "choose at least one client (space)"
        )
        self.query_one("#services-error", Static).update(
            "" if services else "choose at least one service (space)"
        )
        if errors or start is None or not self.chosen_clients or not services:
            return
        try:
            booked = self.services.calendar.add(
                client_ids=[c.id for c in self.clients if c.id in self.chosen_clients],
                service_ids=services,
                start=start,
                duration_min=duration,
                repeat=repeat or None,
                count=count,
            )
        except DomainError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self.dismiss(booked)


def _whole(text: str, what: str, errors: dict[str, str], name: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        errors[name] = f"a whole number of {what}"
        return None
    if value <= 0:
        errors[name] = f"more than 0 {what}"
        return None
    return value
