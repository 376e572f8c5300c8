"""Edit an invoice that is neither sent nor paid: untick to remove, tick to add, e to change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from cp_tui.money import format_money, from_minor
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.invoicing import LineChange
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.widgets.item_picker import ItemPicker

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class InvoiceEditDialog(DialogScreen[InvoiceRead | None]):
    CSS_PATH = "invoice_dialog.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="invoice_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="invoice_edit.save"),
    ]

    def __init__(self, services: Services, invoice: InvoiceRead) -> None:
        super().__init__()
        self.services = services
        self.invoice = invoice
        self.on_invoice = [ln.item_id for ln in invoice.lines if ln.item_id is not None]

    def compose(self) -> ComposeResult:
        inv = self.invoice
        with Vertical(classes="dialog wide"):
            yield Static(
                f"Edit {inv.number} · {inv.client_name} (ticked lines stay on the invoice; "
                "tick uninvoiced items to add them; e changes a line)",
                classes="dialog-title",
                markup=False,
            )
            yield ItemPicker(inv.currency, id="items")
            yield Static("", id="totals", classes="totals", markup=False)
            yield Static("", id="dialog-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        current = [self.services.items.get(item_id) for item_id in self.on_invoice]
        owners = {item.client_id for item in current} | {self.invoice.client_id}
        extra = [
            item
            for owner in sorted(owners)
            for item in self.services.items.list(client_id=owner, uninvoiced=True)
        ]
        names = {
            c: self.services.clients.get(c).name for c in owners if c != self.invoice.client_id
        }
        picker = self.query_one(ItemPicker)
        picker.load(current + extra, set(self.on_invoice), names)
        picker.focus()

    @on(ItemPicker.Changed)
    def _changed(self, message: ItemPicker.Changed) -> None:
        t = message.totals
        money = lambda v: format_money(v, self.invoice.currency)  # noqa: E731
        self.query_one("#totals", Static).update(
            f"{message.count} lines   Subtotal {money(t.subtotal)}   Tax {money(t.tax)}   "
            f"Total {money(t.total)}"
        )

    @on(ItemPicker.EditRequested)
    def _edit(self, message: ItemPicker.EditRequested) -> None:
        from cp_tui.screens.line_form import LineForm

        picker, item_id = message.picker, message.item.id

        def apply(values: object) -> None:
            if values is not None:
                picker.set_values(item_id, values)  # type: ignore[arg-type]

        self.app.push_screen(
            LineForm(f"Line: {message.item.description}", message.values, self.invoice.currency),
            apply,
        )

    @on(DataTable.RowSelected)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        picker = self.query_one(ItemPicker)
        before = set(self.on_invoice)
        changes = {
            item_id: LineChange(
                units=v.units,
                price=from_minor(v.unit_price, self.invoice.currency),
                tax_rate=v.tax_rate,
            )
            for item_id, v in picker.overrides.items()
            if item_id in picker.ticked
        }
        try:
            updated = self.services.invoices.edit(
                self.invoice.number,
                changes=changes,
                remove=sorted(before - picker.ticked),
                add=[i.id for i in picker.items if i.id in picker.ticked - before],
            )
        except DomainError as exc:
            self.query_one("#dialog-error", Static).update(str(exc))
            return
        self.dismiss(updated)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
