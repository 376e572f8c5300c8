"""Settings (mode 4) and the first-run setup under Pilot, checked in the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import Input, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.calendar import CalendarScreen
from cp_tui.screens.service_form import ServiceForm
from cp_tui.screens.settings import SettingsScreen
from cp_tui.screens.settings_text import shown_database_url
from cp_tui.screens.setup import SetupScreen
from cp_tui.widgets.field import Field
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


def _keys(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


async def type_into(app: CpTuiApp, pilot: Pilot[object], name: str, text: str) -> None:
    app.screen.query_one(f"#input-{name}", Input).focus()
    await pilot.press("end", "ctrl+u", *_keys(text))


def error_by(app: CpTuiApp, name: str) -> str:
    field = app.screen.query_one(f"#field-{name}", Field)
    if not field.has_class("-invalid"):
        return ""
    return str(field.query_one(".field-error", Static).render())


async def open_settings(app: CpTuiApp, pilot: Pilot[object]) -> SettingsScreen:
    await ready(app, pilot)
    await pilot.press("4")
    await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


# -- settings ---------------------------------------------------------------------------


def test_settings_save_changes_the_practice(services: Services, practice: Practice) -> None:
    practice.client()
    practice.service()

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_settings(app, pilot)
            await type_into(app, pilot, "name", "Harbour Therapy")
            await type_into(app, pilot, "tax_rate", "7.5")
            await type_into(app, pilot, "payment_terms", "30")
            await type_into(app, pilot, "email", "desk@harbour.example")
            await pilot.press("ctrl+s")
            await pilot.pause()
            return app.sub_title

    sub_title = asyncio.run(scenario())
    saved = services.practice.get()
    assert saved.name == "Harbour Therapy"
    assert saved.default_tax_rate == Decimal("7.5")
    assert saved.payment_terms_days == 30
    assert saved.email == "desk@harbour.example"
    assert sub_title == "Harbour Therapy"


def test_settings_refuse_tax_150_by_the_field_and_keep_what_was_typed(
    services: Services, practice: Practice
) -> None:
    practice.client()
    practice.service()
    before = services.practice.get()

    async def scenario() -> tuple[str, str, str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_settings(app, pilot)
            await type_into(app, pilot, "name", "Renamed Practice")
            await type_into(app, pilot, "tax_rate", "150")
            await pilot.press("ctrl+s")
            await pilot.pause()
            typed = app.screen.query_one("#input-tax_rate", Input).value
            name = app.screen.query_one("#input-name", Input).value
            return error_by(app, "tax_rate"), error_by(app, "name"), typed, name

    tax_error, name_error, typed, name = asyncio.run(scenario())
    assert "0 to 100" in tax_error
    assert name_error == ""
    assert (typed, name) == ("150", "Renamed Practice")
    assert services.practice.get() == before  # nothing was saved


def test_settings_catalogue_add_and_edit_through_the_form(
    services: Services, practice: Practice
) -> None:
    practice.client()
    first = practice.service("150.00", name="Individual therapy")

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_settings(app, pilot)
            screen.query_one("#settings-services").focus()
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, ServiceForm))
            await type_into(app, pilot, "name", "Couples session")
            await type_into(app, pilot, "duration", "80")
            await type_into(app, pilot, "price", "abc")
            await pilot.press("enter")
            await pilot.pause()
            price_error = error_by(app, "price")
            await type_into(app, pilot, "price", "210.00")
            await pilot.press("enter")
            await until(pilot, lambda: app.screen is screen)
            # Sorted by name, "Individual therapy" is now the last row: edit it.
            await pilot.press("end", "enter")
            await until(pilot, lambda: isinstance(app.screen, ServiceForm))
            await type_into(app, pilot, "price", "160.00")
            await pilot.press("enter")
            await until(pilot, lambda: app.screen is screen)
            return price_error

    price_error = asyncio.run(scenario())
    assert price_error
    by_name = {s.name: s for s in services.catalogue.list()}
    assert by_name["Couples session"].unit_price == 21000
    assert by_name["Couples session"].duration_min == 80
    assert by_name["Individual therapy"].id == first
    assert by_name["Individual therapy"].unit_price == 16000


def test_settings_say_stripe_and_email_are_not_set_up_and_show_the_data_folder(
    services: Services, practice: Practice
) -> None:
    practice.client()
    practice.service()

    async def scenario() -> tuple[str, str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_settings(app, pilot)
            return tuple(  # type: ignore[return-value]
                str(screen.query_one(f"#settings-{part}", Static).render())
                for part in ("stripe", "email", "data")
            )

    stripe, email, data = asyncio.run(scenario())
    assert "Not connected" in stripe and "STRIPE_API_KEY" in stripe
    assert "cp-tui stripe login" in stripe
    assert "Not set up" in email and "SMTP" in email
    assert str(services.settings.data_dir) in data


def test_database_password_is_never_shown() -> None:
    shown = shown_database_url("postgresql+psycopg://cp:s3cret@db.example:5432/practice")
    assert "s3cret" not in shown
    assert "db.example:5432/practice" in shown


# -- first-run setup --------------------------------------------------------------------


def test_first_run_setup_saves_the_practice_and_its_first_service(services: Services) -> None:
    assert services.demo.is_empty() and services.catalogue.list() == []

    async def scenario() -> tuple[dict[str, str], object]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, SetupScreen))
            # Enter with nothing typed: every missing field says so by itself.
            await pilot.press("enter")
            await pilot.pause()
            errors = {n: error_by(app, n) for n in ("name", "service_name", "price")}
            await type_into(app, pilot, "name", "Harbour Therapy")
            await type_into(app, pilot, "currency", "eur")
            await type_into(app, pilot, "tax_rate", "0")
            await type_into(app, pilot, "service_name", "Individual therapy")
            await type_into(app, pilot, "price", "95.50")
            await type_into(app, pilot, "duration", "45")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, CalendarScreen))
            return errors, app.sub_title

    errors, sub_title = asyncio.run(scenario())
    assert all(errors.values()), errors
    practice = services.practice.get()
    assert (practice.name, practice.currency) == ("Harbour Therapy", "EUR")
    [service] = services.catalogue.list()
    assert (service.name, service.unit_price, service.duration_min) == (
        "Individual therapy",
        9550,
        45,
    )
    assert sub_title == "Harbour Therapy"


def test_setup_refuses_a_bad_price_and_keeps_every_value(services: Services) -> None:
    async def scenario() -> tuple[str, str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, SetupScreen))
            await type_into(app, pilot, "name", "Harbour Therapy")
            await type_into(app, pilot, "service_name", "Individual therapy")
            await type_into(app, pilot, "price", "12.345")
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            return (
                error_by(app, "price"),
                screen.query_one("#input-name", Input).value,
                screen.query_one("#input-price", Input).value,
            )

    price_error, name, price = asyncio.run(scenario())
    assert price_error
    assert (name, price) == ("Harbour Therapy", "12.345")
    assert services.catalogue.list() == []
    assert services.practice.get().name != "Harbour Therapy"


def test_setup_offers_the_demo_practice_instead(services: Services) -> None:
    async def scenario() -> object:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, SetupScreen))
            await pilot.press("ctrl+t")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(scenario()) == "demo"
    assert services.catalogue.list() == []  # the real practice is left untouched


def test_setup_demo_button_works_with_the_mouse(services: Services) -> None:
    async def scenario() -> object:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await until(pilot, lambda: isinstance(app.screen, SetupScreen))
            await pilot.click("#demo")
            await pilot.pause()
        return app.return_value

    assert asyncio.run(scenario()) == "demo"
