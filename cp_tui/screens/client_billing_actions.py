"""The client screen's Billing tab actions: who pays, line edits, credit, creating the invoice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.widgets import TabbedContent

from cp_tui.money import format_money
from cp_tui.screens.client_billing import BillingPane
from cp_tui.screens.payers import choose_other_payer
from cp_tui.services.errors import DomainError
from cp_tui.widgets.item_picker import ItemPicker, LineValues

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ClientBillingActions(Screen[None]):
    """Mixed into the client screen, which provides services, client_id, currency and reload."""

    services: Services
    client_id: int
    currency: str

    def reload(self) -> None:  # pragma: no cover - the client screen defines it
        raise NotImplementedError

    def action_tab(self, tab: str) -> None:  # pragma: no cover - defined by the screen
        raise NotImplementedError

    def _credit_of(self, client_id: int) -> int:
        try:
            return self.services.credits.balance(client_id)
        except DomainError:
            return 0

    @on(BillingPane.PayerChanged)
    def _payer_changed(self, message: BillingPane.PayerChanged) -> None:
        self.query_one(BillingPane).set_credit(self._credit_of(message.payer_id))

    @on(BillingPane.OtherPayerRequested)
    def _other_payer(self) -> None:
        choose_other_payer(self.app, self.services, self.client_id, self._chosen)

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
        billing.choose_payer(payer.id, payer.name)

    @on(ItemPicker.EditRequested)
    def _edit_line(self, message: ItemPicker.EditRequested) -> None:
        from cp_tui.screens.line_form import LineForm

        item_id = message.item.id

        def apply(values: LineValues | None) -> None:
            if values is not None:
                self.query_one(BillingPane).set_line(item_id, values)

        self.app.push_screen(
            LineForm(f"Line: {message.item.description}", message.values, self.currency),
            apply,
        )

    def action_toggle_credit(self) -> None:
        billing = self.query_one(BillingPane)
        if not billing.toggle_credit():
            self.notify("There is no credit balance to apply.", severity="warning", markup=False)

    def action_bill_to(self) -> None:
        self.action_tab("billing")
        self.set_focus(self.query_one("#bill-to"))

    def action_remove_item(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        billing = self.query_one(BillingPane)
        item = billing.picker.item_under_cursor()
        if self.query_one(TabbedContent).active != "tab-billing" or item is None:
            self.action_tab("billing")
            self.notify(
                "Move to the uninvoiced item to remove on the Billing tab, then press delete.",
                severity="warning",
                markup=False,
            )
            return
        amount = format_money(item.total, self.currency)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                done = self.services.items.remove(item.id)
            except DomainError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(done[:1].upper() + done[1:] + ".", markup=False)
            self.reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {item.description} of {item.date:%d %b %Y} ({amount})? "
                "It is deleted, never invoiced.",
                yes="Remove",
                no="Keep",
            ),
            answered,
        )

    def action_create_invoice(self) -> None:
        billing = self.query_one(BillingPane)
        chosen = billing.chosen
        if not chosen:
            self.action_tab("billing")
            self.notify(
                "Tick the items to invoice first (space ticks, a ticks all).",
                severity="warning",
                markup=False,
            )
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
