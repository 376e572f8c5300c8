"""Pilot tests of the Clients mode and the client screen, asserting on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.client_form import ClientForm
from cp_tui.screens.clients import ClientsScreen
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.widgets.virtual_table import VirtualTable
from tests.conftest import Practice
from tests.ui.helpers import type_text, until

Scenario = Callable[[CpTuiApp, Pilot[str | None]], Awaitable[None]]


def run(services: Services, scenario: Scenario) -> None:
    """Start the app on ``services``, go to Clients (2), then play the scenario."""

    async def main() -> None:
        app = CpTuiApp(lambda: services)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.services is not None and app.current_mode == "calendar")
            await pilot.press("2")
            await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
            await scenario(app, pilot)

    asyncio.run(main())


async def open_client(app: CpTuiApp, pilot: Pilot[str | None], name: str) -> None:
    """Filter the list down to ``name`` and open it with enter."""
    await pilot.press("slash")
    await type_text(pilot, name.lower())
    await pilot.press("enter", "enter")
    await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))


def shown_keys(app: CpTuiApp) -> list[object]:
    table = app.screen.query_one("#clients-table", VirtualTable)
    return [row.key for row in (table.row_at(i) for i in range(table.row_count)) if row]


def uninvoiced(services: Services, client_id: int) -> list[int]:
    return [i.id for i in services.items.list(client_id=client_id, uninvoiced=True)]


def three_sessions(practice: Practice, client: int) -> list[int]:
    therapy = practice.service()
    for day in (23, 24, 25):
        practice.session([client], [therapy], datetime(2026, 11, day, 9, 0))
    return uninvoiced(practice.s, client)


def test_filter_narrows_the_list_and_escape_returns_to_it(demo_services: Services) -> None:
    every = [c.id for c in demo_services.clients.list()]
    chen = demo_services.clients.list(search="chen")

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        assert shown_keys(app) == every
        await pilot.press("slash")
        await type_text(pilot, "chen")
        assert shown_keys(app) == [c.id for c in chen]
        await pilot.press("escape")
        assert isinstance(app.focused, VirtualTable)
        await pilot.press("escape")  # in the list, escape clears the filter
        assert shown_keys(app) == every
        await pilot.press("slash")
        await type_text(pilot, "example.com jo")  # e-mail matches too, every word must
        assert shown_keys(app) == [c.id for c in demo_services.clients.list(search="jo")]

    run(demo_services, scenario)


def test_new_client_is_saved_and_a_bad_email_keeps_what_was_typed(
    services: Services, practice: Practice
) -> None:
    practice.service()  # an empty practice would open the first-run setup instead

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ClientForm))
        await type_text(pilot, "Rosa Diaz")
        await pilot.press("tab")
        await type_text(pilot, "rosa.example.com")
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ClientForm)
        assert form.query_one("#field-email").has_class("-invalid")
        assert form.query_one("#input-name", Input).value == "Rosa Diaz"
        assert services.clients.list() == []
        form.query_one("#input-email", Input).value = "rosa@example.com"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
        saved = services.clients.list()
        assert [(c.name, c.email) for c in saved] == [("Rosa Diaz", "rosa@example.com")]
        assert shown_keys(app) == [saved[0].id]

    run(services, scenario)


def test_ticked_items_become_the_invoice(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, second, third = three_sessions(practice, alex)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("b", "space", "down", "down", "space", "c")
        await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
        (invoice,) = services.invoices.list(client_id=alex)
        assert [line.item_id for line in invoice.lines] == [first, third]
        assert uninvoiced(services, alex) == [second]
        assert invoice.total == 30000

    run(services, scenario)


def test_editing_a_line_changes_the_invoice_line(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, *_ = three_sessions(practice, alex)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("b", "space", "e")
        await until(pilot, lambda: app.screen.query("#input-units"))
        await pilot.press("backspace")
        await type_text(pilot, "1.5")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
        (invoice,) = services.invoices.list(client_id=alex)
        (line,) = invoice.lines
        assert (line.item_id, line.units, line.total) == (first, Decimal("1.5"), 22500)

    run(services, scenario)


def test_a_bad_line_edit_is_refused_by_the_field(services: Services, practice: Practice) -> None:
    alex = practice.client()
    three_sessions(practice, alex)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("b", "space", "e")
        await until(pilot, lambda: app.screen.query("#input-units"))
        await pilot.press("backspace")
        await type_text(pilot, "abc")
        await pilot.press("enter")
        assert app.screen.query_one("#field-units").has_class("-invalid")
        assert app.screen.query_one("#input-units", Input).value == "abc"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        assert services.invoices.list(client_id=alex) == []

    run(services, scenario)


def test_apply_credit_reduces_the_amount_due(services: Services, practice: Practice) -> None:
    alex = practice.client()
    three_sessions(practice, alex)
    services.credits.add(client_id=alex, amount="50.00", reason="Goodwill")

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("b", "a", "u", "c")
        await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
        invoice = next(i for i in services.invoices.list(client_id=alex) if i.kind == "invoice")
        assert (invoice.total, invoice.credit_applied, invoice.amount_due) == (45000, 5000, 40000)
        assert services.credits.balance(alex) == 0
        assert uninvoiced(services, alex) == []

    run(services, scenario)


def test_a_group_attendee_is_billed_to_another_client(
    services: Services, practice: Practice
) -> None:
    jo = practice.client("Jo Mensah", "jo@example.com")
    kim = practice.client("Kim Nguyen", "kim@example.com")
    group = practice.service("60.00", name="Group therapy")
    practice.session([jo, kim], [group])
    (jo_item,) = uninvoiced(services, jo)
    (kim_item,) = uninvoiced(services, kim)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Jo Mensah")
        # Bill to lists Jo first, then Kim from the same session.
        await pilot.press("b", "space", "t", "enter", "down", "enter", "c")
        await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
        (invoice,) = services.invoices.list(client_id=kim)
        assert [line.item_id for line in invoice.lines] == [jo_item]
        assert services.invoices.list(client_id=jo) == []
        assert uninvoiced(services, jo) == []
        assert uninvoiced(services, kim) == [kim_item]

    run(services, scenario)


def test_bill_to_any_client_through_the_chooser(services: Services, practice: Practice) -> None:
    child = practice.client("Sam Child", "sam@example.com")
    parent = practice.client("Pat Parent", "pat@example.com")
    (item, *_) = three_sessions(practice, child)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Sam")
        # Bill to: Sam, then "Another client…", which opens a filterable chooser.
        await pilot.press("b", "space", "t", "enter", "down", "enter")
        await until(pilot, lambda: app.screen.query("#choose-filter"))
        await type_text(pilot, "pat")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
        (invoice,) = services.invoices.list(client_id=parent)
        assert [line.item_id for line in invoice.lines] == [item]

    run(services, scenario)


def test_credit_note_from_the_client_raises_the_credit(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("r")
        await until(pilot, lambda: app.screen.query("#input-amount"))
        await type_text(pilot, "40")
        await pilot.press("tab")
        await type_text(pilot, "Shortened session")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        assert services.credits.balance(alex) == 4000
        (note,) = services.invoices.list(client_id=alex)
        assert (note.kind, note.total, note.reason) == ("credit_note", -4000, "Shortened session")

    run(services, scenario)


def test_edit_and_archive_from_the_client(services: Services, practice: Practice) -> None:
    alex = practice.client()
    three_sessions(practice, alex)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ClientForm))
        app.screen.query_one("#input-phone", Input).value = "555-0199"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        assert services.clients.get(alex).phone == "555-0199"
        await pilot.press("x", "y")
        await until(pilot, lambda: services.clients.get(alex).archived)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
        assert shown_keys(app) == []  # archived clients leave the list
        await pilot.press("v")
        assert shown_keys(app) == [alex]

    run(services, scenario)


def test_the_list_is_fresh_after_billing_elsewhere(services: Services, practice: Practice) -> None:
    alex = practice.client()
    three_sessions(practice, alex)

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        totals = app.screen.query_one("#clients-totals")
        assert "Uninvoiced $450.00" in str(totals.render())
        await pilot.press("1")
        await until(pilot, lambda: app.current_mode == "calendar")
        services.invoices.create(client_id=alex)
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
        await pilot.pause()
        totals = app.screen.query_one("#clients-totals")
        assert "Uninvoiced $0.00" in str(totals.render())
        assert "Balance due $450.00" in str(totals.render())

    run(services, scenario)


def test_a_long_list_is_read_a_page_at_a_time_and_scrolls_to_the_end(
    services: Services, practice: Practice
) -> None:
    """450 clients: more than a screen and more than two of the table's 200-row pages."""
    ids = [practice.client(f"Client {n:03d}", f"client{n}@example.com") for n in range(450)]
    services.items.add(client_id=ids[-1], description="Session", price="75.00")
    pages: list[tuple[int, int]] = []
    real_page = services.clients.page

    def page(*args: Any, **kwargs: Any) -> Any:
        pages.append((kwargs["offset"], kwargs["limit"]))
        return real_page(*args, **kwargs)

    services.clients.page = page  # type: ignore[method-assign]

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        table = app.screen.query_one("#clients-table", VirtualTable)
        totals = app.screen.query_one("#clients-totals", Static)
        assert table.row_count == 450
        assert pages == [(0, 200)]  # only the page on screen was read
        assert "450 clients" in str(totals.render())
        await pilot.press("end")
        await until(pilot, lambda: table.current_key == ids[-1])
        assert (400, 200) in pages and (200, 200) not in pages  # the middle was skipped
        assert table.scroll_offset.y > 0
        line = "".join(seg.text for seg in table.render_line(table.size.height - 1))
        assert "Client 449" in line and "$75.00" in line
        await pilot.press("up", "up")
        assert table.current_key == ids[-3]
        await pilot.press("slash")
        await type_text(pilot, "client 44")
        # "44" is in the names Client 440-449 and in e-mails like client144@.
        narrowed = [i for n, i in enumerate(ids) if "44" in f"{n:03d}" or "44" in str(n)]
        assert shown_keys(app) == narrowed
        assert f"{len(narrowed)} of 450 clients" in str(totals.render())
        await pilot.press("escape", "escape")  # back to the list, then clear the filter
        assert table.row_count == 450
        assert table.current_key == ids[-3]  # the cursor stayed on the client it was on
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))

    run(services, scenario)


def test_delete_removes_an_item_added_by_mistake(services: Services, practice: Practice) -> None:
    alex = practice.client()
    keep = services.items.add(client_id=alex, description="Letter", price="40.00").id
    services.items.add(client_id=alex, description="Report", price="80.00")

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("b", "down", "delete")
        await until(pilot, lambda: bool(app.screen.query("#yes")))
        question = app.screen.query_one(".dialog-body", Static).render()
        assert "Remove Report of 25 Nov 2026 ($80.00)?" in str(question)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        await pilot.pause()
        assert [i.id for i in services.items.list(client_id=alex)] == [keep]
        # On a session's own item, the key says what to do instead and removes nothing.
        practice.session([alex], [practice.service()], datetime(2026, 11, 24, 10, 0))
        app.screen.reload()  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("home", "delete", "y")
        await pilot.pause()
        assert len(services.items.list(client_id=alex)) == 2

    run(services, scenario)
    assert "Report" not in [i.description for i in services.items.list(client_id=alex)]
