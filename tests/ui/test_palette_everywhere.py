"""Every key in sight is also a command of the palette, on every screen and dialog.

The palette (ctrl+p) offers what the footer shows, and also the bindings of the
focused widget (the item list's Tick, All/none, Edit line), each once, run on the
widget that owns it, with keys written as the footer writes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.calendar import CalendarScreen
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.clients import ClientsScreen
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoice_dialog import InvoiceDialog
from cp_tui.widgets.item_picker import ItemPicker
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

MONDAY = datetime(2026, 11, 23, 10, 0)
TUESDAY = datetime(2026, 11, 24, 10, 0)

Opener = Callable[[CpTuiApp, Pilot[object]], Awaitable[Screen[object]]]


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


async def pushed(app: CpTuiApp, pilot: Pilot[object], screen: Screen[object]) -> Screen[object]:
    app.push_screen(screen)
    await until(pilot, lambda: app.screen is screen and screen.focused is not None)
    return screen


async def open_palette(app: CpTuiApp, pilot: Pilot[object]) -> Screen[object]:
    """Opens the palette on the current screen; returns the screen it was opened on."""
    screen = app.screen
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette))
    return screen


def in_sight(screen: Screen[object]) -> list[Binding]:
    """The footer's bindings, and the shown ones of the focused widget and its containers."""
    shown = [a.binding for a in screen.active_bindings.values() if a.binding.show]
    focused = screen.focused
    if focused is not None:
        for node in focused.ancestors_with_self:
            if node is screen:
                break
            shown += [b for _, b in node._bindings if b.show and b.description]
    return shown


def missing_from(commands: list[SystemCommand], bindings: list[Binding]) -> list[str]:
    titles = {c.title for c in commands}
    return [
        b.description
        for b in bindings
        if b.description not in titles and f"Go to {b.description}" not in titles
    ]


def test_every_key_in_sight_is_a_palette_command(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    practice.session([alex], [therapy], MONDAY)
    number = services.invoices.create(client_id=alex).number
    practice.session([alex], [therapy], TUESDAY)  # uninvoiced: the Billing tab and dialog

    async def clients(app: CpTuiApp, pilot: Pilot[object]) -> Screen[object]:
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
        await pilot.pause()
        return app.screen

    async def calendar(app: CpTuiApp, pilot: Pilot[object]) -> Screen[object]:
        await pilot.press("1")
        await until(pilot, lambda: isinstance(app.screen, CalendarScreen))
        return app.screen

    places: dict[str, Opener] = {
        "calendar": calendar,
        "clients": clients,
        "billing tab": lambda app, pilot: pushed(
            app, pilot, ClientDetailScreen(services, alex, tab="billing")
        ),
        "invoice dialog": lambda app, pilot: pushed(app, pilot, InvoiceDialog(services, alex)),
        "invoice": lambda app, pilot: pushed(app, pilot, InvoiceDetailScreen(services, number)),
    }

    async def scenario() -> dict[str, tuple[list[str], list[str], list[str], str]]:
        app = make_app(services)
        seen: dict[str, tuple[list[str], list[str], list[str], str]] = {}
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            for place, opener in places.items():
                screen = await opener(app, pilot)
                assert await open_palette(app, pilot) is screen
                commands = list(app.get_system_commands(screen))
                titles = [c.title for c in commands]
                seen[place] = (
                    missing_from(commands, in_sight(screen)),
                    [t for t in titles if titles.count(t) > 1],
                    titles,
                    # As the palette shows them: its hints are read as markup.
                    "\n".join(Content.from_markup(c.help).plain for c in commands),
                )
                await pilot.press("escape")  # closes the palette
                await until(pilot, lambda s=screen: app.screen is s)
                if place not in ("calendar", "clients"):
                    app.pop_screen()
                    await pilot.pause()
        return seen

    seen = asyncio.run(scenario())
    for place, (missing, duplicated, titles, helps) in seen.items():
        assert missing == [], f"on the {place}, not in the palette: {missing}"
        assert duplicated == [], f"on the {place}, twice in the palette: {duplicated}"
        # Navigation and Textual's own hidden bindings stay out.
        for internal in ("Cursor up", "Up", "Down", "Earlier", "Focus Next", "Page up"):
            assert internal not in titles, f"{internal} in the palette on the {place}"
        for raw in ("square_bracket", "question_mark", "key "):
            assert raw not in helps, f"{raw!r} in the palette's hints on the {place}"
    for place in ("billing tab", "invoice dialog"):
        assert {"Tick", "All/none", "Edit line"} <= set(seen[place][2])
    assert "Edit client" in seen["billing tab"][2]  # the screen's e, behind the list's
    # A dialog holds the keyboard until it is answered: no going elsewhere from it.
    assert "Go to Clients" in seen["calendar"][2] and "Go to Clients" in seen["invoice"][2]
    assert "Invoices: Search" in seen["clients"][2]
    for elsewhere in ("Go to Clients", "Go to Calendar", "Invoices: Search"):
        assert elsewhere not in seen["invoice dialog"][2], f"{elsewhere} in the dialog's palette"
    assert not any(t.startswith("Batch run") for t in seen["invoice dialog"][2])
    calendar_hints = seen["calendar"][3]
    assert "Key ] on the Calendar screen" not in calendar_hints  # its own keys, unprefixed
    assert "Key ]" in calendar_hints and "Key [" in calendar_hints


def test_tick_from_the_palette_ticks_the_item(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    practice.session([alex], [therapy], MONDAY)
    practice.session([alex], [therapy], TUESDAY)

    async def tick_by_palette(app: CpTuiApp, pilot: Pilot[object]) -> set[int]:
        picker = app.screen.query_one(ItemPicker)
        before = set(picker.ticked)
        screen = await open_palette(app, pilot)
        await pilot.press(*"tick", "enter")
        await until(pilot, lambda: app.screen is screen and picker.ticked != before)
        return picker.ticked ^ before

    async def scenario() -> tuple[set[int], set[int], list[int]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pushed(app, pilot, ClientDetailScreen(services, alex, tab="billing"))
            on_tab = await tick_by_palette(app, pilot)
            app.pop_screen()
            await pilot.pause()
            await pushed(app, pilot, InvoiceDialog(services, alex))
            picker = app.screen.query_one(ItemPicker)
            in_dialog = await tick_by_palette(app, pilot)
            return on_tab, in_dialog, [i.id for i in picker.items]

    on_tab, in_dialog, items = asyncio.run(scenario())
    # The item under the cursor, the first: ticked on the tab, unticked in the dialog
    # (which opens with every item ticked).
    assert on_tab == {items[0]}
    assert in_dialog == {items[0]}
