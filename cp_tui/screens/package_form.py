"""Sell a package of sessions from the client screen: sessions, services, price, expiry.

The sale (its invoice, and the saved card charged at once when asked) runs in a
thread worker: a charge talks to Stripe. The form returns the sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, SelectionList, Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.package_reads import PackageSale
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


@dataclass
class SaleDone(Message):
    sale: PackageSale | None
    error: str = ""


class PackageForm(DialogScreen[PackageSale | None]):
    CSS_PATH = "dialog.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="package.cancel")]

    def __init__(self, services: Services, client_id: int) -> None:
        super().__init__()
        self.services = services
        self.client_id = client_id
        self.has_card = services.cards.card(client_id) is not None
        self.busy = False

    def compose(self) -> ComposeResult:
        name = self.services.clients.get(self.client_id).name
        currency = self.services.practice.get().currency
        with Vertical(classes="dialog"):
            yield Static(f"Sell a package to {name}", classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field("Sessions", "10", name="sessions")
                yield Field(f"Price ({currency})", name="price", placeholder="e.g. 1200.00")
            yield Label("Services it covers (space ticks)", markup=False)
            yield SelectionList[int](
                *((Content(s.name), s.id) for s in self.services.catalogue.list()),
                id="package-services",
            )
            with Horizontal(classes="row"):
                yield Field("Name (optional)", name="name")
                yield Field("Use by (YYYY-MM-DD, optional)", name="expires")
            if self.has_card:
                yield Checkbox("Charge the saved card now", value=True, id="package-charge")
            else:
                yield Static(
                    "No saved card: the package's invoice waits for payment.", markup=False
                )
            yield Static("", classes="dialog-error", id="package-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Sell (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        services = self.query_one("#package-services", SelectionList)
        if services.option_count == 1:
            services.select_all()
        self.query_one("#input-sessions", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        if self.busy:
            return
        fields = {f.field_name: f for f in self.query(Field)}
        for field in fields.values():
            field.set_error(None)
        try:
            sessions = int(fields["sessions"].value)
        except ValueError:
            fields["sessions"].set_error("a whole number of sessions, e.g. 10")
            return
        expires: date | None = None
        if fields["expires"].value:
            try:
                expires = date.fromisoformat(fields["expires"].value)
            except ValueError:
                fields["expires"].set_error("a date is YYYY-MM-DD, or leave it empty")
                return
        if not fields["price"].value:
            fields["price"].set_error("what the whole package costs, e.g. 1200.00")
            return
        chosen = list(self.query_one("#package-services", SelectionList).selected)
        self.busy = True
        self.query_one("#package-error", Static).update("Selling…")
        self._sell(
            sessions=sessions,
            service_ids=chosen,
            price=fields["price"].value,
            expires_on=expires,
            name=fields["name"].value,
            charge_card=any(box.value for box in self.query("#package-charge").results(Checkbox)),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="package")
    def _sell(
        self,
        *,
        sessions: int,
        service_ids: list[int],
        price: str,
        expires_on: date | None,
        name: str,
        charge_card: bool,
    ) -> None:
        try:
            sale = self.services.packages.sell(
                client_id=self.client_id,
                sessions=sessions,
                service_ids=service_ids,
                price=price,
                expires_on=expires_on,
                name=name,
                charge_card=charge_card,
            )
        except DomainError as exc:
            self.post_message(SaleDone(None, str(exc)))
            return
        self.post_message(SaleDone(sale))

    @on(SaleDone)
    def _sold(self, message: SaleDone) -> None:
        self.busy = False
        if message.sale is None:
            self.query_one("#package-error", Static).update(message.error)
            return
        self.dismiss(message.sale)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
