"""Who can be billed for a client's items: the "Bill to" choices of the invoice dialog and
the client's Billing tab.

The list holds the client and whoever shared a session with the items (couples,
groups, a parent at a child's session), then "Another client…", which opens the
searchable chooser. Listing every client in the Select would cost about half a
second on a practice of 5,000 clients, every time an invoice is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App

from cp_tui.services.readmodels import ClientRead, ItemRead

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

OTHER = -1  # the "Another client…" entry of a Bill to list


def session_payers(
    services: Services, client: ClientRead, items: list[ItemRead]
) -> list[tuple[str, int]]:
    """This client first, then whoever shared a session with the items, as (label, id)."""
    payers: dict[int, str] = {client.id: f"{client.name} (this client)"}
    for appointment_id in sorted({i.appointment_id for i in items if i.appointment_id}):
        appt = services.calendar.get(appointment_id)
        for cid, name in zip(appt.client_ids, appt.client_names, strict=False):
            payers.setdefault(cid, f"{name} (same session)")
    return [(label, cid) for cid, label in payers.items()]


def payer_options(payers: list[tuple[str, int]]) -> list[tuple[Text | str, int]]:
    """The Select's options; names are Text, so a name is never read as markup."""
    return [*((Text(name), value) for name, value in payers), ("Another client…", OTHER)]


def choose_other_payer(
    app: App[object], services: Services, client_id: int, done: Callable[[int | None], None]
) -> None:
    """Open the searchable chooser of every other client; ``done`` gets the id or None."""
    from cp_tui.screens.choose_client import ChooseClientScreen

    others = [c for c in services.clients.list() if c.id != client_id]
    app.push_screen(ChooseClientScreen("Bill to which client?", others), done)
