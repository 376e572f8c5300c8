"""The Calendar under Pilot: end-of-session billing and status keys, checked in the database."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.cells import cell_len
from textual.widgets import Select, Static

from cp_tui.bootstrap import Services
from cp_tui.screens.calendar import CalendarScreen
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoice_dialog import InvoiceDialog
from cp_tui.widgets.week_grid import WeekGrid
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready, type_text, until

TODAY_10AM = datetime(2026, 11, 25, 10, 0)


def test_end_of_session_invoice_and_payment_in_four_keys(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    appt = practice.session([alex], [therapy], TODAY_10AM, complete=False)

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            assert app.screen.query_one(WeekGrid).selected_id == appt
            await pilot.press("i")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, InvoiceDetailScreen)
            await pilot.press("m")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()

    asyncio.run(scenario())
    assert services.calendar.get(appt).status == "completed"
    [invoice] = services.invoices.list()
    assert invoice.client_id == alex
    assert invoice.total == 15000
    assert invoice.status == "paid"
    assert [p.method for p in services.invoices.get(invoice.number).payments] == ["card"]


def test_recurring_session_asks_then_generates_items_once(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("120.00")
    series = services.calendar.add(
        client_ids=[alex],
        service_ids=[therapy],
        start=datetime(2026, 11, 23, 9, 0),
        repeat="weekly",
        count=3,
    )

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("left")  # nothing today: back to Monday's session
            assert app.screen.query_one(WeekGrid).selected_id == series[0].id
            await pilot.press("i")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("g")  # a second generate changes nothing
            await pilot.pause()

    asyncio.run(scenario())
    items = services.items.list(client_id=alex)
    assert len(items) == 1
    assert items[0].appointment_id == series[0].id
    assert items[0].invoice_number is not None
    assert services.calendar.get(series[1].id).status == "scheduled"


def test_future_occurrence_refuses_to_generate(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service()
    series = services.calendar.add(
        client_ids=[alex],
        service_ids=[therapy],
        start=datetime(2026, 11, 26, 9, 0),
        repeat="weekly",
        count=2,
    )

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("right")
            assert app.screen.query_one(WeekGrid).selected_id == series[0].id
            await pilot.press("g")
            await pilot.pause()
            return [n.message for n in app._notifications]

    messages = asyncio.run(scenario())
    assert any("in the future" in m for m in messages)
    assert services.items.list(client_id=alex) == []


def test_i_on_a_future_occurrence_says_so_without_asking(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service()
    series = services.calendar.add(
        client_ids=[alex],
        service_ids=[therapy],
        start=datetime(2026, 11, 26, 9, 0),
        repeat="weekly",
        count=2,
    )

    async def scenario() -> tuple[list[str], str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("right")
            assert app.screen.query_one(WeekGrid).selected_id == series[0].id
            await pilot.press("i")
            await pilot.pause()
            return [n.message for n in app._notifications], type(app.screen).__name__

    messages, screen = asyncio.run(scenario())
    assert screen == "CalendarScreen"  # no "did it take place?" question
    assert any("has not taken place yet" in m for m in messages)
    assert services.items.list(client_id=alex) == []
    assert services.calendar.get(series[0].id).status == "scheduled"


def test_status_keys_complete_cancel_and_no_show(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service()
    appt = practice.session([alex], [therapy], TODAY_10AM, complete=False)

    async def scenario() -> list[str]:
        app = make_app(services)
        statuses = []
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            for key in ("d", "x", "o", "d"):
                await pilot.press(key)
                await pilot.pause()
                statuses.append(services.calendar.get(appt).status)
        return statuses

    assert asyncio.run(scenario()) == ["completed", "cancelled", "no-show", "completed"]
    assert len(services.items.list(client_id=alex)) == 1


def test_group_session_invoices_the_chosen_attendee(services: Services, practice: Practice) -> None:
    jo = practice.client("Jo Mensah", "jo@example.com")
    kim = practice.client("Kim Nguyen", "kim@example.com")
    group = practice.service("60.00", name="Group therapy")
    practice.session([jo, kim], [group], TODAY_10AM, complete=True)

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")
            await pilot.pause()
            await pilot.press("down", "enter")  # the second attendee
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()

    asyncio.run(scenario())
    [invoice] = services.invoices.list()
    assert invoice.client_id == kim
    assert [i.invoice_number is None for i in services.items.list(client_id=jo)] == [True]


def test_the_invoice_dialog_bills_any_client_through_the_chooser(
    services: Services, practice: Practice
) -> None:
    child = practice.client("Sam Child", "sam@example.com")
    parent = practice.client("Pat Parent", "pat@example.com")
    practice.client("Kim Nguyen", "kim@example.com")
    appt = practice.session([child], [practice.service("90.00")], TODAY_10AM, complete=False)

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDialog))
            dialog = app.screen
            bill_to = dialog.query_one("#bill-to", Select)
            # Only the client and the way to the others: never every client of the practice.
            assert [str(prompt) for prompt, _ in bill_to._options] == [
                "Sam Child (this client)",
                "Another client…",
            ]
            assert "Sam Child (this client)" in str(bill_to.query_one("#label", Static).render())
            await pilot.press("b", "enter", "down", "enter")
            await until(pilot, lambda: bool(app.screen.query("#choose-filter")))
            await type_text(pilot, "pat")
            await pilot.press("enter")
            await until(pilot, lambda: app.screen is dialog)
            assert bill_to.value == parent
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))

    asyncio.run(scenario())
    [invoice] = services.invoices.list()
    assert invoice.client_id == parent
    assert [line.item_id for line in invoice.lines] == [
        i.id for i in services.items.list(client_id=child)
    ]
    assert services.calendar.get(appt).status == "completed"


def test_a_long_name_keeps_bill_to_on_one_line(services: Services, practice: Practice) -> None:
    name = "Maria Concetta Bartholomew-Fitzgerald"
    client = practice.client(name, "maria@example.com")
    practice.session([client], [practice.service("90.00")], TODAY_10AM, complete=False)

    async def scenario() -> tuple[int, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDialog))
            label = app.screen.query_one("#bill-to", Select).query_one("#label", Static)
            await until(pilot, lambda: "Maria" in str(label.render()))
            return label.size.height, label.render_line(0).text.rstrip()

    height, shown = asyncio.run(scenario())
    # A wrapped label made the Select two rows taller and moved the totals below it.
    assert height == 1
    assert shown.startswith("Maria Concetta") and shown.endswith("…")


def test_a_wide_name_keeps_the_week_columns_in_place(
    services: Services, practice: Practice
) -> None:
    # Each of these characters takes two cells of the terminal.
    wide = practice.client("王小明 高橋さくら", "wang@example.com")
    narrow = practice.client("Alex Rivera", "alex@example.com")
    therapy = practice.service()
    practice.session([wide], [therapy], TODAY_10AM, complete=False)
    practice.session([narrow], [therapy], datetime(2026, 11, 26, 10, 0), complete=False)

    async def scenario() -> list[tuple[int, int]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            grid = app.screen.query_one(WeekGrid)
            width = grid.size.width
            lines = [grid.render_line(y) for y in range(grid.size.height)]
            # Where Thursday's block begins, in cells, on each line that shows it.
            found = []
            for strip in lines:
                assert strip.cell_length == width
                text = "".join(segment.text for segment in strip)
                if "王" in text and "Alex" in text:
                    before = text[: text.index("Alex")]
                    found.append((cell_len(before), text.index("Alex")))
            return found

    found = asyncio.run(scenario())
    assert found, "both sessions share a line of the week"
    # Thursday's column starts at the same cell whatever Wednesday holds.
    assert len({cells for cells, _ in found}) == 1


def test_a_crowded_day_stays_in_its_column(services: Services, practice: Practice) -> None:
    therapy = practice.service()
    # Twelve sessions at once on Wednesday, more than its column holds side by side.
    for n in range(12):
        client = practice.client(f"Client {n:02d}", f"c{n}@example.com")
        practice.session([client], [therapy], TODAY_10AM, complete=False)
    thursday = practice.client("Alex Rivera", "alex@example.com")
    practice.session([thursday], [therapy], datetime(2026, 11, 26, 10, 0), complete=False)

    async def scenario() -> tuple[int, list[str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            grid = app.screen.query_one(WeekGrid)
            lines = [grid.render_line(y) for y in range(grid.size.height)]
            assert all(strip.cell_length == grid.size.width for strip in lines)
            return grid._day_width(), ["".join(s.text for s in strip) for strip in lines]

    day_width, texts = asyncio.run(scenario())
    thursday_column = 6 + 3 * day_width  # the gutter, then Monday to Wednesday
    assert {t.index("Alex") for t in texts if "Alex" in t} == {thursday_column}
    # Wednesday shows as many of its sessions as fit, each still saying when it starts.
    wednesday = [t[thursday_column - day_width : thursday_column] for t in texts]
    assert max(line.count("○ 10") for line in wednesday) == day_width // 6


def test_up_and_down_on_an_empty_day_reach_the_nearest_session(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service()
    monday = practice.session([alex], [therapy], datetime(2026, 11, 23, 10, 0))
    friday = practice.session([alex], [therapy], datetime(2026, 11, 27, 9, 0), complete=False)

    async def first_press(key: str) -> tuple[int | None, int | None]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            grid = app.screen.query_one(WeekGrid)
            before = grid.selected_id  # today, Wednesday, has none
            await pilot.press(key)
            return before, grid.selected_id

    assert asyncio.run(first_press("down")) == (None, friday)  # the next one
    assert asyncio.run(first_press("up")) == (None, monday)  # the one before


def test_week_navigation_and_day_view(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service()
    practice.session([alex], [therapy], datetime(2026, 12, 2, 11, 0), complete=False)

    async def scenario() -> tuple[str, str, bool]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            screen = app.screen
            assert isinstance(screen, CalendarScreen)
            await pilot.press("right_square_bracket")
            next_week = screen.monday.isoformat()
            await pilot.press("t")
            this_week = screen.monday.isoformat()
            await pilot.press("v")
            agenda_shown = bool(screen.query_one("#agenda").display)
        return next_week, this_week, agenda_shown

    assert asyncio.run(scenario()) == ("2026-11-30", "2026-11-23", True)


def test_every_calendar_action_is_in_the_command_palette(
    services: Services, practice: Practice
) -> None:
    practice.client()
    practice.service()

    async def scenario() -> set[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            return {c.title for c in app.get_system_commands(app.screen)}

    titles = asyncio.run(scenario())
    for binding in CalendarScreen.BINDINGS:
        assert binding.description in titles  # type: ignore[union-attr]
    assert {"Go to Clients", "Go to Invoices"} <= titles


def test_the_palette_reaches_other_screens_actions(services: Services, practice: Practice) -> None:
    practice.client()
    practice.service()

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            new_client = next(c for t, c in commands.items() if t.startswith("Clients: New"))
            new_client.callback()
            for _ in range(20):
                await pilot.pause()
            return type(app.screen).__name__

    assert asyncio.run(scenario()) == "ClientForm"


def test_n_books_a_session_from_the_keyboard(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.client("Sam Lee", "sam@example.com")
    therapy = practice.service()

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("n")
            await pilot.pause()
            await pilot.press(*"alex", "tab")  # filter, then into the list of clients
            await pilot.press("space")  # ticks the first one shown
            await pilot.press("tab")  # the services: the first is chosen already
            await pilot.press("tab", "ctrl+a", "ctrl+k", *"2026-11-26")
            await pilot.press("tab", "ctrl+a", "ctrl+k", *"13:00", "enter")
            await pilot.pause()
            assert type(app.screen).__name__ == "CalendarScreen"

    asyncio.run(scenario())
    [appt] = services.calendar.list()
    assert appt.client_ids == [alex]
    assert appt.service_ids == [therapy]
    assert appt.start == datetime(2026, 11, 26, 13, 0)
    assert appt.status == "scheduled"
