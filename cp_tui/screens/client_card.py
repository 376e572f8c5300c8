"""The client screen's card and package actions: Stripe's card page as a QR code, and
selling a package of sessions (its invoice, charged to the saved card when asked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.screen import Screen

from cp_tui.services.cards import CardRead, SetupLinkRead
from cp_tui.services.errors import DomainError
from cp_tui.services.package_reads import PackageSale
from cp_tui.services.secrets import CONNECT_STRIPE

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


@dataclass
class SetupReady(Message):
    link: SetupLinkRead | None
    qr: str = ""
    problem: str = ""


class ClientCardActions(Screen[None]):
    """Mixed into the client screen, which provides services, client_id and reload."""

    services: Services
    client_id: int

    def action_sell_package(self) -> None:
        from cp_tui.screens.package_form import PackageForm

        def sold(sale: PackageSale | None) -> None:
            if sale is not None:
                self.notify(sale.message, markup=False)

        self.app.push_screen(PackageForm(self.services, self.client_id), sold)

    def action_save_card(self) -> None:
        if not self.services.charges.available():
            self.notify(
                f"{CONNECT_STRIPE}, then save the card.",
                severity="warning",
                markup=False,
            )
            return
        self.notify("Opening Stripe's card page…", markup=False)
        self._start_setup()

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def _start_setup(self) -> None:
        from cp_tui.adapters.qr import qr_text

        try:
            link = self.services.cards.setup_link(self.client_id)
        except DomainError as exc:
            self.post_message(SetupReady(None, problem=str(exc)))
            return
        self.post_message(SetupReady(link, qr_text(link.url)))

    @on(SetupReady)
    def _setup_ready(self, message: SetupReady) -> None:
        from cp_tui.screens.card_setup import CardSetupScreen

        if message.link is None:
            self.notify(message.problem, severity="error", markup=False)
            return
        name = self.services.clients.get(self.client_id).name
        self.app.clear_notifications()  # "Opening Stripe's card page…" is answered now
        self.app.push_screen(
            CardSetupScreen(self.services, name, message.link, message.qr), self._card_saved
        )

    def _card_saved(self, card: CardRead | None) -> None:
        if card is not None:
            self.notify(f"{card.label} saved for off-session charges.", markup=False)
            refresh = getattr(self, "reload", None)
            if callable(refresh):
                refresh()
