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
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from cp_tui.money import format_money
from cp_tui.screens.client_billing import BillingPane
from cp_tui.screens.client_card import ClientCardActions
from cp_tui.screens.client_rows import (
    CREDIT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    credit_rows,
    details_table,
    invoice_rows,
    payment_rows,
)
from cp_tui.services.errors import DomainError
from cp_tui.services.package_reads import sessions_left_text
from cp_tui.services.readmodels import ClientRead, InvoiceRead, ItemRead, PaymentRead
from cp_tui.widgets.item_picker import ItemPicker, LineValues
from cp_tui.widgets.virtual_table import ListSource, VirtualTable

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

TABS = ["details", "billing", "invoices", "payments"]


def _key(
    key: str, action: str, name: str, description: str, tooltip: str, *, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=f"client.{name}", tooltip=tooltip)


class ClientDetailScreen(ClientCardActions):
    CSS_PATH = "client_detail.tcss"
    AUTO_FOCUS = ""  # on_mount focuses the first tab unless a key chose another
    BINDINGS = [
        _key("escape", "back", "back", "Back", "Back to the client list"),
        _key("e", "edit", "edit", "Edit client", "Change name, e-mail, phone or address"),
        _key(
            "c",
            "create_invoice",
            "create_invoice",
            "Create invoice",
            "Invoice the ticked items of the Billing tab",
        ),
        _key(
            "u",
            "toggle_credit",
            "use_credit",
            "Use credit",
            "Apply the credit balance to the new invoice",
            show=False,
        ),
        _key(
            "t",
            "bill_to",
            "bill_to",
            "Bill to",
            "Choose who pays: this client, or another (group and couples sessions)",
            show=False,
        ),
        _key(
            "r",
            "credit_note",
            "credit_note",
            "Credit note",
            "Issue a credit note (an amount in the client's favour, with a reason)",
        ),
        _key(
            "x",
            "archive",
            "archive",
            "Archive/restore",
            "Archive the client, or restore an archived one",
            show=False,
        ),
        _key(
            "k",
            "save_card",
            "save_card",
            "Save a card",
            "Show Stripe's card page as a QR code for the client to save a card",
            show=False,
        ),
        _key(
            "f",
            "period_documents",
            "period_documents",
            "Statement/superbill",
            "Save or e-mail a statement of account or a superbill for a period",
        ),
        _key("s", "sell_package", "sell_package", "Sell package", "Sessions paid up front"),
        _key("d", "tab('details')", "details", "Details tab", "Name and contact", show=False),
        _key("b", "tab('billing')", "billing", "Billing tab", "Uninvoiced amounts", show=False),
        _key(
            "i",
            "tab('invoices')",
            "invoices",
            "Invoices tab",
            "Invoices and credit notes",
            show=False,
        ),
        _key(
            "p",
            "tab('payments')",
            "payments",
            "Payments tab",
            "Payments and the credit ledger",
            show=False,
        ),
    ]

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
        yield Static(id="client-title")
        with TabbedContent(initial=f"tab-{self.first_tab}", id="client-tabs"):
            with TabPane("Details (d)", id="tab-details"):
                yield Static(id="client-details")
            with TabPane("Billing (b)", id="tab-billing"):
                yield BillingPane(self.currency, id="billing")
            with TabPane("Invoices (i)", id="tab-invoices"):
                yield VirtualTable(INVOICE_COLUMNS, id="client-invoices")
            with TabPane("Payments (p)", id="tab-payments"):
                yield Static("Payments received", classes="section-title")
                yield VirtualTable(PAYMENT_COLUMNS, id="client-payments")
                yield Static(id="credit-title", classes="section-title")
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
            payers = self._payers(client, items)
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
            details_table(client, self.currency, self.services.cards.card(self.client_id))
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

    def _payers(self, client: ClientRead, items: list[ItemRead]) -> list[tuple[str, int]]:
        """This client first, then whoever shared a session with the items (couples, groups)."""
        payers: dict[int, str] = {client.id: f"{escape(client.name)} (this client)"}
        for appointment_id in sorted({i.appointment_id for i in items if i.appointment_id}):
            appt = self.services.calendar.get(appointment_id)
            for cid, name in zip(appt.client_ids, appt.client_names, strict=False):
                payers.setdefault(cid, f"{escape(name)} (same session)")
        return [(label, cid) for cid, label in payers.items()]

    def _credit_of(self, client_id: int) -> int:
        try:
            return self.services.credits.balance(client_id)
        except DomainError:
            return 0

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

    # -- billing ---------------------------------------------------------------------------

    @on(BillingPane.PayerChanged)
    def _payer_changed(self, message: BillingPane.PayerChanged) -> None:
        self.query_one(BillingPane).set_credit(self._credit_of(message.payer_id))

    @on(BillingPane.OtherPayerRequested)
    def _other_payer(self) -> None:
        from cp_tui.screens.choose_client import ChooseClientScreen

        others = [c for c in self.services.clients.list() if c.id != self.client_id]
        self.app.push_screen(ChooseClientScreen("Bill to which client?", others), self._chosen)

    def _chosen(self, payer_id: int | None) -> None:
        billing = self.query_one(BillingPane)
        if payer_id is None:
            billing.revert_payer()
            return
        try:
            payer = self.services.clients.get(payer_id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            billing.revert_payer()
            return
        billing.choose_payer(payer.id, escape(payer.name))

    @on(ItemPicker.EditRequested)
    def _edit_line(self, message: ItemPicker.EditRequested) -> None:
        from cp_tui.screens.line_form import LineForm

        item_id = message.item.id

        def apply(values: LineValues | None) -> None:
            if values is not None:
                self.query_one(BillingPane).set_line(item_id, values)

        self.app.push_screen(
            LineForm(f"Line: {escape(message.item.description)}", message.values, self.currency),
            apply,
        )

    def action_toggle_credit(self) -> None:
        billing = self.query_one(BillingPane)
        if not billing.toggle_credit():
            self.notify("There is no credit balance to apply.", severity="warning")

    def action_bill_to(self) -> None:
        self.action_tab("billing")
        self.set_focus(self.query_one("#bill-to"))

    def action_create_invoice(self) -> None:
        billing = self.query_one(BillingPane)
        chosen = billing.chosen
        if not chosen:
            self.action_tab("billing")
            self.notify("Tick the items to invoice first (space ticks, a ticks all).")
            return
        try:
            invoice = self.services.invoices.create(
                client_id=self.client_id,
                item_ids=chosen,
                bill_to=billing.payer_id,
                apply_credit=billing.apply_credit,
                changes=billing.changes,
            )
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        from cp_tui.screens.invoice_detail import InvoiceDetailScreen

        self.notify(
            f"{invoice.number} created for {invoice.client_name}: "
            f"{format_money(invoice.amount_due, invoice.currency)} due.",
            markup=False,
        )
        self.reload()
        self.app.push_screen(InvoiceDetailScreen(self.services, invoice.number))

    # -- invoices and payments ----------------------------------------------------------------

    @on(VirtualTable.Selected)
    def _open_row(self, message: VirtualTable.Selected) -> None:
        message.stop()
        key = message.key
        number = key if isinstance(key, str) else key[1] if isinstance(key, tuple) else None
        if not number:
            self.notify("This entry is not tied to an invoice.", severity="warning")
            return
        from cp_tui.screens.invoice_detail import InvoiceDetailScreen

        self.app.push_screen(InvoiceDetailScreen(self.services, str(number)))

    # -- the client ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_period_documents(self) -> None:
        from cp_tui.screens.period_documents import PeriodDocumentsDialog

        name = self.client.name if self.client is not None else f"client {self.client_id}"
        self.app.push_screen(PeriodDocumentsDialog(self.services, self.client_id, name))

    def action_edit(self) -> None:
        from cp_tui.screens.client_form import ClientForm

        if self.client is not None:
            self.app.push_screen(ClientForm(self.services, self.client), self._edited)

    def _edited(self, client: ClientRead | None) -> None:
        if client is not None:
            self.reload()
            self.notify(f"{client.name} saved.", markup=False)

    def action_credit_note(self) -> None:
        from cp_tui.screens.credit_form import CreditForm

        if self.client is not None:
            self.app.push_screen(
                CreditForm(self.services, self.client.id, escape(self.client.name)), self._credited
            )

    def _credited(self, note: InvoiceRead | None) -> None:
        if note is not None:
            self.reload()
            credit = self._money(self.client.credit_balance if self.client else 0)
            self.notify(f"Credit note {note.number} issued; credit balance now {credit}.")

    def action_archive(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        client = self.client
        if client is None:
            return
        name = escape(client.name)
        if client.archived:
            question = f"Restore {name}? They come back to the client list."
            yes = "Restore"
        else:
            question = (
                f"Archive {name}? They leave the client list (v there shows archived "
                "clients); invoices and history stay. A client with no history is deleted."
            )
            yes = "Archive"
        self.app.push_screen(ConfirmScreen(question, yes=yes), self._archive_answer)

    def _archive_answer(self, yes: bool | None) -> None:
        client = self.client
        if not yes or client is None:
            return
        try:
            if client.archived:
                self.services.clients.restore(client.id)
                done = "restored"
            else:
                done = self.services.clients.remove(client.id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"{client.name} {done}.", markup=False)
        if done == "deleted":
            self.dismiss(None)
        else:
            self.reload()
