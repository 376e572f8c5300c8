"""Snapshots of each screen and dialog on the demo practice, frozen at Wed 25 Nov 2026 14:00.

Update them on purpose with `pytest tests/snapshots --snapshot-update`, then look
at the SVGs before committing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from cp_tui.bootstrap import Services
from tests.stripe_fake.control import FakeStripe
from tests.ui.helpers import SIZE, make_app, ready

# Beatrice Okafor's newest unpaid invoice, found on the Invoices screen by search.
OKAFOR_INVOICE = ("3", "slash", "o", "k", "a", "f", "o", "r", "enter", "enter")


def _snap(
    snap_compare: Any,
    services: Services,
    *keys: str,
    mode: str = "calendar",
    push: Callable[[], Screen[Any]] | None = None,
    until: Callable[[App[Any]], bool] | None = None,
) -> bool:
    """The app after ``keys`` (and ``push``), once ``until`` holds for its worker's result."""
    app = make_app(services)

    async def before(pilot: Pilot[object]) -> None:
        await ready(app, pilot)
        if push is not None:
            await app.push_screen(push())
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        if until is not None:
            for _ in range(400):
                if until(app):
                    break
                await pilot.pause(0.05)
            else:
                raise AssertionError("the screen to snapshot never came up")
        # A loaded machine may still be mounting a dialog's lists: let it settle.
        for _ in range(5):
            await pilot.pause(0.05)
        await pilot.wait_for_scheduled_animations()
        # A blinking text cursor is on or off depending on the moment: hold it still.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=SIZE, run_before=before))


def test_calendar_week(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services)


def test_calendar_day_agenda(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "v")


def test_appointment_detail(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "enter")


def test_invoice_dialog_for_a_completed_session(snap_compare: Any, demo_services: Services) -> None:
    # Monday 15:00: Francesca's completed session with a report, not yet invoiced.
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i")


def test_invoice_detail_after_creation(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i", "enter")


def test_new_appointment_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "n")


def test_clients_list(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2")


def test_client_billing_tab(snap_compare: Any, demo_services: Services) -> None:
    # Francesca Moretti: a completed session and a report not yet invoiced.
    assert _snap(
        snap_compare, demo_services, "2", "slash", "f", "r", "a", "n", "enter", "enter", "b"
    )


def test_invoices_list(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "3")


def test_payment_form(snap_compare: Any, demo_services: Services) -> None:
    # Beatrice Okafor's newest unpaid invoice, found by search, then m.
    keys = ("3", "slash", "o", "k", "a", "f", "o", "r", "enter", "enter", "m")
    assert _snap(snap_compare, demo_services, *keys)


def test_first_run_setup(snap_compare: Any, services: Services) -> None:
    app = make_app(services)

    async def before(pilot: Pilot[object]) -> None:
        for _ in range(200):
            await pilot.pause()
            if type(app.screen).__name__ == "SetupScreen":
                break
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_client_details_tab(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "enter")


def test_credit_note_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "enter", "r")


def test_line_edit_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i", "e")


def test_recurring_session_confirm(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "i")


def test_reports_screen(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "3", "a")


def test_claims_screen(snap_compare: Any, demo_services: Services) -> None:
    # Francesca's two uninvoiced items are insured; Chen's policy is a percentage.
    services = demo_services
    services.insurance.set_policy(6, payer="Aetna", member_id="W123", copay="30")
    services.insurance.set_policy(3, payer="Blue Cross", member_id="BC9", copay_percent="20")
    claims = [
        services.insurance.split(i.id).claim.id
        for i in services.items.list(client_id=6, uninvoiced=True)
    ]
    services.insurance.submit(claims[:1], "AET-1")
    chen = services.items.add(client_id=3, description="Individual therapy", price="150")
    services.insurance.split(chen.id)
    assert _snap(snap_compare, services, "3", "a", "c")


def _on(name: str) -> Callable[[App[Any]], bool]:
    return lambda app: type(app.screen).__name__ == name


# -- dialogs on the demo practice ------------------------------------------------------------


def test_service_form_new(snap_compare: Any, demo_services: Services) -> None:
    from cp_tui.screens.service_form import ServiceForm

    currency = demo_services.practice.get().currency
    assert _snap(snap_compare, demo_services, push=lambda: ServiceForm(demo_services, currency))


def test_client_form_new(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "n", until=_on("ClientForm"))


def test_client_form_edit(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "enter", "e", until=_on("ClientForm"))


def test_policy_form(snap_compare: Any, demo_services: Services) -> None:
    # The first client of the list, prefilled with the demo practice's policy.
    assert _snap(snap_compare, demo_services, "2", "enter", "y", until=_on("PolicyForm"))


def test_invoice_edit(snap_compare: Any, demo_services: Services) -> None:
    keys = ("left", "left", "down", "down", "i", "enter", "e")
    assert _snap(snap_compare, demo_services, *keys, until=_on("InvoiceEditDialog"))


def test_batch_screen(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "3", "b", until=_on("BatchScreen"))


def test_void_confirm(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, *OKAFOR_INVOICE, "v", until=_on("ConfirmScreen"))


