"""Names with square brackets are shown exactly as typed, and never break the app.

Textual reads ``[...]`` as markup in a str given to a Static, a notification, a
DataTable cell or a Select prompt. A client named ``Lou [/b] ...`` with a
session today used to stop cp-tui at every start (MarkupError), ``[/x]`` typed
into a number field crashed the form, and ``Jo [Jr] Smith`` lost its ``[Jr]``.
These tests drive the app on such a practice and read what is on screen.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._toast import Toast

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.appointment_detail import AppointmentDetail
from cp_tui.screens.calendar import CalendarScreen
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.client_form import ClientForm
from cp_tui.screens.clients import ClientsScreen
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoice_dialog import InvoiceDialog
from cp_tui.screens.line_form import LineForm
from cp_tui.screens.pick_client import PickClientScreen
from cp_tui.widgets.field import Field
from cp_tui.widgets.virtual_table import VirtualTable
from cp_tui.widgets.week_grid import WeekGrid
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

NAME = "Lou [/b] [bold]Test[/bold] [x]"  # 30 characters: fits every Name column
SERVICE = "Intake [/]"
TODAY_10AM = datetime(2026, 11, 25, 10, 0)
ROOT = Path(__file__).resolve().parents[2]

Check = Callable[[], bool]


def screen_text(app: CpTuiApp) -> str:
    """Every character on the screen, as the terminal would show it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def shown(widget: Widget) -> str:
    return str(widget.render())


async def until(pilot: Pilot[str | None], check: Check) -> None:
    for _ in range(200):
        await pilot.pause()
        if check():
            return
    raise AssertionError("the app never got there")


@pytest.fixture
def lou(services: Services, practice: Practice) -> int:
    """A client and a service with markup-like names, and their session today at 10."""
    client = practice.client(NAME, "lou@example.com")
    intake = practice.service("150.00", name=SERVICE)
    return practice.session([client], [intake], TODAY_10AM, complete=False)


def test_the_calendar_starts_and_shows_the_name_as_typed(services: Services, lou: int) -> None:
    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)  # used to stop here: MarkupError at every start
            screen = app.screen
            assert isinstance(screen, CalendarScreen)
            assert screen.query_one(WeekGrid).selected_id == lou
            detail = shown(screen.query_one("#calendar-detail", Static))
            assert detail == f"Wed 25 Nov  ○ 10:00-10:50  ·  {NAME}  ·  {SERVICE}"
            # The week's block is narrow: its first cells, brackets and all.
            assert NAME[:15] in screen_text(app)

            await pilot.press("v")  # the day's agenda: a full Clients column
            await pilot.pause()
            assert NAME in screen_text(app)
            assert SERVICE in screen_text(app)
            await pilot.press("v")
            await pilot.pause()

            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, AppointmentDetail))
            header = shown(app.screen.query_one("#appointment-header", Static))
            assert header.endswith(f"scheduled\n{NAME}"), header
            charges = app.screen.query_one("#charges", DataTable)
            row = [str(cell) for cell in charges.get_row_at(0)]
            assert row[:2] == [NAME, SERVICE]
            assert NAME in screen_text(app) and SERVICE in screen_text(app)

    asyncio.run(scenario())


def test_the_empty_week_hint_keeps_its_brackets(services: Services, practice: Practice) -> None:
    practice.service()  # a practice set up, with nothing booked

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            return shown(app.screen.query_one("#calendar-detail", Static))

    assert asyncio.run(scenario()) == "No appointment selected. n books one; [ and ] change week."


