"""Superbill codes from the forms: a client's date of birth and ICD-10, a service's place."""

from __future__ import annotations

import asyncio
from datetime import date

from textual.pilot import Pilot
from textual.widgets import Input

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.client_form import ClientForm
from cp_tui.screens.service_form import ServiceForm
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app
from tests.ui.test_clients import open_client, run, until
from tests.ui.test_settings_setup import error_by, open_settings


def test_the_client_form_keeps_date_of_birth_and_diagnosis_codes(
    services: Services, practice: Practice
) -> None:
    practice.service()
    alex = practice.client()

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ClientForm))
        form = app.screen
        form.query_one("#input-date_of_birth", Input).value = "1899-12-31"
        form.query_one("#input-diagnosis_codes", Input).value = "F41.1, banana"
        form.query_one("#input-phone", Input).value = "555-0199"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a plausible date of birth" in error_by(app, "date_of_birth")
        assert "'BANANA' is not an ICD-10 code" in error_by(app, "diagnosis_codes")
        assert services.clients.get(alex).phone == ""  # nothing saved, not even the phone
        form.query_one("#input-date_of_birth", Input).value = "1988-04-02"
        form.query_one("#input-diagnosis_codes", Input).value = "f41.1; F32.0"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        # Opening the form again shows what was saved.
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ClientForm))
        shown = app.screen.query_one("#input-diagnosis_codes", Input).value
        assert shown == "F41.1, F32.0"

    run(services, scenario)
    codes = services.documents.client_codes(alex)
    assert codes.date_of_birth == date(1988, 4, 2)
    assert codes.diagnosis_codes == ["F41.1", "F32.0"]
    assert services.clients.get(alex).phone == "555-0199"


def test_emptying_the_date_of_birth_forgets_it(services: Services, practice: Practice) -> None:
    practice.service()
    alex = practice.client()
    services.documents.set_client_codes(alex, date_of_birth=date(1988, 4, 2))

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_client(app, pilot, "Alex")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ClientForm))
        born = app.screen.query_one("#input-date_of_birth", Input)
        assert born.value == "1988-04-02"
        born.value = ""
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))

    run(services, scenario)
    assert services.documents.client_codes(alex).date_of_birth is None


def test_the_service_form_keeps_the_place_of_service(
    services: Services, practice: Practice
) -> None:
    practice.client()
    therapy = practice.service()

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_settings(app, pilot)
            screen.query_one("#settings-services").focus()
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ServiceForm))
            app.screen.query_one("#input-place_of_service", Input).value = "1"
            await pilot.press("ctrl+s")
            await pilot.pause()
            refused = error_by(app, "place_of_service")
            assert services.documents.place_of_service(therapy) == ""
            app.screen.query_one("#input-place_of_service", Input).value = "02"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            return refused

    refused = asyncio.run(scenario())
    assert "two-digit CMS code" in refused
    assert services.documents.place_of_service(therapy) == "02"
