"""E-mail the period's statements to every client with activity or a balance, with progress.

The list of who gets one is a fast local read. Sending runs in a thread worker
that calls ``StatementRunService.send`` and posts its progress as messages; the
screen moves the bar. Sending the same period again sends only what did not go
out before (the mail service never sends the same statement twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, ProgressBar, Static

from cp_tui.money import format_money
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.statement_runs import (
    FAILED,
    StatementOutcome,
    StatementPlan,
    StatementRunResult,
)
from cp_tui.widgets.field import Field
from cp_tui.widgets.plain import cell, cells

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


@dataclass
class StatementProgress(Message):
    done: int
    total: int
    outcome: StatementOutcome


@dataclass
class StatementsFinished(Message):
    result: StatementRunResult | None
    error: str = ""


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class StatementRunScreen(DialogScreen[None]):
    CSS_PATH = "statement_run.tcss"
    BINDINGS = [
        Binding(
            "s",
            "send",
            "Send all",
            id="statements.send",
            tooltip="E-mail every listed client their statement for the period",
        ),
        Binding("escape", "close", "Back", id="statements.close", tooltip="Back to the reports"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.start, self.end = last_month(services.clock.today())
        self.plan: StatementPlan | None = None
        self.result: StatementRunResult | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("E-mail statements", classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field("From (YYYY-MM-DD)", self.start.isoformat(), name="start")
                yield Field("To (YYYY-MM-DD, enter lists)", self.end.isoformat(), name="end")
            yield DataTable(id="statements-table", cursor_type="row")
            yield ProgressBar(id="statements-progress", show_eta=False)
            yield Static(id="statements-summary", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#statements-table", DataTable)
        for label in ("Client", "E-mail", "Events", "Balance due", "Sent"):
            table.add_column(label, key=label.lower())
        self.reload()
        table.focus()

    def reload(self) -> None:
        try:
            self.plan = self.services.statement_runs.plan(self.start, self.end)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.result = None
        table = self.query_one("#statements-table", DataTable)
        table.clear()
        for t in self.plan.targets:
            table.add_row(
                *cells(
                    t.client_name,
                    t.email or "(no e-mail address)",
                    str(t.rows),
                    format_money(t.closing_balance, self.plan.currency),
                    "",
                ),
                key=str(t.client_id),
            )
        self.query_one("#statements-progress", ProgressBar).update(
            total=max(len(self.plan.targets), 1), progress=0
        )
        count = len(self.plan.targets)
        self.query_one("#statements-summary", Static).update(
            f"{count} client(s) with activity from {self.start} to {self.end} or a balance: "
            "s sends them all (a statement sent before is not sent again)."
            if count
            else f"No active client had activity from {self.start} to {self.end} or owes anything."
        )

    @on(Input.Submitted)
    def _dates_typed(self, message: Input.Submitted) -> None:
        message.stop()
        fields = {f.field_name: f for f in self.query(Field)}
        days: dict[str, date] = {}
        for name in ("start", "end"):
            try:
                days[name] = date.fromisoformat(fields[name].value)
            except ValueError:
                fields[name].set_error("a date is YYYY-MM-DD")
                return
            fields[name].set_error(None)
        self.start, self.end = days["start"], days["end"]
        self.reload()
        self.query_one("#statements-table", DataTable).focus()

    def action_send(self) -> None:
        if self.running:
            return
        if self.plan is None or not self.plan.targets:
            self.notify("No one to send a statement to for this period.", markup=False)
            return
        if not self.services.mail.is_configured():
            self.notify(
                "E-mail is not set up yet: Settings (4) shows how to connect a mail server.",
                severity="error",
                markup=False,
            )
            return
        plan = self.plan

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.running = True
                self.query_one("#statements-summary", Static).update("Sending…")
                self._send(plan)

        self.app.push_screen(
            ConfirmScreen(
                f"E-mail {len(plan.targets)} statement(s) for {plan.start} to {plan.end}?",
                yes="Send",
                no="Cancel",
            ),
            confirmed,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="statements")
    def _send(self, plan: StatementPlan) -> None:
        def step(done: int, total: int, outcome: StatementOutcome) -> None:
            self.post_message(StatementProgress(done, total, outcome))

        try:
            result = self.services.statement_runs.send(plan, progress=step)
        except DomainError as exc:
            self.post_message(StatementsFinished(None, str(exc)))
            return
        self.post_message(StatementsFinished(result))

    @on(StatementProgress)
    def _progress(self, message: StatementProgress) -> None:
        self.query_one("#statements-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )
        table = self.query_one("#statements-table", DataTable)
        outcome = message.outcome
        table.update_cell(str(outcome.client_id), "sent", cell(outcome.status))

    @on(StatementsFinished)
    def _finished(self, message: StatementsFinished) -> None:
        self.running = False
        summary = self.query_one("#statements-summary", Static)
        if message.result is None:
            summary.update(message.error)
            self.notify(message.error, severity="error", markup=False)
            return
        self.result = message.result
        failures = [o for o in message.result.outcomes if o.status == FAILED]
        text = f"Statements: {message.result.summary}."
        if failures:
            text += " " + " ".join(f"{o.client_name}: {o.detail}." for o in failures[:3])
            text += " Fix these, then s again: only what did not go out is sent."
        summary.update(text)
        self.notify(f"Statements: {message.result.summary}.", markup=False)

    def action_close(self) -> None:
        if self.running:
            self.notify("The statements are being sent; wait for the run to finish.", markup=False)
            return
        self.dismiss(None)
