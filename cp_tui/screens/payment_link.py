"""The payment link: as text, as a QR code to scan, and a ready message for SMS or chat."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from cp_tui.money import format_money
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.payment_links import LinkRead


class PaymentLinkScreen(DialogScreen[None]):
    CSS_PATH = "payment_link.tcss"
    BINDINGS = [
        Binding("escape,enter", "dismiss(None)", "Close", id="link.close"),
        Binding(
            "c",
            "copy('message')",
            "Copy message",
            id="link.copy_message",
            tooltip="Copy the text for SMS or chat",
        ),
        Binding("u", "copy('url')", "Copy link", id="link.copy_url", tooltip="Copy the link"),
    ]

    def __init__(self, link: LinkRead, qr: str, title: str = "Payment link") -> None:
        super().__init__()
        self.link = link
        self.qr = qr
        self.title_text = title

    def compose(self) -> ComposeResult:
        amount = format_money(self.link.amount, self.link.currency)
        with Vertical(classes="dialog"):
            yield Static(
                f"{self.title_text} · {self.link.number} · {amount}",
                classes="dialog-title",
                markup=False,
            )
            # The words first: a short terminal scrolls to the QR code, never to the link.
            yield Static(self.link.url, id="url", markup=False)
            yield Static(self.link.message, id="message", markup=False)
            yield Static(
                "The message is on the clipboard · c copies it again · u copies the link · "
                "esc closes",
                classes="muted",
                markup=False,
            )
            yield Static(self.qr, id="qr", markup=False)

    def on_mount(self) -> None:
        self.app.copy_to_clipboard(self.link.message)

    def action_copy(self, what: str) -> None:
        text = self.link.message if what == "message" else self.link.url
        self.app.copy_to_clipboard(text)
        self.notify("Copied.", markup=False)
