"""A client's statement of account or superbill for a period: save the PDF or e-mail it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cp_tui.screens import document_jobs
from cp_tui.screens.document_dialog import DocumentDialog
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

KINDS = [("Statement of account", "statement"), ("Superbill (for an insurance claim)", "superbill")]


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before ``today``'s: what a monthly statement covers."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD") from None


class PeriodDocumentsDialog(DocumentDialog):
    """Runs the work in a worker; returns what was done (None when closed)."""

    CSS_PATH = "dialog.tcss"
    ERROR_ID = "period-error"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="period_documents.close"),
        Binding(
            "f",
            "save_pdf",
            "Save PDF",
            id="period_documents.pdf",
            tooltip="Write the PDF into the data folder's documents/",
        ),
        Binding(
            "s",
            "send",
            "E-mail",
            id="period_documents.send",
            tooltip="E-mail the PDF to the client",
        ),
    ]

    def __init__(self, services: Services, client_id: int, client_name: str) -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.client_name = client_name

    def compose(self) -> ComposeResult:
        start, end = last_month(self.services.clock.today())
        with Vertical(classes="dialog", id="period-documents"):
            yield Static(f"Documents for {self.client_name}", classes="dialog-title", markup=False)
            yield Label("Which document", markup=False)
            yield Select(KINDS, value="statement", allow_blank=False, id="period-kind")
            with Horizontal(classes="row"):
                yield Field("From (first day)", start.isoformat(), name="start")
                yield Field("To (last day)", end.isoformat(), name="end")
            yield Static("", classes="dialog-error", id="period-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save PDF (enter)", variant="primary", id="save-pdf")
                yield Button("E-mail (s)", id="send")
                yield Button("Close (esc)", id="close")

    def _period(self) -> tuple[date, date] | None:
        fields = {name: self.query_one(f"#field-{name}", Field) for name in ("start", "end")}
        days: dict[str, date] = {}
        for name, field in fields.items():
            try:
                days[name] = _day(field.value)
                field.set_error(None)
            except ValueError as exc:
                field.set_error(str(exc))
        if len(days) < 2:
            return None
        if days["end"] < days["start"]:
            fields["end"].set_error("the period ends before it starts")
            return None
        return days["start"], days["end"]

    def _kind(self) -> str:
        return str(self.query_one("#period-kind", Select).value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save-pdf")
    def action_save_pdf(self) -> None:
        period = self._period()
        if period is not None and not self.busy:
            self.busy = True
            self.query_one("#period-error", Static).update("Drawing the PDF...")
            self._save(self._kind(), *period)

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        period = self._period()
        if period is not None and not self.busy:
            self.busy = True
            self.query_one("#period-error", Static).update("Sending...")
            self._send(self._kind(), *period)

    @work(thread=True, exclusive=True, exit_on_error=False, group="period-documents")
    def _save(self, kind: str, start: date, end: date) -> None:
        documents = self.services.documents
        build = documents.statement if kind == "statement" else documents.superbill
        self.post_message(
            document_jobs.save(self.services, lambda: build(self.client_id, start, end))
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="period-documents")
    def _send(self, kind: str, start: date, end: date) -> None:
        mail = self.services.mail
        send = mail.send_statement if kind == "statement" else mail.send_superbill
        what = "statement" if kind == "statement" else "superbill"
        self.post_message(document_jobs.mail(lambda: send(self.client_id, start, end), what))
