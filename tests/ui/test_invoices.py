"""The Invoices mode under Pilot: filters, search, totals, opening, paying and voiding.

Every check ends in the database (through the services), not on the screen's pixels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoices import InvoicesScreen
from cp_tui.screens.payment_form import PaymentForm
from cp_tui.widgets.virtual_table import VirtualTable
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

TUESDAY = datetime(2026, 11, 24, 10, 0)


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


async def open_invoices(app: CpTuiApp, pilot: Pilot[object]) -> InvoicesScreen:
    await ready(app, pilot)
    await pilot.press("3")
    await until(
        pilot, lambda: isinstance(app.screen, InvoicesScreen) and app.screen.rows is not None
    )
    screen = app.screen
    assert isinstance(screen, InvoicesScreen)
    return screen


def table(app: CpTuiApp) -> VirtualTable:
    return app.screen.query_one("#invoices-table", VirtualTable)


def shown(app: CpTuiApp) -> list[str]:
    """The numbers in the table, read through its pages as the screen draws them."""
    t = table(app)
    return [str(row.key) for i in range(t.row_count) if (row := t.row_at(i)) is not None]


def totals_line(app: CpTuiApp) -> str:
    return str(app.screen.query_one("#invoices-totals", Static).render())


def test_status_filter_and_search_narrow_the_list_and_its_totals(
    demo_services: Services,
) -> None:
    services = demo_services
    unpaid = services.invoices.page(status="unpaid")
    assert unpaid, "the demo practice has unpaid invoices"
    client = unpaid[-1].client_name
    last_name = client.split()[-1]
    everything = services.invoices.summary()

    async def scenario() -> dict[str, object]:
        app = make_app(services)
        seen: dict[str, object] = {}
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_invoices(app, pilot)
            seen["all"] = (shown(app), totals_line(app))
            await pilot.press("f")  # all -> unpaid
            await until(pilot, lambda: screen.rows is not None and screen.rows.status == "unpaid")
            seen["select"] = screen.query_one("#invoices-status", Select).value
            seen["unpaid"] = (shown(app), totals_line(app))
            await pilot.press("slash", *last_name.upper(), "enter")
            await until(pilot, lambda: screen.rows is not None and screen.rows.search != "")
            seen["searched"] = (shown(app), totals_line(app))
            seen["focused"] = app.focused is table(app)
            await pilot.press("escape")  # clears the search
            await until(pilot, lambda: screen.rows is not None and screen.rows.search == "")
            seen["cleared"] = shown(app)
        return seen

    seen = asyncio.run(scenario())
    numbers, line = seen["all"]  # type: ignore[misc]
    assert numbers == [r.number for r in services.invoices.page(limit=1000)]
    assert len(numbers) == everything.count
    assert f"{everything.count} invoices and credit notes" in line

    assert seen["select"] == "unpaid"
    numbers, line = seen["unpaid"]  # type: ignore[misc]
    assert numbers == [r.number for r in unpaid]
    unpaid_totals = services.invoices.summary(status="unpaid")
    assert f"{unpaid_totals.count} unpaid invoices" in line
    assert f"Amount due ${unpaid_totals.amount_due / 100:,.2f}" in line

    numbers, line = seen["searched"]  # type: ignore[misc]
    expected = services.invoices.page(status="unpaid", search=last_name)
    assert numbers == [r.number for r in expected]
    assert 0 < len(numbers) < len(unpaid)
    assert all(last_name in r.client_name for r in expected)
    assert f'matching "{last_name.upper()}"' in line
    assert f"Total ${sum(r.total for r in expected) / 100:,.2f}" in line
    assert seen["focused"] is True
    assert seen["cleared"] == [r.number for r in unpaid]


def test_enter_opens_the_invoice_and_m_enter_pays_it(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], TUESDAY)
    number = services.invoices.create(client_id=alex).number
    other = practice.client("Sam Lee", "sam@example.com")
    practice.session([other], [practice.service("90.00", name="Review")], TUESDAY)
    services.invoices.create(client_id=other)

    async def scenario() -> tuple[str, list[str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_invoices(app, pilot)
            await pilot.press("down")  # newest first: Alex's is the second
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
            opened = app.screen
            assert isinstance(opened, InvoiceDetailScreen)
            await pilot.press("m")
            await pilot.pause()
            await pilot.press("enter")
            await until(pilot, lambda: services.invoices.get(number).status == "paid")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            await pilot.press("f", "f", "f")  # all -> unpaid -> overdue -> paid
            await until(pilot, lambda: screen.rows is not None and screen.rows.status == "paid")
            return opened.number, shown(app)

    opened, paid_list = asyncio.run(scenario())
    assert opened == number
    invoice = services.invoices.get(number)
    assert invoice.status == "paid"
    assert invoice.amount_due == 0
    assert [(p.method, p.amount) for p in invoice.payments] == [("card", 15000)]
    assert paid_list == [number]


def test_a_comma_typed_as_a_decimal_point_is_refused_by_the_field_and_kept(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], TUESDAY)
    number = services.invoices.create(client_id=alex).number

    async def scenario() -> tuple[str, str, bool]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            app.push_screen(InvoiceDetailScreen(services, number))
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, PaymentForm))
            form = app.screen
            amount = form.query_one("#input-amount", Input)
            amount.value = ""
            await pilot.press("1", "2", "comma", "5", "enter")
            await pilot.pause()
            still_open = app.screen is form
            error = form.query_one("#field-amount .field-error", Static).render()
            typed = amount.value
            amount.value = "12.50"
            await pilot.press("enter")
            await until(pilot, lambda: app.screen is not form)
            return typed, str(error), still_open

    typed, error, still_open = asyncio.run(scenario())
    assert still_open and typed == "12,5"  # never $125.00: kept as typed, with the reason
    assert "point for decimals" in error and "1,500.50" in error
    assert [p.amount for p in services.invoices.get(number).payments] == [1250]


def test_v_then_y_voids_and_the_items_are_uninvoiced_again(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], TUESDAY)
    number = services.invoices.create(client_id=alex).number
    assert services.items.list(client_id=alex, uninvoiced=True) == []

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_invoices(app, pilot)
            await pilot.press("enter", "v")
            await pilot.pause()
            await pilot.press("y")
            await until(pilot, lambda: services.invoices.get(number).status == "void")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
            await pilot.pause()
            return totals_line(app)

    line = asyncio.run(scenario())
    assert services.invoices.get(number).status == "void"
    items = services.items.list(client_id=alex, uninvoiced=True)
    assert [i.total for i in items] == [15000]
    # Back on the list (reloaded on resume): nothing is due on a void invoice.
    assert "1 invoices and credit notes" in line
    assert "Amount due $0.00" in line


def test_empty_list_says_what_to_do(services: Services, practice: Practice) -> None:
    practice.client()
    practice.service()

    async def scenario() -> tuple[str, bool]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_invoices(app, pilot)
            await pilot.press("enter")  # nothing to open: stays on the list
            await pilot.pause()
            return totals_line(app), isinstance(app.screen, InvoicesScreen)

    line, still_listed = asyncio.run(scenario())
    assert "0 invoices and credit notes" in line
    assert "f changes the filter" in line
    assert still_listed


def test_every_invoices_action_is_in_the_command_palette(
    services: Services, practice: Practice
) -> None:
    practice.client()
    practice.service()

    async def scenario() -> set[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_invoices(app, pilot)
            return {c.title for c in app.get_system_commands(app.screen)}

    titles = asyncio.run(scenario())
    for binding in InvoicesScreen.BINDINGS:
        assert binding.description in titles  # type: ignore[union-attr]
