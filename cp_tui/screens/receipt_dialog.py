"""The receipt of one of an invoice's payments: save its PDF or e-mail it to the client."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from cp_tui.money import format_money
from cp_tui.screens import document_jobs
from cp_tui.screens.document_dialog import DocumentDialog

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.readmodels import InvoiceRead


class ReceiptDialog(DocumentDialog):
    """Runs the work in a worker; returns what was done (None when closed)."""

    CSS_PATH = "dialog.tcss"
    ERROR_ID = "receipt-error"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="receipt.close"),
        Binding(
            "f",
            "save_pdf",
            "Save PDF",
            id="receipt.pdf",
            tooltip="Write the selected payment's receipt into documents/",
        ),
        Binding(
            "s",
            "send",
            "E-mail",
            id="receipt.send",
            tooltip="E-mail the selected payment's receipt to the client",
        ),
    ]

    def __init__(self, services: Services, invoice: InvoiceRead) -> None:
        super().__init__()
        self.services = services
        self.invoice = invoice

    def compose(self) -> ComposeResult:
        inv = self.invoice
        with Vertical(classes="dialog", id="receipt-dialog"):
            yield Static(
                f"Receipts for {inv.number} ({inv.client_name})",
                classes="dialog-title",
                markup=False,
            )
            yield Static("Choose the payment; f saves its receipt, s e-mails it.", markup=False)
            yield OptionList(
                *(
                    Option(
                        f"{p.received_on:%d %b %Y}  {p.method:<9} "
                        f"{format_money(p.amount, inv.currency):>12}"
                        + (f"  ref {p.reference}" if p.reference else ""),
                        id=str(p.id),
                    )
                    for p in inv.payments
                ),
                id="receipt-payments",
                markup=False,
            )
            yield Static("", classes="dialog-error", id="receipt-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save PDF (f)", variant="primary", id="save-pdf")
                yield Button("E-mail (s)", id="send")
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        payments = self.query_one("#receipt-payments", OptionList)
        payments.highlighted = len(self.invoice.payments) - 1  # the newest, usually wanted
        payments.focus()

    def _payment(self) -> int | None:
        payments = self.query_one("#receipt-payments", OptionList)
        if payments.highlighted is None or self.busy:
            return None
        option = payments.get_option_at_index(payments.highlighted)
        return int(option.id or 0)

    @on(OptionList.OptionSelected, "#receipt-payments")
    @on(Button.Pressed, "#save-pdf")
    def action_save_pdf(self) -> None:
        payment = self._payment()
        if payment is not None:
            self.busy = True
            self._save(payment)

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        payment = self._payment()
        if payment is not None:
            self.busy = True
            self._send(payment)

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def _save(self, payment: int) -> None:
        self.post_message(
            document_jobs.save(self.services, lambda: self.services.documents.receipt(payment))
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="receipt")
    def _send(self, payment: int) -> None:
        self.post_message(
            document_jobs.mail(lambda: self.services.mail.send_receipt(payment), "receipt")
        )
