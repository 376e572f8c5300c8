"""The Clients screen: every client with what is uninvoiced, due and in credit.

The paging table asks the database for the 200 clients around what is on
screen, with their balances, and the footer's totals are summed by the database
(services/client_list.py); so 5,000 clients paint as fast as fifty, and the
filter re-reads one page and the totals as each letter is typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from cp_tui.money import format_money
from cp_tui.screens.choose_client import matches
from cp_tui.services.client_list import ClientFilter, ClientTotals
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import ClientRead
from cp_tui.widgets.virtual_table import Column, Row, VirtualTable

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.clients import ClientService

COLUMNS = [
    Column("Name", 30),
    Column("E-mail", 34),
    Column("Uninvoiced", 14, "right"),
    Column("Balance due", 14, "right"),
    Column("Credit", 14, "right"),
]


class ClientSource:
    """The clients a filter shows, read from the database a page at a time as they scroll in."""

    def __init__(
        self, clients: ClientService, wanted: ClientFilter, count: int, currency: str
    ) -> None:
        self.clients = clients
        self.wanted = wanted
        self.shown = count
        self.currency = currency

    def count(self) -> int:
        return self.shown

    def page(self, offset: int, limit: int) -> list[Row]:
        return [self.row(c) for c in self.clients.page(self.wanted, offset=offset, limit=limit)]

    def row(self, client: ClientRead) -> Row:
        money = self.money
        name = Text(client.name, style="dim italic") if client.archived else client.name
        return Row(
            client.id,
            [
                name,
                client.email,
                money(client.uninvoiced_total),
                money(client.balance_due),
                money(client.credit_balance),
            ],
        )

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency) if amount else "–"


class ClientsScreen(Screen[None]):
    CSS_PATH = "clients.tcss"
    AUTO_FOCUS = "#clients-table"
    BINDINGS = [
        Binding(
            "slash",
            "filter",
            "Filter",
            id="clients.filter",
            tooltip="Type to filter clients by name or e-mail",
        ),
        Binding("n", "new", "New client", id="clients.new", tooltip="Add a new client"),
        Binding(
            "enter",
            "open",
            "Open",
            id="clients.open",
            tooltip="Open the client: details, billing, invoices, payments",
        ),
        Binding(
            "v",
            "toggle_archived",
            "Archived",
            id="clients.archived",
            tooltip="Show or hide archived clients",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="clients.clear_filter",
            show=False,
            tooltip="Clear the filter and return to the list",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.currency = services.practice.get().currency
        self.show_archived = False
        self._reload_pending = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="clients-filter-bar"):
            yield Label("Filter /", id="clients-filter-label", markup=False)
            yield Input(placeholder="name or e-mail", id="clients-filter")
        yield VirtualTable(COLUMNS, id="clients-table")
        yield Static(id="clients-totals", markup=False)
        yield Footer()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # First shown, back from a client, or from billing in another mode: read afresh.
        # Textual sends two resumes when a mode is first shown; read the data once.
        if not self._reload_pending:
            self._reload_pending = True
            self.call_later(self._reload_after_resume)

    def _reload_after_resume(self) -> None:
        self._reload_pending = False
        self.reload()

    # -- data -------------------------------------------------------------------

    @property
    def wanted(self) -> ClientFilter:
        text = self.query_one("#clients-filter", Input).value
        return ClientFilter.of(text, include_archived=self.show_archived)

    def reload(self, *, keep: object = None) -> None:
        """Read the count, the totals and (as the table asks) the pages again."""
        table = self.query_one("#clients-table", VirtualTable)
        key = keep if keep is not None else table.current_key
        wanted = self.wanted
        try:
            self.currency = self.services.practice.get().currency
            totals = self.services.clients.totals(wanted)
            source = ClientSource(self.services.clients, wanted, totals.shown, self.currency)
            table.set_source(source)
            index = self.services.clients.position(wanted, key) if isinstance(key, int) else None
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if index is not None:
            table.cursor = index
        self._show_totals(totals)

    def _show_totals(self, totals: ClientTotals) -> None:
        shown, every = totals.shown, totals.every
        count = f"{shown} of {every} clients" if shown != every else f"{every} clients"
        archived = "  (archived shown in grey)" if self.show_archived else ""

        def money(amount: int) -> str:
            return format_money(amount, self.currency)

        self.query_one("#clients-totals", Static).update(
            f"{count}{archived}    Uninvoiced {money(totals.uninvoiced)}    "
            f"Balance due {money(totals.balance_due)}    Credit {money(totals.credit)}"
        )

    @property
    def selected(self) -> int | None:
        key = self.query_one("#clients-table", VirtualTable).current_key
        return key if isinstance(key, int) else None

    # -- filter -----------------------------------------------------------------

    @on(Input.Changed, "#clients-filter")
    def _filter_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#clients-filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one("#clients-table", VirtualTable))

    def on_key(self, event: events.Key) -> None:
        # From the filter, the arrows go straight back to the list.
        if event.key in ("down", "up") and self.focused is self.query_one("#clients-filter"):
            event.stop()
            self.set_focus(self.query_one("#clients-table", VirtualTable))

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#clients-filter", Input))

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#clients-filter", Input)
        table = self.query_one("#clients-table", VirtualTable)
        if self.focused is filter_input:
            self.set_focus(table)  # keep what was typed: escape only returns to the list
            return
        if filter_input.value:
            keep = table.current_key
            with self.prevent(Input.Changed):
                filter_input.value = ""
            self.reload(keep=keep)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.reload()
        shown = "shown" if self.show_archived else "hidden"
        self.notify(f"Archived clients {shown}.", markup=False)

    # -- actions ----------------------------------------------------------------

    def action_new(self) -> None:
        from cp_tui.screens.client_form import ClientForm

        self.app.push_screen(ClientForm(self.services), self._added)

    def _added(self, client: ClientRead | None) -> None:
        if client is None:
            return
        filter_input = self.query_one("#clients-filter", Input)
        if filter_input.value and not matches(client, filter_input.value.casefold().split()):
            filter_input.value = ""  # else the new client would be hidden
        self.reload(keep=client.id)
        self.notify(f"{client.name} added. Press enter to open them.", markup=False)

    @on(VirtualTable.Selected, "#clients-table")
    def _selected(self, message: VirtualTable.Selected) -> None:
        message.stop()
        self.action_open()

    def action_open(self) -> None:
        from cp_tui.screens.client_detail import ClientDetailScreen

        client_id = self.selected
        if client_id is None:
            self.notify(
                "No client selected: n adds one, / filters.", severity="warning", markup=False
            )
            return
        self.app.push_screen(ClientDetailScreen(self.services, client_id))
