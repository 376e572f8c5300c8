"""Drafts from the TUI: saved from the invoice dialog, listed, issued, edited and deleted.

Every check ends in the database (through the services).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual.pilot import Pilot

from cp_tui.bootstrap import Services
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoice_edit import InvoiceEditDialog
from cp_tui.screens.invoices import InvoicesScreen
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready
from tests.ui.test_invoices import open_invoices, shown

TODAY_10AM = datetime(2026, 11, 25, 10, 0)


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


def test_d_in_the_invoice_dialog_saves_a_draft_and_i_issues_it(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    appt = practice.session([alex], [practice.service("150.00")], TODAY_10AM, complete=False)

    async def scenario() -> tuple[str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")  # complete the session, open the invoice dialog
            await pilot.pause()
            await pilot.press("d")  # keep it as a draft
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
            detail = app.screen
            assert isinstance(detail, InvoiceDetailScreen)
            draft_ref = detail.number
            # A draft asks for no money: m (payment) is not offered and does nothing.
            await pilot.press("m")
            await pilot.pause()
            assert app.screen is detail
            await pilot.press("i")  # issue: one confirm, then the number is taken
            await pilot.pause()
            await pilot.press("y")
            await until(pilot, lambda: not detail.is_draft)
            return draft_ref, detail.number

    draft_ref, issued = asyncio.run(scenario())
    assert draft_ref.startswith("DRAFT-")
    assert issued == "INV-0001"
    invoice = services.invoices.get(issued)
    assert invoice.status == "unpaid"
    assert invoice.total == 15000
    assert invoice.payments == []
    assert services.calendar.get(appt).status == "completed"
    assert services.invoices.page(status="draft") == []


def test_drafts_filter_lists_drafts_and_x_deletes_one(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], TODAY_10AM)
    sam = practice.client("Sam Lee", "sam@example.com")
    practice.session([sam], [practice.service("90.00", name="Review")], TODAY_10AM)
    issued = services.invoices.create(client_id=sam).number
    draft = services.invoices.create(client_id=alex, draft=True).number

    async def scenario() -> tuple[list[str], list[str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_invoices(app, pilot)
            everything = shown(app)
            for _ in range(6):  # all -> ... -> credit notes -> drafts
                await pilot.press("f")
            await until(pilot, lambda: screen.rows is not None and screen.rows.status == "draft")
            drafts = shown(app)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, InvoicesScreen))
            return everything, drafts

    everything, drafts = asyncio.run(scenario())
    assert set(everything) == {issued, draft}
    assert drafts == [draft]
    assert services.invoices.page(status="draft") == []
    assert [i.total for i in services.items.list(client_id=alex, uninvoiced=True)] == [15000]
    # Deleting a draft used no number: Sam's stays the only one.
    assert [i.number for i in services.invoices.list()] == [issued]


def test_a_draft_is_edited_and_issued_with_the_clients_credit(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], TODAY_10AM)
    services.credits.add(client_id=alex, amount="20.00", reason="Goodwill")
    draft = services.invoices.create(client_id=alex, draft=True).number

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            detail = InvoiceDetailScreen(services, draft)
            await app.push_screen(detail)
            await pilot.pause()
            await pilot.press("e")  # a draft is edited like any unsent invoice
            await until(pilot, lambda: isinstance(app.screen, InvoiceEditDialog))
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is detail)
            await pilot.press("i")  # credit available: issue with it (c) or without (i)
            await pilot.pause()
            await pilot.press("c")
            await until(pilot, lambda: not detail.is_draft)
            return detail.number

    number = asyncio.run(scenario())
    invoice = services.invoices.get(number)
    assert invoice.status == "unpaid"
    assert invoice.credit_applied == 2000
    assert invoice.amount_due == 13000
    assert services.credits.balance(alex) == 0
