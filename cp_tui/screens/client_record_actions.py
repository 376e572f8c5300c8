"""The client screen's actions on the client itself: edit, credit note, insurance, archive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError
from cp_tui.services.insurance import PolicyRead
from cp_tui.services.readmodels import ClientRead, InvoiceRead

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class ClientRecordActions(Screen[None]):
    """Mixed into the client screen, which provides services, client, currency and reload."""

    services: Services
    client: ClientRead | None
    currency: str

    def reload(self) -> None:  # pragma: no cover - the client screen defines it
        raise NotImplementedError

    def action_edit(self) -> None:
        from cp_tui.screens.client_form import ClientForm

        if self.client is not None:
            self.app.push_screen(ClientForm(self.services, self.client), self._edited)

    def _edited(self, client: ClientRead | None) -> None:
        if client is not None:
            self.reload()
            self.notify(f"{client.name} saved.", markup=False)

    def action_credit_note(self) -> None:
        from cp_tui.screens.credit_form import CreditForm

        if self.client is not None:
            self.app.push_screen(
                CreditForm(self.services, self.client.id, self.client.name), self._credited
            )

    def _credited(self, note: InvoiceRead | None) -> None:
        if note is not None:
            self.reload()
            credit = format_money(self.client.credit_balance if self.client else 0, self.currency)
            self.notify(
                f"Credit note {note.number} issued; credit balance now {credit}.", markup=False
            )

    def action_insurance(self) -> None:
        from cp_tui.screens.policy_form import PolicyForm

        if self.client is not None:
            self.app.push_screen(PolicyForm(self.services, self.client.id), self._insured)

    def _insured(self, policy: PolicyRead | None) -> None:
        if policy is not None:
            self.reload()
            self.notify(
                f"Insurance policy saved: {policy.payer}, member {policy.member_id}.",
                markup=False,
            )

    def action_archive(self) -> None:
        from cp_tui.screens.confirm import ConfirmScreen

        client = self.client
        if client is None:
            return
        name = client.name
        if client.archived:
            question = f"Restore {name}? They come back to the client list."
            yes = "Restore"
        else:
            question = (
                f"Archive {name}? They leave the client list (v there shows archived "
                "clients); invoices and history stay. A client with no history is deleted."
            )
            yes = "Archive"
        self.app.push_screen(ConfirmScreen(question, yes=yes), self._archive_answer)

    def _archive_answer(self, yes: bool | None) -> None:
        client = self.client
        if not yes or client is None:
            return
        try:
            if client.archived:
                self.services.clients.restore(client.id)
                done = "restored"
            else:
                done = self.services.clients.remove(client.id)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"{client.name} {done}.", markup=False)
        if done == "deleted":
            self.dismiss(None)
        else:
            self.reload()
