"""Snapshots of the Settings screen on the demo practice: its top, and what is connected.

The data folder is shown relative to the home folder, which the test points at
its temporary folder, so the path reads ``~/practice`` on every machine. The
keyring is an empty one in memory and no secret is in the environment, so
Stripe and the SMTP password read the same everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Input

from cp_tui.bootstrap import Services
from cp_tui.screens.settings import SettingsScreen
from tests.integration.test_mail import MemoryKeyring
from tests.ui.helpers import SIZE, make_app, ready


@pytest.fixture
def stable_settings(
    demo_services: Services, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    monkeypatch.setenv("HOME", str(data_dir.parent))
    for name in ("STRIPE_API_KEY", "CP_TUI_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    s = demo_services
    s.mail.configure(
        host="smtp.harbourstreet.example",
        port=587,
        security="starttls",
        user="billing",
        from_addr="Harbour Street Counselling <billing@harbourstreet.example>",
    )
    s.documents.update_settings(npi="1234567893", payment_instructions="Sort code 12-34-56")
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 90, 160)).save(logo, format="PNG")
    s.documents.set_logo(logo.getvalue())
    try:
        yield s
    finally:
        keyring.set_keyring(previous)


def _snap(snap_compare: Any, services: Services, *, bottom: bool) -> bool:
    app = make_app(services)

    async def before(pilot: Pilot[object]) -> None:
        await ready(app, pilot)
        await pilot.press("4")
        for _ in range(100):
            await pilot.pause()
            if isinstance(app.screen, SettingsScreen):
                break
        screen = app.screen
        if bottom:
            screen.query_one("#settings-services").focus()
        for _ in range(5):
            await pilot.pause(0.05)
        if bottom:
            # After focus has scrolled the table into view, and the layout has settled.
            screen.query_one("#settings-body").scroll_end(animate=False)
            await pilot.pause(0.05)
        for field in screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return bool(snap_compare(app, terminal_size=SIZE, run_before=before))


def test_settings_practice_and_money(snap_compare: Any, stable_settings: Services) -> None:
    assert _snap(snap_compare, stable_settings, bottom=False)


def test_settings_mail_documents_and_data_folder(
    snap_compare: Any, stable_settings: Services
) -> None:
    assert _snap(snap_compare, stable_settings, bottom=True)
