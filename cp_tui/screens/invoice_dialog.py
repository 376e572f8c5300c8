"""The invoice dialog: tick a client's uninvoiced items, adjust, apply credit, create.

``enter`` creates the invoice and returns it; ``d`` keeps the selection as a draft
(no number yet, issued later from the invoice screen); ``escape`` leaves nothing
behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Label, Select, Static, Switch

from cp_tui.money import format_money, from_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.screens.payers import OTHER, choose_other_payer, payer_options, session_payers
from cp_tui.services.errors import DomainError
from cp_tui.services.invoicing import LineChange
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.widgets.item_picker import ItemPicker

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class InvoiceDialog(DialogScreen[InvoiceRead | None]):
    CSS_PATH = "invoice_dialog.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="invoice_dialog.cancel"),
        Binding("ctrl+s", "create", "Create", id="invoice_dialog.create"),
        Binding(
            "d",
            "create(True)",
            "Save draft",
            id="invoice_dialog.draft",
            tooltip="Keep the ticked items as a draft: no number until it is issued",
        ),
        Binding("u", "toggle_credit", "Use credit", id="invoice_dialog.credit"),
        Binding("b", "bill_to", "Bill to", id="invoice_dialog.bill_to"),
    ]

    def __init__(self, services: Services, client_id: int, ticked: list[int] | None = None) -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.initial_ticked = set(ticked) if ticked is not None else None
        self.currency = services.practice.get().currency
        self.client = services.clients.get(client_id)
        self.payers: list[tuple[str, int]] = []
        self._payer = client_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"New invoice · {self.client.name}", classes="dialog-title", markup=False)
            yield ItemPicker(self.currency, id="items")
            with Horizontal(classes="invoice-options"):
                yield Label("Bill to ", markup=False)
                # Filled on mount, with the items: who shared their sessions can pay.
                yield Select[int]([("", 0)], allow_blank=False, id="bill-to")
                yield Switch(value=False, id="apply-credit")
                yield Label("", id="credit-label", markup=False)
            yield Static("", id="totals", classes="totals", markup=False)
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            yield Static(
                "space ticks · a all/none · e edits a line · u uses credit · b bill to · "
                "d saves a draft",
                classes="muted",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create invoice (enter)", variant="primary", id="create")
                yield Button("Save draft (d)", id="draft")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        picker = self.query_one(ItemPicker)
        items = self.services.items.list(client_id=self.client_id, uninvoiced=True)
        ticked = self.initial_ticked if self.initial_ticked is not None else {i.id for i in items}
        picker.load(items, ticked)
        picker.focus()
        self.payers = session_payers(self.services, self.client, items)
        self._set_payers(self.client_id)
        self._update_credit_label()
        if not items:
            self._error(f"{self.client.name} has no uninvoiced items.")

    @property
    def payer_id(self) -> int:
        return self._payer

    def _set_payers(self, keep: int) -> None:
        select = self.query_one("#bill-to", Select)
        select.set_options(payer_options(self.payers))
        select.value = keep
        self._payer = keep

    def _update_credit_label(self) -> None:
        credit = self.services.credits.balance(self.payer_id)
        switch = self.query_one("#apply-credit", Switch)
        switch.disabled = credit <= 0
        if credit <= 0:
            switch.value = False
        text = (
            f"Apply credit balance ({format_money(credit, self.currency)} available, u)"
            if credit > 0
            else "No credit balance"
        )
        self.query_one("#credit-label", Label).update(text)
        self._show_totals()

    def _show_totals(self) -> None:
        picker = self.query_one(ItemPicker)
        totals = picker.totals()
        credit = 0
        if self.query_one("#apply-credit", Switch).value:
            credit = min(self.services.credits.balance(self.payer_id), max(totals.total, 0))
        money = lambda v: format_money(v, self.currency)  # noqa: E731
        self.query_one("#totals", Static).update(
            Content.assemble(
                f"{len(picker.ticked)} of {len(picker.items)} items   "
                f"Subtotal {money(totals.subtotal)}   Tax {money(totals.tax)}   "
                f"Total {money(totals.total)}   Credit −{money(credit)}   ",
                (f"Amount due {money(totals.total - credit)}", "bold"),
            )
        )

    @on(ItemPicker.Changed)
    def _items_changed(self) -> None:
        self._show_totals()

    @on(Switch.Changed, "#apply-credit")
    def _credit_changed(self) -> None:
        self._show_totals()

    @on(Select.Changed, "#bill-to")
    def _payer_changed(self, event: Select.Changed) -> None:
        # set_options passes through the first option on its way: only the settled value counts.
        if not isinstance(event.value, int) or event.value != event.select.value:
            return
        if event.value == OTHER:
            choose_other_payer(self.app, self.services, self.client_id, self._chosen)
        elif event.value != self._payer:
            self._payer = event.value
            self._update_credit_label()

    def _chosen(self, payer_id: int | None) -> None:
        if payer_id is None:
            self._set_payers(self._payer)
            return
        try:
            payer = self.services.clients.get(payer_id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            self._set_payers(self._payer)
            return
        if payer.id not in {value for _, value in self.payers}:
            self.payers.append((payer.name, payer.id))
        self._set_payers(payer.id)
        self._update_credit_label()

    @on(ItemPicker.EditRequested)
    def _edit(self, message: ItemPicker.EditRequested) -> None:
        from cp_tui.screens.line_form import LineForm

        picker = message.picker
        item_id = message.item.id

        def apply(values: object) -> None:
            if values is not None:
                picker.set_values(item_id, values)  # type: ignore[arg-type]

        self.app.push_screen(
            LineForm(f"Line: {message.item.description}", message.values, self.currency), apply
        )

    def action_toggle_credit(self) -> None:
        switch = self.query_one("#apply-credit", Switch)
        if switch.disabled:
            self.notify(
                "There is no credit balance to apply for this payer.",
                severity="warning",
                markup=False,
            )
            return
        switch.toggle()

    def action_bill_to(self) -> None:
        self.query_one("#bill-to", Select).focus()

    @on(DataTable.RowSelected)
    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#draft")
    def _draft_pressed(self) -> None:
        self.action_create(draft=True)

    def action_create(self, draft: bool = False) -> None:
        picker = self.query_one(ItemPicker)
        chosen = [i.id for i in picker.items if i.id in picker.ticked]
        if not chosen:
            self._error("Tick at least one item (space ticks, a ticks all).")
            return
        changes = {
            item_id: LineChange(
                units=values.units,
                price=from_minor(values.unit_price, self.currency),
                tax_rate=values.tax_rate,
            )
            for item_id, values in picker.overrides.items()
            if item_id in picker.ticked
        }
        try:
            invoice = self.services.invoices.create(
                client_id=self.client_id,
                item_ids=chosen,
                bill_to=self.payer_id,
                apply_credit=self.query_one("#apply-credit", Switch).value,
                changes=changes,
                draft=draft,
            )
        except DomainError as exc:
            self._error(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(invoice)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(message)
