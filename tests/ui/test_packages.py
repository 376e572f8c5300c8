"""Session packages under Pilot: sessions left on the client screen and the appointment."""

from __future__ import annotations

import asyncio
from datetime import datetime

from textual.widgets import Static

from cp_tui.bootstrap import Services
from cp_tui.screens.appointment_detail import AppointmentDetail
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.package_form import PackageForm
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready


def test_sessions_left_show_on_the_client_and_the_appointment(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=3, service_ids=[therapy], price="400")
    appt = practice.session([alex], [therapy], datetime(2026, 11, 24, 10, 0))

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(ClientDetailScreen(services, alex))
            await pilot.pause()
            title = str(app.screen.query_one("#client-title", Static).render())
            assert "Package: 2 sessions left" in title
            app.pop_screen()
            await pilot.pause()
            await app.push_screen(AppointmentDetail(services, appt))
            await pilot.pause()
            hint = str(app.screen.query_one("#appointment-hint", Static).render())
            assert f"covered by package {sale.package.id}" in hint
            assert "session 1 of 3" in hint
            assert "2 package sessions left" in hint

    asyncio.run(scenario())


def test_sell_a_package_from_the_client_screen_then_draw_from_the_calendar(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00", name="Individual therapy")
    practice.service("60.00", name="Workshop")
    appt = practice.session([alex], [therapy], datetime(2026, 11, 25, 10, 0), complete=False)
    seen: dict[str, str] = {}

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await app.push_screen(ClientDetailScreen(services, alex))
            await pilot.pause()
            await pilot.press("s")
            for _ in range(20):
                await pilot.pause()
                if isinstance(app.screen, PackageForm):
                    break
            assert isinstance(app.screen, PackageForm)
            await pilot.press("end", "backspace", "backspace", "3", "tab", *"400", "tab")
            await pilot.press("space")  # tick the first service, Individual therapy
            await pilot.press("shift+tab", "enter")
            for _ in range(100):
                await pilot.pause()
                if isinstance(app.screen, ClientDetailScreen):
                    break
            assert isinstance(app.screen, ClientDetailScreen)
            await pilot.pause()
            seen["title"] = str(app.screen.query_one("#client-title", Static).render())
            app.pop_screen()
            await pilot.pause()
            await pilot.press("d")  # the session is done: the package covers it
            await pilot.pause()

    asyncio.run(scenario())
    assert "Package: 3 sessions left" in seen["title"]
    [package] = services.packages.list(client_id=alex)
    assert (package.sessions, package.price, package.service_ids) == (3, 40000, [therapy])
    assert (package.used, package.left) == (1, 2)
    assert services.invoices.get(package.invoice_number or "").total == 40000
    assert services.calendar.get(appt).status == "completed"
    [item] = services.items.list(client_id=alex, uninvoiced=True)
    assert item.total == 0