def test_pick_client(snap_compare: Any, demo_services: Services) -> None:
    from cp_tui.screens.pick_client import PickClientScreen

    attendees = [(c.id, c.name) for c in demo_services.clients.list()[:2]]
    assert _snap(
        snap_compare,
        demo_services,
        push=lambda: PickClientScreen("Invoice which attendee?", attendees),
    )


def test_choose_client(snap_compare: Any, demo_services: Services) -> None:
    from cp_tui.screens.choose_client import ChooseClientScreen

    others = demo_services.clients.list()[1:]
    assert _snap(
        snap_compare,
        demo_services,
        push=lambda: ChooseClientScreen("Bill to which client?", others),
    )


def test_draft_invoice(snap_compare: Any, demo_services: Services) -> None:
    keys = ("left", "left", "down", "down", "i", "d")
    assert _snap(snap_compare, demo_services, *keys, until=_on("InvoiceDetailScreen"))


# Chen Wei: paid invoices, a credit note (CN-0001) and an unpaid invoice; credit on the ledger.
CHEN = ("2", "slash", "c", "h", "e", "n", "enter", "enter")


def _client_tab(tab: str) -> Callable[[App[Any]], bool]:
    def shown(app: App[Any]) -> bool:
        screen = app.screen
        if type(screen).__name__ != "ClientDetailScreen":
            return False
        tabs: Any = screen.query_one("#client-tabs")
        return bool(tabs.active == f"tab-{tab}")

    return shown


def _invoice(number: str) -> Callable[[App[Any]], bool]:
    def shown(app: App[Any]) -> bool:
        screen: Any = app.screen
        return type(screen).__name__ == "InvoiceDetailScreen" and (
            screen.invoice is not None and screen.invoice.number == number
        )

    return shown


def _open_invoice(number: str) -> tuple[str, ...]:
    return ("3", "slash", *number.lower(), "enter", "enter")


def test_client_invoices_tab(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, *CHEN, "i", until=_client_tab("invoices"))


def test_client_payments_tab(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, *CHEN, "p", until=_client_tab("payments"))


def test_paid_invoice_detail(snap_compare: Any, demo_services: Services) -> None:
    # Alex Rivera's newest paid invoice: a co-pay, its cheque, its claim and its history.
    number = demo_services.invoices.page(status="paid", search="rivera")[0].number
    assert _snap(snap_compare, demo_services, *_open_invoice(number), until=_invoice(number))


def test_credit_note_detail(snap_compare: Any, demo_services: Services) -> None:
    # Chen Wei's credit note (a waived fee): credited to his balance, with its history.
    chen = demo_services.invoices.page(status="all", search="chen")
    credit = next(i.number for i in chen if i.kind == "credit_note")
    assert _snap(snap_compare, demo_services, *_open_invoice(credit), until=_invoice(credit))


# -- dialogs that show Stripe's links, against the fake Stripe ---------------------------------


@pytest.fixture
def stripe_demo(paid_services: Services, stripe_server: FakeStripe) -> Iterator[Services]:
    """The demo practice on the fake Stripe, whose ids and hosted pages are the same each run."""
    stripe_server.predictable()
    paid_services.demo.load()
    yield paid_services
    stripe_server.reset()


def _okafor_with_card(services: Services, stripe_server: FakeStripe) -> str:
    """Beatrice Okafor saves a card; returns the number of her newest unpaid invoice."""
    newest = services.invoices.page(status="unpaid", search="okafor")[0]
    client = services.invoices.get(newest.number).client_id
    link = services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    assert services.cards.poll_setup(client) is not None
    return newest.number


def test_payment_link(snap_compare: Any, stripe_demo: Services) -> None:
    assert _snap(snap_compare, stripe_demo, *OKAFOR_INVOICE, "l", until=_on("PaymentLinkScreen"))


def test_card_setup(snap_compare: Any, stripe_demo: Services) -> None:
    assert _snap(snap_compare, stripe_demo, "2", "enter", "k", until=_on("CardSetupScreen"))


def test_charge_confirm(
    snap_compare: Any, stripe_demo: Services, stripe_server: FakeStripe
) -> None:
    _okafor_with_card(stripe_demo, stripe_server)
    assert _snap(snap_compare, stripe_demo, *OKAFOR_INVOICE, "p", until=_on("ConfirmScreen"))


def test_credit_or_refund_choice(
    snap_compare: Any, stripe_demo: Services, stripe_server: FakeStripe
) -> None:
    number = _okafor_with_card(stripe_demo, stripe_server)
    stripe_demo.charges.charge(number)
    keys = ("3", "slash", *number.lower(), "enter", "enter", "r")
    assert _snap(snap_compare, stripe_demo, *keys, until=_on("ChoiceScreen"))


def test_refund_form(snap_compare: Any, stripe_demo: Services, stripe_server: FakeStripe) -> None:
    number = _okafor_with_card(stripe_demo, stripe_server)
    stripe_demo.charges.charge(number)
    keys = ("3", "slash", *number.lower(), "enter", "enter", "r", "r")
    assert _snap(snap_compare, stripe_demo, *keys, until=_on("RefundForm"))
