"""The Invoices screen: every invoice and credit note, filtered, searched and totalled.

Nothing is loaded up front: the table asks ``InvoiceRows`` for the visible
200-row page, which asks the database for that page only, and the totals come
from one summing query. 200,000 invoices paint as fast as twenty.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, Select, Static

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import InvoiceSummary, InvoiceTotals
from cp_tui.widgets.virtual_table import Column, Row, VirtualTable

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

# (label, filter passed to InvoiceService), in the order `f` steps through them.
FILTERS = [
    ("All", "all"),
    ("Unpaid", "unpaid"),
    ("Overdue", "overdue"),
    ("Paid", "paid"),
    ("Void", "void"),
    ("Credit notes", "credit notes"),
    ("Drafts", "draft"),
    ("Open (unpaid or part paid)", "open"),
    ("Partially paid", "partially paid"),
]

# What the totals line calls the documents a filter shows.
NOUNS = {
    "all": "invoices and credit notes",
    "unpaid": "unpaid invoices",
    "overdue": "overdue invoices",
    "paid": "paid invoices",
    "void": "void invoices",
    "credit notes": "credit notes",
    "draft": "drafts",
    "open": "open invoices",
    "partially paid": "partially paid invoices",
}

COLUMNS = [
    Column("Number", 12),
    Column("Client", 24),
    Column("Issued", 11),
    Column("Due", 11),
    Column("Status", 23),
    Column("Sent", 4),
    Column("Total", 12, "right"),
    Column("Amount due", 12, "right"),
]

# Below this many columns the list leaves out Issued and Sent and narrows the rest,
# so that the amounts stay on screen in an 80-column terminal.
NARROW_BELOW = 110
NARROW_COLUMNS = [
    Column("Number", 10),
    Column("Client", 14),
    Column("Due", 11),
    Column("Status", 15),
    Column("Total", 10, "right"),
    Column("Amount due", 10, "right"),
]

SEARCH_DELAY = 0.2  # seconds after the last keystroke


def status_text(inv: InvoiceSummary, today: date) -> Text:
    if inv.kind == "credit_note":
        return Text("credit note", style="italic")
    if inv.status == "void":
        return Text("void", style="dim")
    if inv.status == "draft":
        return Text("draft, not issued", style="italic")
    overdue = inv.amount_due > 0 and inv.due_date < today
    label = f"{inv.status}, overdue" if overdue else inv.status
    return Text(label, style="bold" if overdue else "")


class InvoiceRows:
    """A ``RowSource`` over one filter: the count is summed once, pages read on demand."""

    def __init__(
        self,
        services: Services,
        status: str,
        search: str,
        totals: InvoiceTotals,
        currency: str,
        *,
        narrow: bool = False,
    ) -> None:
        self._services = services
        self.narrow = narrow
        self.status = status
        self.search = search
        self.totals = totals
        self._currency = currency
        self._today = services.clock.today()

    def count(self) -> int:
        return self.totals.count

    def page(self, offset: int, limit: int) -> list[Row]:
        rows = self._services.invoices.page(
            status=self.status, search=self.search, offset=offset, limit=limit
        )
        return [self._row(inv) for inv in rows]

    def _row(self, inv: InvoiceSummary) -> Row:
        money = self._money
        if self.narrow:
            return Row(
                inv.number,
                [
                    inv.number,
                    inv.client_name,
                    f"{inv.due_date:%d %b %Y}" if inv.kind == "invoice" else "",
                    status_text(inv, self._today),
                    money(inv.total),
                    money(inv.amount_due) if inv.amount_due else "–",
                ],
            )
        return Row(
            inv.number,
            [
                inv.number,
                inv.client_name,
                f"{inv.issue_date:%d %b %Y}",
                f"{inv.due_date:%d %b %Y}" if inv.kind == "invoice" else "",
                status_text(inv, self._today),
                "yes" if inv.sent else "",
                money(inv.total),
                money(inv.amount_due) if inv.amount_due else "–",
            ],
        )

    def _money(self, amount: int) -> str:
        return format_money(amount, self._currency)


class InvoicesScreen(Screen[None]):
    CSS_PATH = "invoices.tcss"
    BINDINGS = [
        Binding(
            "f",
            "step_filter(1)",
            "Filter",
            id="invoices.filter_next",
            tooltip=(
                "Show the next status: all, unpaid, overdue, paid, void, credit notes, drafts, open"
            ),
        ),
        Binding(
            "shift+f",
            "step_filter(-1)",
            "Previous filter",
            id="invoices.filter_previous",
            show=False,
            tooltip="Show the previous status filter",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            id="invoices.search",
            tooltip="Search by invoice number or client name",
        ),
        Binding(
            "enter",
            "open",
            "Open",
            id="invoices.open",
            tooltip="Open the invoice: lines, payments, history and its actions",
        ),
        Binding(
            "a",
            "reports",
            "What is owed",
            id="invoices.reports",
            tooltip="Reports: balances in aging buckets, billed versus received by month",
        ),
        Binding(
            "escape",
            "clear_search",
            "Clear search",
            id="invoices.clear_search",
            show=False,
            tooltip="Clear the search and return to the list",
        ),
        Binding(
            "b",
            "batch",
            "Batch run",
            id="invoices.batch",
            tooltip="Invoice every client's items of this week or of last month at once",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.currency = "USD"
        self.rows: InvoiceRows | None = None
        self._search_timer: Timer | None = None
        self._resume_pending = False
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="invoices-bar"):
            yield Label("Status (f)", classes="invoices-bar-label", markup=False)
            yield Select(FILTERS, value="all", allow_blank=False, id="invoices-status")
            yield Label("Search (/)", classes="invoices-bar-label", markup=False)
            yield Input(placeholder="number or client name", id="invoices-search")
        yield VirtualTable(COLUMNS, id="invoices-table")
        yield Static(id="invoices-totals", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#invoices-table", VirtualTable).focus()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # First shown, back from an invoice, or after billing elsewhere: read afresh.
        # Textual resumes a mode's first screen twice in a row; read once.
        self.sub_title = "Invoices"
        if not self._resume_pending:
            self._resume_pending = True
            self.call_later(self._resumed)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
            if self.rows is not None:
                table = self.query_one("#invoices-table", VirtualTable)
                key = table.current_key
                self.reload()
                index = table.index_of(key)
                if index is not None:
                    table.action_jump(index)

    def _resumed(self) -> None:
        self._resume_pending = False
        self.reload()

    # -- data -------------------------------------------------------------------

    @property
    def status(self) -> str:
        return str(self.query_one("#invoices-status", Select).value)

    @property
    def search(self) -> str:
        return self.query_one("#invoices-search", Input).value.strip()

    def reload(self, *, to_top: bool = False) -> None:
        """Count and sum the filtered set; the table then reads only the pages it shows."""
        status, search = self.status, self.search
        try:
            self.currency = self.services.practice.get().currency
            totals = self.services.invoices.summary(status=status, search=search)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.rows = InvoiceRows(
            self.services, status, search, totals, self.currency, narrow=self.narrow
        )
        table = self.query_one("#invoices-table", VirtualTable)
        table.columns = list(NARROW_COLUMNS if self.narrow else COLUMNS)
        table.set_source(self.rows)
        if to_top:
            table.action_jump(0)
        self._show_totals(totals)

    def _show_totals(self, totals: InvoiceTotals) -> None:
        what = NOUNS[self.status]
        searched = f' matching "{self.search}"' if self.search else ""
        hint = "    (f changes the filter, / the search)" if totals.count == 0 else ""
        money = self.currency
        self.query_one("#invoices-totals", Static).update(
            f"{totals.count:,} {what}{searched}    Total {format_money(totals.total, money)}"
            f"    Amount due {format_money(totals.amount_due, money)}{hint}"
        )

    # -- filter and search ------------------------------------------------------------

    @on(Select.Changed, "#invoices-status")
    def _status_changed(self) -> None:
        # The first load (on resume) reads whatever the Select shows.
        if self.rows is not None and self.rows.status != self.status:
            self.reload(to_top=True)

    def action_step_filter(self, step: int) -> None:
        values = [value for _, value in FILTERS]
        index = values.index(self.status) if self.status in values else 0
        # Select.Changed reloads.
        self.query_one("#invoices-status", Select).value = values[(index + step) % len(values)]

    def action_search(self) -> None:
        self.query_one("#invoices-search", Input).focus()

    @on(Input.Changed, "#invoices-search")
    def _search_changed(self) -> None:
        # Each keystroke restarts the wait, so fast typing runs one query, not ten.
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        self._search_timer = None
        if self.rows is None or self.rows.search != self.search:
            self.reload(to_top=True)

    @on(Input.Submitted, "#invoices-search")
    def _search_done(self) -> None:
        self._run_search()
        self.query_one("#invoices-table", VirtualTable).focus()

    def on_key(self, event: events.Key) -> None:
        # From the search box, the arrows go straight back to the list.
        if event.key in ("down", "up") and self.focused is self.query_one("#invoices-search"):
            event.stop()
            self._run_search()
            self.query_one("#invoices-table", VirtualTable).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#invoices-search", Input)
        table = self.query_one("#invoices-table", VirtualTable)
        if self.focused is search:
            table.focus()  # keep what was typed: escape only returns to the list
            return
        if search.value:
            search.value = ""
            self._run_search()

    # -- opening ----------------------------------------------------------------------

    @on(VirtualTable.Selected, "#invoices-table")
    def _selected(self, message: VirtualTable.Selected) -> None:
        message.stop()
        self.action_open()

    def action_batch(self) -> None:
        from cp_tui.screens.batch import BatchScreen

        self.app.push_screen(BatchScreen(self.services), lambda _: self.reload())

    def action_open(self) -> None:
        from cp_tui.screens.invoice_detail import InvoiceDetailScreen

        number = self.query_one("#invoices-table", VirtualTable).current_key
        if not isinstance(number, str) or not number:
            self.notify("No invoice selected: f changes the filter, / searches.", markup=False)
            return
        self.app.push_screen(InvoiceDetailScreen(self.services, number))

    def action_reports(self) -> None:
        from cp_tui.screens.reports import ReportsScreen

        self.app.push_screen(ReportsScreen(self.services))
