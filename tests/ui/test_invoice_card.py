"""Pay now, the payment link and a refund from the invoice screen, against the fake Stripe."""

from __future__ import annotations

import asyncio
from datetime import datetime

from cp_tui.bootstrap import Services
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.payment_link import PaymentLinkScreen
from tests.stripe_fake.control import FakeStripe
from tests.ui.helpers import SIZE, make_app, ready


def _billed_session(s: Services) -> tuple[int, int]:
    client = s.clients.add(name="Alex Rivera", email="alex@example.com").id
    service = s.catalogue.add(name="Therapy", price="150.00", tax_rate="0").id
    appt = s.calendar.add(
        client_ids=[client], service_ids=[service], start=datetime(2026, 11, 25, 10, 0)
    )[0]
    return client, appt.id


async def _settle(pilot: object, app: object, until: object, tries: int = 100) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if until():  # type: ignore[operator]
            return


def test_session_to_paid_by_saved_card_in_four_keys(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, appt = _billed_session(paid_services)
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    assert paid_services.cards.poll_setup(client) is not None

    async def scenario() -> None:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")  # complete the session, open the invoice dialog
            await pilot.pause()
            await pilot.press("enter")  # create the invoice
            await pilot.pause()
            assert isinstance(app.screen, InvoiceDetailScreen)
            await pilot.press("p")  # charge the saved card...
            await pilot.pause()
            await pilot.press("y")  # ...after one confirm that shows the amount
            await _settle(pilot, app, lambda: paid_services.invoices.list(status="paid"))

    asyncio.run(scenario())
    [invoice] = paid_services.invoices.list()
    assert invoice.status == "paid"
    assert paid_services.calendar.get(appt).status == "completed"
    assert len(stripe_server.stats()["payment_intents"]) == 1


def test_link_shows_the_url_and_a_qr_code(paid_services: Services) -> None:
    client, appt = _billed_session(paid_services)
    paid_services.calendar.complete(appt)
    number = paid_services.invoices.create(client_id=client).number

    async def scenario() -> str:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(InvoiceDetailScreen(paid_services, number))
            await pilot.pause()
            await pilot.press("l")
            await _settle(pilot, app, lambda: isinstance(app.screen, PaymentLinkScreen))
            screen = app.screen
            assert isinstance(screen, PaymentLinkScreen)
            return screen.link.url

    url = asyncio.run(scenario())
    assert url == paid_services.links.link(number).url


def test_declined_card_offers_the_link(paid_services: Services, stripe_server: FakeStripe) -> None:
    client, appt = _billed_session(paid_services)
    paid_services.calendar.complete(appt)
    number = paid_services.invoices.create(client_id=client).number
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref, "pm_card_chargeCustomerFail")
    paid_services.cards.poll_setup(client)

    async def scenario() -> str:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(InvoiceDetailScreen(paid_services, number))
            await pilot.pause()
            await pilot.press("p", "y")
            await _settle(pilot, app, lambda: type(app.screen).__name__ == "ConfirmScreen")
            return type(app.screen).__name__

    assert asyncio.run(scenario()) == "ConfirmScreen"
    assert paid_services.invoices.get(number).status == "unpaid"


