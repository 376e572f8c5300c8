"""Saving a client's card: Stripe's page as a link and a QR code, watched until it is done.

cp-tui never asks for, accepts or stores a card number: the client types it on
Stripe's own page (on their phone, from the QR code); cp-tui keeps the brand,
last four digits and expiry once the page reports success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.cards import CardRead, SetupLinkRead
from cp_tui.services.errors import DomainError

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

POLL_SECONDS = 3.0


@dataclass
class CardPolled(Message):
    card: CardRead | None
    problem: str = ""


class CardSetupScreen(DialogScreen[CardRead | None]):
    CSS_PATH = "payment_link.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Stop waiting", id="card_setup.close"),
        Binding("u", "copy", "Copy link", id="card_setup.copy", tooltip="Copy the page's link"),
    ]

    def __init__(self, services: Services, client_name: str, link: SetupLinkRead, qr: str) -> None:
        super().__init__()
        self.services = services
        self.client_name = client_name
        self.link = link
        self.qr = qr

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Save a card · {self.client_name}", classes="dialog-title", markup=False)
            # The words first: a short terminal scrolls to the QR code, never to the link.
            yield Static(self.link.url, id="url", markup=False)
            yield Static(
                "Waiting for the client to save a card on Stripe's page…",
                id="card-state",
                markup=False,
            )
            yield Static(
                "u copies the link · esc stops waiting (the card is still picked up later)",
                classes="muted",
                markup=False,
            )
            yield Static(self.qr, id="qr", markup=False)

    def on_mount(self) -> None:
        self.app.copy_to_clipboard(self.link.url)
        self.set_interval(POLL_SECONDS, self._poll)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.link.url)
        self.notify("Copied.", markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _poll(self) -> None:
        try:
            self.post_message(CardPolled(self.services.cards.poll_setup(self.link.client_id)))
        except DomainError as exc:
            self.post_message(CardPolled(None, str(exc)))

    @on(CardPolled)
    def _polled(self, message: CardPolled) -> None:
        if message.card is not None:
            self.dismiss(message.card)
        elif message.problem:
            self.query_one("#card-state", Static).update(message.problem)
