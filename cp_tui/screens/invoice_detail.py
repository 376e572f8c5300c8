"""One invoice: header, lines, totals, credit, payments, history, and what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from cp_tui.money import format_money
from cp_tui.screens import invoice_refusals as refusals
from cp_tui.screens.invoice_card_actions import CardActions
from cp_tui.screens.invoice_documents import MailDone, PdfSaved
from cp_tui.screens.invoice_draft_actions import DraftActions
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import InvoiceRead

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class InvoiceDetailScreen(DraftActions, CardActions):
    CSS_PATH = "invoice_detail.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="invoice.back"),
        Binding(
            "m",
            "manual_payment",
            "Payment",
            id="invoice.payment",
            tooltip="Record cash, cheque, transfer or a card taken elsewhere",
        ),
        Binding("p", "pay_now", "Pay now", id="invoice.pay_now", tooltip="Charge the saved card"),
        Binding(
            "s",
            "send",
            "Send",
            id="invoice.send",
            tooltip="E-mail the invoice with its PDF (or mark it sent)",
        ),
        Binding("l", "link", "Link", id="invoice.link", tooltip="Show the payment link"),
        Binding("e", "edit", "Edit", id="invoice.edit", tooltip="Change lines before sending"),
        Binding(
            "r",
            "credit",
            "Credit",
            id="invoice.credit",
            tooltip="Credit note or refund against this invoice",
        ),
        Binding(
            "c",
            "apply_credit",
            "Use credit",
            id="invoice.apply_credit",
            tooltip="Apply the client's credit balance",
        ),
        Binding("v", "void", "Void", id="invoice.void", tooltip="Void an invoice with no payment"),
        Binding(
            "f",
            "pdf",
            "PDF",
            id="invoice.pdf",
            tooltip="Save the PDF in the data folder's documents/",
        ),
        Binding(
            "t",
            "receipt",
            "Receipt",
            id="invoice.receipt",
            tooltip="Save or e-mail the receipt of one of this invoice's payments",
        ),
        Binding(
            "i",
            "issue",
            "Issue",
            id="invoice.issue",
            tooltip="Issue the draft: it takes the next invoice number",
        ),
        Binding(
            "x",
            "discard",
            "Delete draft",
            id="invoice.discard",
            tooltip="Delete the draft; its items go back to uninvoiced",
        ),
    ]

    def __init__(self, services: Services, number: str) -> None:
        super().__init__()
        self.services = services
        self.number = number
        self.invoice: InvoiceRead | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="invoice-body"):
            yield Static(id="invoice-header", markup=False)
            yield Static(id="invoice-lines", markup=False)
            yield Static(id="invoice-totals", markup=False)
            yield Static(id="invoice-payments", markup=False)
            yield Static(id="invoice-claims", markup=False)
            yield Static(id="invoice-history", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.sync_in_background()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A refused action is dimmed in the footer (None), or left out when it is another
        # kind's (a draft's on an issued invoice); either way its key says why (CpTuiApp).
        inv = self.invoice
        if inv is None or self.why_not(action) is None:
            return True
        return False if refusals.not_its_kind(inv, action) else None

    def why_not(self, action: str) -> str | None:
        """Why the invoice as it is now refuses ``action`` (None: it may run)."""
        inv = self.invoice
        return None if inv is None else refusals.why_not(inv, action, sending=self.sending)

    def reload(self) -> None:
        from cp_tui.screens import invoice_body as body

        try:
            inv = self.invoice = self.services.invoices.get(self.number)
            history = self.services.invoices.history(inv.number)
            claims = self.services.insurance.on_invoice(inv.number)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one("#invoice-header", Static).update(body.header(inv))
        self.query_one("#invoice-lines", Static).update(body.lines_table(inv))
        self.query_one("#invoice-totals", Static).update(body.totals(inv))
        payments = self.query_one("#invoice-payments", Static)
        payments.display = inv.kind != "credit_note"
        payments.update(body.payments(inv))
        insured = self.query_one("#invoice-claims", Static)
        insured.display = bool(claims)
        insured.update(body.claims(claims, inv.currency))
        self.query_one("#invoice-history", Static).update(body.history(history, inv.currency))
        self.sub_title = f"{body.title_of(inv)} {inv.number}"
        self.refresh_bindings()

    # -- actions ------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def _refuse(self, reason: str) -> None:
        self.notify(reason, severity="warning", markup=False)

    def _open(self, action: str) -> InvoiceRead | None:
        """The invoice, when its state allows ``action``; else None, having said why."""
        inv = self.invoice
        if inv is None:
            return None
        reason = self.why_not(action)
        if reason is not None:
            self._refuse(reason)
            return None
        return inv

    def action_manual_payment(self) -> None:
        from cp_tui.screens.payment_form import PaymentForm

        inv = self._open("manual_payment")
        if inv is not None:
            self.app.push_screen(PaymentForm(self.services, inv), self._paid)

    def _paid(self, updated: InvoiceRead | None) -> None:
        if updated is not None:
            self.reload()
            due = format_money(updated.amount_due, updated.currency)
            self.notify(
                f"Payment recorded on {updated.number}: {updated.status}, {due} due.", markup=False
            )

    def action_send(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen
        from cp_tui.screens.invoice_documents import send_question

        inv = self._open("send")
        if inv is None:
            return
        question = send_question(self.services, inv)
        if question == "":
            self._refuse(f"{inv.client_name} has no e-mail address; add one on the Clients screen.")
            return
        if question is not None:
            self.app.push_screen(ConfirmScreen(question, yes="E-mail"), self._send_confirmed)
            return
        if inv.sent:
            self._refuse(f"{inv.number} was sent already.")
            return
        if self.offer_stripe_send():
            return
        self.app.push_screen(
            ConfirmScreen(
                "E-mail sending is not set up yet (Settings: 4, then m).\n"
                f"Did you send {inv.number} yourself? Mark it as sent (it can then no "
                "longer be edited, only corrected by a credit note).",
                yes="Mark as sent",
            ),
            self._mark_sent,
        )

    def _send_confirmed(self, yes: bool | None) -> None:
        if yes and not self.sending:
            self.sending = True
            self.refresh_bindings()
            self.notify(f"Sending {self.number}...", markup=False)
            self._send_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="invoice-mail")
    def _send_worker(self) -> None:
        from cp_tui.screens.invoice_documents import send_mail

        self.post_message(send_mail(self.services, self.number))

    @on(MailDone)
    def _mail_done(self, message: MailDone) -> None:
        self.sending = False
        self.reload()
        if message.error:
            self.notify(message.error, severity="error", timeout=12, markup=False)
        else:
            self.notify(message.text, markup=False)

    def _mark_sent(self, yes: bool | None) -> None:
        if yes and self.invoice is not None:
            self._run(lambda: self.services.invoices.mark_sent(self.number), "marked as sent")

    def action_edit(self) -> None:
        from cp_tui.screens.invoice_edit import InvoiceEditDialog

        inv = self._open("edit")
        if inv is not None:
            self.app.push_screen(InvoiceEditDialog(self.services, inv), self._edited)

    def _edited(self, updated: InvoiceRead | None) -> None:
        if updated is not None:
            self.reload()
            self.notify(f"{updated.number} updated.", markup=False)

    def action_credit(self) -> None:
        from cp_tui.screens.choice import Choice, ChoiceScreen

        inv = self._open("credit")
        if inv is None:
            return
        refundable = self.refundable()
        if refundable <= 0:
            return self._credit_note()
        most = format_money(refundable, inv.currency)
        self.app.push_screen(
            ChoiceScreen(
                f"Correct {inv.number}",
                [
                    Choice("refund", "r", f"Refund to the card (up to {most}), with a credit note"),
                    Choice("credit", "c", "Credit note only: the client keeps it as credit"),
                ],
            ),
            self._credit_chosen,
        )

    def _credit_chosen(self, chosen: str | None) -> None:
        if chosen == "refund":
            self.open_refund_form(self.refundable())
        elif chosen == "credit":
            self._credit_note()

    def _credit_note(self) -> None:
        from cp_tui.screens.credit_form import CreditForm

        inv = self.invoice
        if inv is not None:
            self.app.push_screen(
                CreditForm(self.services, inv.client_id, inv.client_name, invoice=inv),
                self._credited,
            )

    def _credited(self, note: InvoiceRead | None) -> None:
        if note is not None:
            self.reload()
            credit = format_money(self.services.credits.balance(note.client_id), note.currency)
            self.notify(
                f"Credit note {note.number} issued for {format_money(-note.total, note.currency)}; "
                f"{note.client_name}'s credit balance is now {credit}.",
                markup=False,
            )

    def action_apply_credit(self) -> None:
        if self._open("apply_credit") is not None:
            self._run(lambda: self.services.invoices.apply_credit(self.number), "credit applied")

    def action_void(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        inv = self._open("void")
        if inv is None:
            return
        self.app.push_screen(
            ConfirmScreen(f"Void {inv.number}? Its items go back to uninvoiced.", yes="Void"),
            lambda yes: (
                self._run(
                    lambda: self.services.invoices.void(self.number),
                    "voided; its items are uninvoiced again",
                )
                if yes
                else None
            ),
        )

    def action_receipt(self) -> None:
        from cp_tui.screens.receipt_dialog import ReceiptDialog

        inv = self._open("receipt")
        if inv is not None:
            self.app.push_screen(ReceiptDialog(self.services, inv))

    def action_pdf(self) -> None:
        if self.invoice is not None:
            self._pdf_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="invoice-pdf")
    def _pdf_worker(self) -> None:
        from cp_tui.screens.invoice_documents import save_pdf

        self.post_message(save_pdf(self.services, self.number))

    @on(PdfSaved)
    def _pdf_saved(self, message: PdfSaved) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
        else:
            self.notify(f"Saved {message.number} to {message.path}", timeout=10, markup=False)

    def _run(self, change: object, done: str) -> None:
        try:
            change()  # type: ignore[operator]
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.reload()
        self.notify(f"{self.number} {done}.", markup=False)
