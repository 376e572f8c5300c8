"""The client's Billing tab, "Uninvoiced amounts": what to invoice, to whom, with credit.

It only displays and reports (attributes down, messages up): the client screen
loads it, tells it the credit available for the chosen payer, handles
``PayerChanged`` and ``OtherPayerRequested``, and reads the choice back
(``chosen``, ``changes``, ``payer_id``, ``apply_credit``) to create the invoice.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, Select, Static, Switch

from cp_tui.money import format_money, from_minor
from cp_tui.screens.payers import OTHER, payer_options
from cp_tui.services.invoicing import LineChange
from cp_tui.services.readmodels import ItemRead
from cp_tui.widgets.item_picker import ItemPicker, LineValues


class BillingPane(Vertical):
    class PayerChanged(Message):
        def __init__(self, payer_id: int) -> None:
            super().__init__()
            self.payer_id = payer_id

    class OtherPayerRequested(Message):
        pass

    def __init__(self, currency: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.currency = currency
        self.client_id = 0
        self.payers: list[tuple[str, int]] = []
        self.chosen_payers: list[tuple[str, int]] = []  # picked with "Another client…"
        self.credit = 0
        self._payer = 0

    def compose(self) -> ComposeResult:
        yield Static("Uninvoiced amounts", classes="section-title", markup=False)
        yield ItemPicker(self.currency, id="billing-items")
        yield Static(
            "Nothing to invoice: every completed session is on an invoice.",
            id="billing-empty",
            classes="muted",
            markup=False,
        )
        with Horizontal(id="billing-options"):
            yield Label("Bill to (t)", classes="billing-label", markup=False)
            yield Select[int]([("", 0)], allow_blank=False, id="bill-to")
            yield Switch(value=False, id="apply-credit")
            yield Label("", id="credit-label", classes="billing-label", markup=False)
        yield Static("", id="billing-totals", markup=False)
        yield Static(
            "space ticks · a all/none · e edits the line · del removes it · c creates the invoice",
            classes="muted",
            id="billing-hint",
            markup=False,
        )

    # -- state from the screen -------------------------------------------------------

    def load(self, client_id: int, items: list[ItemRead], payers: list[tuple[str, int]]) -> None:
        """Show the items, keeping ticks, edits and payer across a reload."""
        picker = self.query_one(ItemPicker)
        same_client = client_id == self.client_id
        ticked = picker.ticked if same_client else set()
        overrides = dict(picker.overrides) if same_client else {}
        row = picker.cursor_row
        if not same_client:
            self.chosen_payers = []
        self.client_id = client_id
        picker.load(items, ticked)
        ids = {i.id for i in items}
        for item_id, values in overrides.items():
            if item_id in ids:
                picker.set_values(item_id, values)
        if items:
            picker.move_cursor(row=min(row, len(items) - 1))
        self.query_one("#billing-empty", Static).display = not items
        known = {value for _, value in payers}
        extra = [p for p in self.chosen_payers if p[1] not in known]
        self.set_payers([*payers, *extra], keep=self._payer if same_client else client_id)

    def set_payers(self, payers: list[tuple[str, int]], *, keep: int) -> None:
        self.payers = payers
        select = self.query_one("#bill-to", Select)
        select.set_options(payer_options(payers))
        legal = {value for _, value in payers}
        select.value = keep if keep in legal else self.client_id
        self._payer = select.value if isinstance(select.value, int) else self.client_id

    def choose_payer(self, payer_id: int, name: str) -> None:
        if payer_id not in {value for _, value in self.payers}:
            self.chosen_payers.append((name, payer_id))
            self.payers = [*self.payers, (name, payer_id)]
        self.set_payers(self.payers, keep=payer_id)
        self.post_message(self.PayerChanged(payer_id))

    def revert_payer(self) -> None:
        self.set_payers(self.payers, keep=self._payer)

    def set_credit(self, credit: int) -> None:
        self.credit = credit
        switch = self.query_one("#apply-credit", Switch)
        switch.disabled = credit <= 0
        if credit <= 0:
            switch.value = False
        self.query_one("#credit-label", Label).update(
            f"Apply credit balance ({format_money(credit, self.currency)} available, u)"
            if credit > 0
            else "No credit balance to apply"
        )
        self.show_totals()

    # -- the choice, read back by the screen -----------------------------------------------

    @property
    def picker(self) -> ItemPicker:
        return self.query_one(ItemPicker)

    @property
    def payer_id(self) -> int:
        return self._payer or self.client_id

    @property
    def apply_credit(self) -> bool:
        return self.query_one("#apply-credit", Switch).value

    @property
    def chosen(self) -> list[int]:
        picker = self.picker
        return [i.id for i in picker.items if i.id in picker.ticked]

    @property
    def changes(self) -> dict[int, LineChange]:
        picker = self.picker
        return {
            item_id: LineChange(
                units=values.units,
                price=from_minor(values.unit_price, self.currency),
                tax_rate=values.tax_rate,
            )
            for item_id, values in picker.overrides.items()
            if item_id in picker.ticked
        }

    def set_line(self, item_id: int, values: LineValues) -> None:
        self.picker.set_values(item_id, values)

    def toggle_credit(self) -> bool:
        switch = self.query_one("#apply-credit", Switch)
        if switch.disabled:
            return False
        switch.toggle()
        return True

    def credit_to_apply(self) -> int:
        total = self.picker.totals().total
        return min(self.credit, max(total, 0)) if self.apply_credit else 0

    def show_totals(self) -> None:
        picker = self.picker
        totals = picker.totals()
        credit = self.credit_to_apply()

        def money(amount: int) -> str:
            return format_money(amount, self.currency)

        self.query_one("#billing-totals", Static).update(
            Content.assemble(
                f"{len(picker.ticked)} of {len(picker.items)} ticked   "
                f"Subtotal {money(totals.subtotal)}   Tax {money(totals.tax)}   "
                f"Credit applied −{money(credit)}   ",
                (f"Amount due {money(totals.total - credit)}", "bold"),
            )
        )

    # -- events ---------------------------------------------------------------------------

    @on(ItemPicker.Changed)
    def _items_changed(self) -> None:
        self.show_totals()

    @on(Switch.Changed, "#apply-credit")
    def _credit_changed(self) -> None:
        self.show_totals()

    @on(Select.Changed, "#bill-to")
    def _payer_changed(self, event: Select.Changed) -> None:
        event.stop()
        # set_options passes through the first option on its way: only the settled value counts.
        if not isinstance(event.value, int) or event.value != event.select.value:
            return
        if event.value == OTHER:
            self.post_message(self.OtherPayerRequested())
            return
        if event.value != self._payer:
            self._payer = event.value
            self.post_message(self.PayerChanged(event.value))
