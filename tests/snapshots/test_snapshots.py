"""Snapshots of each screen and dialog on the demo practice, frozen at Wed 25 Nov 2026 14:00.

Update them on purpose with `pytest tests/snapshots --snapshot-update`, then look
at the SVGs before committing.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from cp_tui.bootstrap import Services
from tests.ui.helpers import SIZE, make_app, ready


def _snap(snap_compare: Any, services: Services, *keys: str, mode: str = "calendar") -> bool:
    app = make_app(services)

    async def before(pilot: Pilot[object]) -> None:
        await ready(app, pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        # A loaded machine may still be mounting a dialog's lists: let it settle.
        for _ in range(5):
            await pilot.pause(0.05)
        await pilot.wait_for_scheduled_animations()
        # A blinking text cursor is on or off depending on the moment: hold it still.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=SIZE, run_before=before))


def test_calendar_week(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services)


def test_calendar_day_agenda(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "v")


def test_appointment_detail(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "enter")


def test_invoice_dialog_for_a_completed_session(snap_compare: Any, demo_services: Services) -> None:
    # Monday 15:00: Francesca's completed session with a report, not yet invoiced.
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i")


def test_invoice_detail_after_creation(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i", "enter")


def test_new_appointment_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "n")


def test_clients_list(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2")


def test_client_billing_tab(snap_compare: Any, demo_services: Services) -> None:
    # Francesca Moretti: a completed session and a report not yet invoiced.
    assert _snap(
        snap_compare, demo_services, "2", "slash", "f", "r", "a", "n", "enter", "enter", "b"
    )


def test_invoices_list(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "3")


def test_payment_form(snap_compare: Any, demo_services: Services) -> None:
    # Beatrice Okafor's newest unpaid invoice, found by search, then m.
    keys = ("3", "slash", "o", "k", "a", "f", "o", "r", "enter", "enter", "m")
    assert _snap(snap_compare, demo_services, *keys)


def test_first_run_setup(snap_compare: Any, services: Services) -> None:
    app = make_app(services)

    async def before(pilot: Pilot[object]) -> None:
        for _ in range(200):
            await pilot.pause()
            if type(app.screen).__name__ == "SetupScreen":
                break
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_client_details_tab(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "enter")


def test_credit_note_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "2", "enter", "r")


def test_line_edit_form(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "down", "down", "i", "e")


def test_recurring_session_confirm(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "left", "left", "i")


def test_reports_screen(snap_compare: Any, demo_services: Services) -> None:
    assert _snap(snap_compare, demo_services, "3", "a")


def test_claims_screen(snap_compare: Any, demo_services: Services) -> None:
    # Francesca's two uninvoiced items are insured; Chen's policy is a percentage.
    services = demo_services
    services.insurance.set_policy(6, payer="Aetna", member_id="W123", copay="30")
    services.insurance.set_policy(3, payer="Blue Cross", member_id="BC9", copay_percent="20")
    claims = [
        services.insurance.split(i.id).claim.id
        for i in services.items.list(client_id=6, uninvoiced=True)
    ]
    services.insurance.submit(claims[:1], "AET-1")
    chen = services.items.add(client_id=3, description="Individual therapy", price="150")
    services.insurance.split(chen.id)
    assert _snap(snap_compare, services, "3", "a", "c")