def test_invoicing_shows_the_name_as_typed_and_survives_markup_in_a_number(
    services: Services, lou: int
) -> None:
    seen: dict[str, str] = {}

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await ready(app, pilot)
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDialog))
            dialog = app.screen
            assert shown(dialog.query_one(".dialog-title", Static)) == f"New invoice · {NAME}"
            bill_to = dialog.query_one("#bill-to", Select)
            assert bill_to.value == services.calendar.get(lou).client_ids[0]
            text = screen_text(app)
            assert f"New invoice · {NAME}" in text
            assert NAME in text.split("Bill to", 1)[1]  # the Select shows the name
            assert SERVICE in text  # the item's description

            # e edits the line: markup typed into a number is a message, not a crash.
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, LineForm))
            form = app.screen
            assert SERVICE in shown(form.query_one(".dialog-title", Static))
            units = form.query_one("#input-units", Input)
            units.value = ""
            await pilot.press("left_square_bracket", "slash", "x", "right_square_bracket", "enter")
            await until(pilot, lambda: form.query_one("#field-units", Field).has_class("-invalid"))
            assert units.value == "[/x]"
            error = shown(form.query_one("#field-units .field-error", Static))
            assert "[/x]" in error, error
            assert "[/x]" in screen_text(app)
            assert app.screen is form
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, InvoiceDialog))

            await pilot.press("enter")  # creates the invoice
            await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))
            await until(pilot, lambda: bool(app.screen.query(Toast)))
            invoice = app.screen
            header = shown(invoice.query_one("#invoice-header", Static))
            assert NAME in header, header
            assert re.search(rf"25 Nov\s+{re.escape(SERVICE)} \(90837\)\s+1\s", screen_text(app))
            seen["notified"] = "\n".join(n.message for n in app._notifications)
            seen["toast"] = "\n".join(shown(t) for t in app.screen.query(Toast))
            seen["screen"] = screen_text(app)

    asyncio.run(scenario())
    [invoice] = services.invoices.list()
    assert f"{invoice.number} created for {NAME}: $150.00 due." in seen["notified"]
    assert NAME in seen["toast"]
    assert f"{invoice.number}   {NAME}" in seen["screen"]


def test_the_clients_list_and_the_client_screen_show_the_name_as_typed(
    services: Services, lou: int
) -> None:
    services.calendar.complete(lou)  # an uninvoiced item for the Billing tab

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("2")
            await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
            table = app.screen.query_one("#clients-table", VirtualTable)
            await until(pilot, lambda: table.row_count == 1)
            assert NAME in screen_text(app)

            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
            client = app.screen
            assert shown(client.query_one("#client-title", Static)).startswith(f"{NAME}\u2003·")
            assert re.search(rf"Name +{re.escape(NAME)} *\n", screen_text(app))  # Details

            await pilot.press("b")  # Billing: the Bill to list and the item
            await pilot.pause()
            bill_to = client.query_one("#bill-to", Select).query_one("#label", Static)
            assert shown(bill_to) == f"{NAME} (this client)"
            text = screen_text(app)
            assert f"  {NAME} … ▼" in text  # the Select: one line, "(this client)" cut short
            assert f"  {SERVICE} (90837)  " in text

            await pilot.press("d", "e")  # back to Details, where e edits the client
            await until(pilot, lambda: isinstance(app.screen, ClientForm))
            assert shown(app.screen.query_one(".dialog-title", Static)) == f"Edit {NAME}"
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))

            await pilot.press("x")  # the archive question names the client as typed
            await pilot.pause()
            assert f"Archive {NAME}?" in screen_text(app)

    asyncio.run(scenario())


def test_a_group_session_lists_its_attendees_as_typed(
    services: Services, practice: Practice
) -> None:
    jo = practice.client("Jo [Jr] Smith", "jo@example.com")
    kim = practice.client(NAME, "kim@example.com")
    group = practice.service("60.00", name=SERVICE)
    practice.session([jo, kim], [group], TODAY_10AM, complete=True)

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            assert "Jo [Jr] Smith, Lou [/b]" in shown(app.screen.query_one("#calendar-detail"))
            await pilot.press("i")
            await until(pilot, lambda: isinstance(app.screen, PickClientScreen))
            return screen_text(app)

    text = asyncio.run(scenario())
    assert "Jo [Jr] Smith" in text
    assert NAME in text


# -- what keeps it so -----------------------------------------------------------------------

UI_SOURCES = sorted(
    [
        *(ROOT / "cp_tui" / "screens").glob("*.py"),
        *(ROOT / "cp_tui" / "widgets").glob("*.py"),
        ROOT / "cp_tui" / "app.py",
    ]
)


def _calls_without_markup_false(names: set[str], *, method: bool) -> list[str]:
    found = []
    for path in UI_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if method and isinstance(func, ast.Attribute) else None
            if not method and isinstance(func, ast.Name):
                name = func.id
            if name not in names:
                continue
            markup = next((k.value for k in node.keywords if k.arg == "markup"), None)
            if not (isinstance(markup, ast.Constant) and markup.value is False):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_notification_is_plain_text() -> None:
    """Messages carry names and DomainError text, which may echo what was typed."""
    assert _calls_without_markup_false({"notify"}, method=True) == []


def test_every_static_and_label_is_plain_text() -> None:
    """Styled text is built as Content or rich Text, where a name stays a name."""
    assert _calls_without_markup_false({"Static", "Label"}, method=False) == []
