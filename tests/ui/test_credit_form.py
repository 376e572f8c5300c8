"""The credit note form suggests the tax of what it corrects."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from cp_tui.bootstrap import Services
from cp_tui.screens.credit_form import CreditForm
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready


def _suggested(services: Services, form: CreditForm) -> tuple[str, str]:
    async def scenario() -> tuple[str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(form)
            await pilot.pause()
            amount = form.query_one("#input-amount", Input).value
            return amount, form.query_one("#input-tax", Input).value

    return asyncio.run(scenario())


def test_correcting_an_invoice_suggests_its_amount_and_tax(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("100.00", tax_rate="15")])
    invoice = services.invoices.create(client_id=alex)
    form = CreditForm(services, alex, "Alex Rivera", invoice=invoice)
    assert _suggested(services, form) == ("100.00", "15")


def test_a_credit_of_its_own_suggests_the_practice_tax_rate(
    services: Services, practice: Practice
) -> None:
    services.practice.update(default_tax_rate="5.5")
    alex = practice.client()
    assert _suggested(services, CreditForm(services, alex, "Alex Rivera")) == ("", "5.5")


def test_an_invoice_of_mixed_rates_suggests_the_practice_tax_rate(
    services: Services, practice: Practice
) -> None:
    services.practice.update(default_tax_rate="7")
    alex = practice.client()
    practice.session([alex], [practice.service("100.00", tax_rate="15", name="Therapy")])
    practice.session([alex], [practice.service("75.00", tax_rate="0", name="Report")])
    invoice = services.invoices.create(client_id=alex)
    form = CreditForm(services, alex, "Alex Rivera", invoice=invoice)
    assert _suggested(services, form) == ("175.00", "7")
