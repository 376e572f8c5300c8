"""The invoice screen's draft actions: issue the draft (it takes its number) or delete it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import InvoiceRead

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class DraftActions(Screen[None]):
    """Mixed into the invoice screen, which provides services, invoice, number and reload."""

    services: Services
    invoice: InvoiceRead | None
    number: str

    def reload(self) -> None:  # pragma: no cover - the invoice screen defines it
        raise NotImplementedError

    def _open(self, action: str) -> InvoiceRead | None:  # pragma: no cover - the screen's
        raise NotImplementedError

    @property
    def is_draft(self) -> bool:
        return self.invoice is not None and self.invoice.status == "draft"

    def action_issue(self) -> None:
        from cp_tui.screens.choice import Choice, ChoiceScreen
        from cp_tui.screens.confirm import ConfirmScreen

        inv = self._open("issue")  # says why when it is not a draft
        if inv is None:
            return
        credit = self.services.credits.balance(inv.client_id)
        if credit <= 0:
            self.app.push_screen(
                ConfirmScreen(
                    f"Issue {inv.number}? It takes the next invoice number and is then due.",
                    yes="Issue",
                ),
                lambda yes: self._issue(apply_credit=False) if yes else None,
            )
            return
        available = format_money(credit, inv.currency)
        self.app.push_screen(
            ChoiceScreen(
                f"Issue {inv.number}: it takes the next invoice number",
                [
                    Choice("credit", "c", f"Issue and apply the credit balance ({available})"),
                    Choice("plain", "i", "Issue without using credit"),
                ],
            ),
            lambda chosen: self._issue(apply_credit=chosen == "credit") if chosen else None,
        )

    def _issue(self, *, apply_credit: bool) -> None:
        try:
            issued = self.services.drafts.issue(self.number, apply_credit=apply_credit)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.number = issued.number
        self.reload()
        due = format_money(issued.amount_due, issued.currency)
        self.notify(f"Issued {issued.number}: {due} due.", markup=False)

    def action_discard(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        inv = self._open("discard")
        if inv is None:
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Delete draft {inv.number}? Its items go back to uninvoiced; "
                "no invoice number was used.",
                yes="Delete",
            ),
            self._discard_if,
        )

    def _discard_if(self, yes: bool | None) -> None:
        if not yes:
            return
        try:
            self.services.drafts.discard(self.number)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.app.notify(
            f"Draft {self.number} deleted; its items are uninvoiced again.", markup=False
        )
        self.dismiss(None)
