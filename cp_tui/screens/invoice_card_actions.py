"""The invoice screen's card actions: Pay now, payment link, refund, and background sync.

Every Stripe call runs in a thread worker that posts its result back; the
worker never touches a widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.message import Message
from textual.screen import Screen

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.gateway import Outcome
from cp_tui.services.readmodels import InvoiceRead
from cp_tui.services.secrets import NOT_CONNECTED

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


@dataclass
class CardDone(Message):
    """A card action finished: what to tell the user, and what to offer next."""

    message: str
    ok: bool
    offer_link: bool = False
    show: Any = None


class CardActions(Screen[None]):
    """Mixed into the invoice screen, which provides services, invoice, number, reload."""

    services: Services
    invoice: InvoiceRead | None
    number: str

    def reload(self) -> None:  # pragma: no cover - the invoice screen defines it
        raise NotImplementedError

    def _refuse(self, reason: str) -> None:  # pragma: no cover - defined by the screen
        raise NotImplementedError

    def _open(self, action: str) -> InvoiceRead | None:  # pragma: no cover - the screen's
        raise NotImplementedError

    # -- pay now --------------------------------------------------------------------

    def action_pay_now(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        inv = self._open("pay_now")
        if inv is None:
            return
        if not self.services.charges.available():
            self._refuse(NOT_CONNECTED)
            return
        card = self.services.cards.card(inv.client_id)
        if card is None:
            self._refuse(
                f"{inv.client_name} has no saved card: press l for the payment link, or "
                f"save a card with `cp-tui cards setup {inv.client_id}`."
            )
            return
        amount = format_money(inv.amount_due, inv.currency)
        self.app.push_screen(
            ConfirmScreen(f"Charge {amount} to {card.label} for {inv.number}?", yes="Charge"),
            self._charge_if,
        )

    def _charge_if(self, yes: bool | None) -> None:
        if yes:
            self._charge()

    def charge_now(self) -> None:
        """Charge without asking again (the user confirmed on the previous screen)."""
        self._charge()

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def _charge(self) -> None:
        try:
            result = self.services.charges.charge(self.number)
        except DomainError as exc:
            self.post_message(CardDone(str(exc), ok=False))
            return
        failed = result.outcome in (Outcome.DECLINED, Outcome.NEEDS_CLIENT)
        self.post_message(
            CardDone(result.message, ok=result.outcome is Outcome.SUCCEEDED, offer_link=failed)
        )

    # -- link -------------------------------------------------------------------------

    def action_link(self) -> None:
        if self._open("link") is None:
            return
        if not self.services.charges.available():
            self._refuse(NOT_CONNECTED)
        else:
            self.notify("Making the payment link…", markup=False)
            self._make_link()

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def _make_link(self) -> None:
        from cp_tui.adapters.qr import qr_text

        try:
            link = self.services.links.link(self.number)
        except DomainError as exc:
            self.post_message(CardDone(str(exc), ok=False))
            return
        self.post_message(CardDone("", ok=True, show=(link, qr_text(link.url))))

    # -- send through Stripe ----------------------------------------------------------

    def offer_stripe_send(self) -> bool:
        """Without e-mail set up, Stripe can e-mail the invoice with its link instead."""
        from cp_tui.screens.confirm import ConfirmScreen

        inv = self.invoice
        if inv is None or inv.amount_due <= 0 or not self.services.charges.available():
            return False
        self.app.push_screen(
            ConfirmScreen(
                "E-mail from the practice is not set up (`cp-tui mail set`).\n"
                f"Let Stripe e-mail {inv.number} with its payment link to the client?",
                yes="Send via Stripe",
            ),
            self._stripe_send_if,
        )
        return True

    def _stripe_send_if(self, yes: bool | None) -> None:
        if yes:
            self._stripe_send()

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def _stripe_send(self) -> None:
        try:
            invoice = self.services.links.send(self.number)
        except DomainError as exc:
            self.post_message(CardDone(str(exc), ok=False))
            return
        self.post_message(CardDone(f"Stripe e-mailed {invoice.number} with its link.", ok=True))

    # -- refund -------------------------------------------------------------------------

    def refundable(self) -> int:
        """Card money on this invoice that can still go back to the card (0 if none)."""
        inv = self.invoice
        if inv is None:
            return 0
        try:
            return max(self.services.refunds.refundable(inv.number), 0)
        except DomainError:
            return 0

    def open_refund_form(self, refundable: int) -> None:
        from cp_tui.screens.refund_form import RefundForm

        inv = self.invoice
        if inv is not None:
            self.app.push_screen(
                RefundForm(inv.number, refundable, inv.currency),
                self._refund_if,
            )

    def _refund_if(self, chosen: tuple[Decimal, str] | None) -> None:
        if chosen:
            self._refund(*chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="card")
    def _refund(self, amount: Decimal, reason: str) -> None:
        try:
            result = self.services.refunds.refund(self.number, amount, reason)
        except DomainError as exc:
            self.post_message(CardDone(str(exc), ok=False))
            return
        self.post_message(CardDone(result.message, ok=result.outcome is Outcome.SUCCEEDED))

    # -- background sync -------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def sync_in_background(self) -> None:
        """Pick up link payments made while the invoice was away (quietly when offline)."""
        if not self.services.charges.available():
            return
        try:
            report = self.services.stripe_sync.sync()
        except DomainError:
            return
        mine = [line for line in report.recorded if line.startswith(f"{self.number}:")]
        if mine:
            self.post_message(CardDone("; ".join(mine), ok=True))

    # -- results ----------------------------------------------------------------------------

    @on(CardDone)
    def _card_done(self, message: CardDone) -> None:
        from cp_tui.screens.confirm import ConfirmScreen
        from cp_tui.screens.payment_link import PaymentLinkScreen

        if message.show is not None:
            link, qr = message.show
            self.app.clear_notifications()  # "Making the payment link…" is answered now
            self.app.push_screen(PaymentLinkScreen(link, qr))
            return
        self.reload()
        if message.offer_link:
            self.app.push_screen(
                ConfirmScreen(f"{message.message}\n\nShow the payment link now?", yes="Link"),
                lambda yes: self.action_link() if yes else None,
            )
            return
        self.notify(
            message.message, severity="information" if message.ok else "error", markup=False
        )