def test_saving_a_card_from_the_client_screen(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    from cp_tui.screens.card_setup import CardSetupScreen
    from cp_tui.screens.client_detail import ClientDetailScreen

    client, _appt = _billed_session(paid_services)

    async def scenario() -> None:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(ClientDetailScreen(paid_services, client))
            await pilot.pause()
            await pilot.press("k")
            await _settle(pilot, app, lambda: isinstance(app.screen, CardSetupScreen))
            screen = app.screen
            assert isinstance(screen, CardSetupScreen)
            assert "█" in screen.qr
            stripe_server.complete_checkout(screen.link.session_ref)
            await _settle(
                pilot, app, lambda: not isinstance(app.screen, CardSetupScreen), tries=300
            )

    asyncio.run(scenario())
    card = paid_services.cards.card(client)
    assert card is not None and card.last4 == "4242"


def test_charge_at_end_of_session_offers_the_card_in_one_confirm(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, appt = _billed_session(paid_services)
    paid_services.session_charge.set_charge_at_end(client, True)
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    paid_services.cards.poll_setup(client)

    async def scenario() -> None:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")  # complete and open the invoice dialog
            await pilot.pause()
            await pilot.press("enter")  # create: the charge is offered at once
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmScreen"
            await pilot.press("y")
            await _settle(pilot, app, lambda: paid_services.invoices.list(status="paid"))

    asyncio.run(scenario())
    [invoice] = paid_services.invoices.list()
    assert invoice.status == "paid"
    assert paid_services.calendar.get(appt).status == "completed"


def test_done_on_a_charge_at_end_session_invoices_and_charges_in_one_confirm(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    """d, then y: the session is completed, invoiced and paid by the saved card."""
    from cp_tui.screens.confirm import ConfirmScreen

    client, appt = _billed_session(paid_services)
    paid_services.session_charge.set_charge_at_end(client, True)
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    paid_services.cards.poll_setup(client)

    async def scenario() -> str:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("d")  # done: the one confirm shows the amount and the card
            await _settle(pilot, app, lambda: isinstance(app.screen, ConfirmScreen))
            screen = app.screen
            assert isinstance(screen, ConfirmScreen)
            question = screen.question
            await pilot.press("y")
            await _settle(pilot, app, lambda: paid_services.invoices.list(status="paid"))
        return question

    question = asyncio.run(scenario())
    [invoice] = paid_services.invoices.list()
    assert invoice.status == "paid" and invoice.total > 0
    assert paid_services.calendar.get(appt).status == "completed"
    assert "invoice $" in question and "···· 4242" in question


def test_done_without_the_preference_only_completes(paid_services: Services) -> None:
    _client, appt = _billed_session(paid_services)

    async def scenario() -> str:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("d")
            await pilot.pause()
            await pilot.pause()
            return type(app.screen).__name__

    assert asyncio.run(scenario()) == "CalendarScreen"
    assert paid_services.calendar.get(appt).status == "completed"
    assert paid_services.invoices.list() == []


def test_r_on_a_card_paid_invoice_offers_a_credit_note_or_a_refund(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    from cp_tui.screens.choice import ChoiceScreen
    from cp_tui.screens.credit_form import CreditForm
    from cp_tui.screens.refund_form import RefundForm

    client, appt = _billed_session(paid_services)
    paid_services.calendar.complete(appt)
    number = paid_services.invoices.create(client_id=client).number
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    paid_services.cards.poll_setup(client)
    paid_services.charges.charge(number)
    assert paid_services.invoices.get(number).status == "paid"

    async def scenario() -> tuple[str, str]:
        app = make_app(paid_services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            detail = InvoiceDetailScreen(paid_services, number)
            await app.push_screen(detail)
            await pilot.pause()
            await pilot.press("r")
            await _settle(pilot, app, lambda: isinstance(app.screen, ChoiceScreen))
            await pilot.press("c")  # a plain credit note, no money back to the card
            await _settle(pilot, app, lambda: isinstance(app.screen, CreditForm))
            credit_form = type(app.screen).__name__
            await pilot.press("escape")
            await _settle(pilot, app, lambda: app.screen is detail)
            await pilot.press("r")
            await _settle(pilot, app, lambda: isinstance(app.screen, ChoiceScreen))
            await pilot.press("r")  # the refund to the card
            await _settle(pilot, app, lambda: isinstance(app.screen, RefundForm))
            refund_form = type(app.screen).__name__
            await pilot.press("home", "ctrl+k", *"40.00", "enter")
            await _settle(pilot, app, lambda: bool(stripe_server.stats()["refunds"]), tries=200)
            await _settle(
                pilot, app, lambda: bool(paid_services.invoices.list(status="credit notes"))
            )
            return credit_form, refund_form

    assert asyncio.run(scenario()) == ("CreditForm", "RefundForm")
    assert [r["amount"] for r in stripe_server.stats()["refunds"]] == [4000]
    [note] = paid_services.invoices.list(status="credit notes")
    assert note.total == -4000
