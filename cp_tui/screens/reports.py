"""What is owed: balances by client in aging buckets, and billed versus received by month.

Both are fast local reads (one pass over the open invoices, one over a year of
invoices and payments), so they run directly, without a worker.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.reports import AgingReport, MonthlyReport
from cp_tui.widgets.bar_chart import BarChart, BarPair
from cp_tui.widgets.plain import cells

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ReportsScreen(Screen[None]):
    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="reports.back", tooltip="Back to the invoices"),
        Binding(
            "d",
            "as_of",
            "As of",
            id="reports.as_of",
            tooltip="Type the day the balances are aged as of (YYYY-MM-DD)",
        ),
        Binding(
            "c",
            "claims",
            "Claims",
            id="reports.claims",
            tooltip="The insurers' portions: submit, record payments and denials",
        ),
        Binding(
            "m",
            "statements",
            "Mail statements",
            id="reports.statements",
            tooltip="E-mail every client with activity or a balance their statement",
        ),
        Binding(
            "r",
            "reload",
            "Reload",
            id="reports.reload",
            tooltip="Read the balances and the months again",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.as_of: date = services.clock.today()
        self.aging: AgingReport | None = None
        self.monthly: MonthlyReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-bar"):
                yield Label("Balances due as of", classes="reports-label", markup=False)
                yield Input(
                    self.as_of.isoformat(),
                    placeholder="YYYY-MM-DD",
                    id="reports-as-of",
                    tooltip="The day to age balances as of; Enter to apply",
                )
            yield DataTable(id="reports-aging", cursor_type="row", zebra_stripes=True)
            yield Static(id="reports-aging-total", markup=False)
            yield Label(
                "Billed versus received, last 12 months", classes="reports-title", markup=False
            )
            yield BarChart(id="reports-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Reports: what is owed"
        table = self.query_one("#reports-aging", DataTable)
        table.add_columns("Client", "Current", "1-30", "31-60", "61-90", "Over 90", "Total")
        self.reload()
        table.focus()

    def reload(self) -> None:
        try:
            self.aging = self.services.reports.aging(self.as_of)
            self.monthly = self.services.reports.monthly()
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show_aging(self.aging)
        self.query_one("#reports-chart", BarChart).show(
            [BarPair(m.month, m.billed_in_all, m.received_in_all) for m in self.monthly.months],
            self.monthly.currency,
        )

    def _show_aging(self, report: AgingReport) -> None:
        def money(amount: int) -> str:
            return format_money(amount, report.currency) if amount else "-"

        table = self.query_one("#reports-aging", DataTable)
        table.clear()
        for row in report.rows:
            table.add_row(
                *cells(row.client_name, *(money(b) for b in row.buckets), money(row.total)),
                key=str(row.client_id),
            )
        total = self.query_one("#reports-aging-total", Static)
        if not report.rows:
            total.update(f"Nothing is owed as of {report.as_of}.")
            return
        parts = "   ".join(
            f"{name}: {money(amount)}"
            for name, amount in zip(report.buckets, report.totals, strict=True)
        )
        total.update(f"Total {format_money(report.total, report.currency)}   {parts}")

    @on(Input.Submitted, "#reports-as-of")
    def _as_of_typed(self, message: Input.Submitted) -> None:
        message.stop()
        try:
            day = date.fromisoformat(message.value.strip())
        except ValueError:
            self.notify(
                f"{message.value!r} is not a date; use YYYY-MM-DD", severity="error", markup=False
            )
            return
        self.as_of = day
        self.reload()
        self.query_one("#reports-aging", DataTable).focus()

    def action_as_of(self) -> None:
        self.query_one("#reports-as-of", Input).focus()

    def action_claims(self) -> None:
        from cp_tui.screens.claims import ClaimsScreen

        self.app.push_screen(ClaimsScreen(self.services), lambda _: self.reload())

    def action_statements(self) -> None:
        from cp_tui.screens.statement_run import StatementRunScreen

        self.app.push_screen(StatementRunScreen(self.services))

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
