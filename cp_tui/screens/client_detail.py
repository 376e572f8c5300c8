"""One client: Details, Billing ("Uninvoiced amounts"), Invoices and Payments tabs.

Pushed over the Clients list; ``escape`` goes back. Every figure is read again
when the screen comes back to the front, so it is fresh after billing elsewhere;
ticks and line edits on the Billing tab survive that reload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from cp_tui.money import format_money
from cp_tui.screens.client_billing import BillingPane
from cp_tui.screens.client_billing_actions import ClientBillingActions
from cp_tui.screens.client_bindings import CLIENT_BINDINGS, TABS
from cp_tui.screens.client_card import ClientCardActions
from cp_tui.screens.client_record_actions import ClientRecordActions
from cp_tui.screens.client_rows import (
    CREDIT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    credit_rows,
    details_table,
    invoice_rows,
    payment_rows,
    policy_line,
)
from cp_tui.screens.payers import session_payers
from cp_tui.services.errors import DomainError
from cp_tui.services.package_reads import sessions_left_text
from cp_tui.services.readmodels import ClientRead, InvoiceRead, PaymentRead
from cp_tui.widgets.virtual_table import ListSource, VirtualTable

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ClientDetailScreen(ClientBillingActions, ClientRecordActions, ClientCardActions):
    CSS_PATH = "client_detail.tcss"
    AUTO_FOCUS = ""  # on_mount focuses the first tab unless a key chose another
    BINDINGS = CLIENT_BINDINGS

    def __init__(self, services: Services, client_id: int, *, tab: str = "details") -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.first_tab = tab if tab in TABS else "details"
        self.currency = services.practice.get().currency
        self.client: ClientRead | None = None
        self.invoices: list[InvoiceRead] = []
        self._shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="client-title", markup=False)
        with TabbedContent(initial=f"tab-{self.first_tab}", id="client-tabs"):
            with TabPane("Details (d)", id="tab-details"):
                yield Static(id="client-details", markup=False)
            with TabPane("Billing (b)", id="tab-billing"):
                yield BillingPane(self.currency, id="billing")
            with TabPane("Invoices (i)", id="tab-invoices"):
                yield VirtualTable(INVOICE_COLUMNS, id="client-invoices")
            with TabPane("Payments (p)", id="tab-payments"):
                yield Static("Payments received", classes="section-title", markup=False)
                yield VirtualTable(PAYMENT_COLUMNS, id="client-payments")
                yield Static(id="credit-title", classes="section-title", markup=False)
                yield VirtualTable(CREDIT_COLUMNS, id="client-credit")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        if self.focused is None:  # a key typed while opening (b, i, p) may have chosen
            self._focus_tab(self.first_tab)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume comes with the push (on_mount has read the data); later
        # ones come back from a dialog, an invoice or another mode.
        if self._shown:
            self.reload()
        self._shown = True

    # -- data --------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            client = self.client = self.services.clients.get(self.client_id)
            items = self.services.items.list(client_id=self.client_id, uninvoiced=True)
            self.invoices = self.services.invoices.list(client_id=self.client_id)
            payments = self._payments(self.invoices)
            ledger = self.services.credits.ledger(self.client_id)
            payers = session_payers(self.services, client, items)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        money = self._money
        self.query_one("#client-title", Static).update(
            Text.assemble(
                (client.name, "bold"),
                ("   (archived)" if client.archived else "", "italic"),
                "\u2003·\u2003",
                f"Uninvoiced {money(client.uninvoiced_total)}"
                f"   Balance due {money(client.balance_due)}"
                f"   Credit {money(client.credit_balance)}",
                sessions_left_text(
                    self.services.packages.list(client_id=client.id, active_only=True)
                ),
            )
        )
        self.query_one("#client-details", Static).update(
            details_table(
                client,
                self.currency,
                self.services.cards.card(self.client_id),
                self._policy_lines(),
            )
        )
        billing = self.query_one(BillingPane)
        billing.load(client.id, items, payers)
        billing.set_credit(self._credit_of(billing.payer_id))
        self._fill("#client-invoices", ListSource(invoice_rows(self.invoices)))
        self._fill("#client-payments", ListSource(payment_rows(payments, self.currency)))
        self._fill("#client-credit", ListSource(credit_rows(ledger, self.currency)))
        self.query_one("#credit-title", Static).update(
            f"Credit ledger: balance {money(client.credit_balance)}"
        )

    def _fill(self, selector: str, source: ListSource) -> None:
        table = self.query_one(selector, VirtualTable)
        table.set_source(source, keep_key=table.current_key)

    def _payments(self, invoices: list[InvoiceRead]) -> list[PaymentRead]:
        paid = [i for i in invoices if i.kind == "invoice" and i.amount_paid > 0]
        return [p for inv in paid for p in self.services.invoices.get(inv.number).payments]

    def _policy_lines(self) -> list[str]:
        policies = self.services.insurance.policies(self.client_id)
        if not policies:
            return []
        names = {s.id: s.name for s in self.services.catalogue.list(include_inactive=True)}
        return [policy_line(p, self.currency, names) for p in policies]

    def _money(self, amount: int) -> str:
        return format_money(amount, self.currency)

    # -- tabs ----------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        target = {
            "details": "#client-tabs Tabs",
            "billing": "#billing-items",
            "invoices": "#client-invoices",
            "payments": "#client-payments",
        }[tab]
        self.set_focus(self.query_one(target))

    # -- invoices and payments ----------------------------------------------------------------

    @on(VirtualTable.Selected)
    def _open_row(self, message: VirtualTable.Selected) -> None:
        message.stop()
        key = message.key
        number = key if isinstance(key, str) else key[1] if isinstance(key, tuple) else None
        if not number:
            self.notify("This entry is not tied to an invoice.", severity="warning", markup=False)
            return
        from cp_tui.screens.invoice_detail import InvoiceDetailScreen

        self.app.push_screen(InvoiceDetailScreen(self.services, str(number)))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_period_documents(self) -> None:
        from cp_tui.screens.period_documents import PeriodDocumentsDialog

        name = self.client.name if self.client is not None else f"client {self.client_id}"
        self.app.push_screen(PeriodDocumentsDialog(self.services, self.client_id, name))
