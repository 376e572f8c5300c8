"""Settings: the e-mail server, test message, e-mail wording, documents and late window.

Driven by keys under Pilot; every check reads the database (or a real SMTP
server's inbox), never the screen alone.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from cp_tui.adapters.mailer import PASSWORD_ENV
from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.documents_form import DocumentsForm
from cp_tui.screens.mail_form import MailForm
from cp_tui.screens.settings import SettingsScreen
from cp_tui.screens.template_form import TemplateForm
from cp_tui.services.mail_templates import DEFAULT_TEMPLATES
from tests.conftest import Practice
from tests.integration.test_mail import FROM, Server, _start
from tests.ui.helpers import SIZE, make_app
from tests.ui.test_settings_setup import error_by, open_settings, type_into, until


@pytest.fixture(autouse=True)
def set_up(monkeypatch: pytest.MonkeyPatch, practice: Practice) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    practice.service()  # a practice with a catalogue opens on its screens, not first-run setup


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from _start()


async def settings_with_focus_off_the_fields(app: CpTuiApp, pilot: Pilot[object]) -> SettingsScreen:
    # Letters typed in a field are text; the screen's keys work from anywhere else.
    screen = await open_settings(app, pilot)
    screen.query_one("#settings-services").focus()
    await pilot.pause()
    return screen


def said(app: CpTuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def note(screen: SettingsScreen, part: str) -> str:
    return str(screen.query_one(f"#settings-{part}", Static).render())


def test_the_mail_form_saves_the_server_and_refuses_a_bad_address_by_its_field(
    services: Services, practice: Practice
) -> None:
    async def scenario() -> tuple[str, str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, MailForm))
            await type_into(app, pilot, "host", "smtp.harbour.example")
            await type_into(app, pilot, "from_addr", "not an address")
            await pilot.press("enter")
            await pilot.pause()
            refused = error_by(app, "from_addr")
            assert services.mail.settings().host == ""  # nothing saved yet
            # Security by keys alone: open the list, move to SSL, choose it.
            app.screen.query_one("#security", Select).focus()
            await pilot.press("enter", "down", "enter")
            await pilot.pause()
            port = app.screen.query_one("#input-port", Input).value
            await type_into(app, pilot, "user", "billing")
            await type_into(app, pilot, "from_addr", "billing@harbour.example")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            return refused, port, note(screen, "email")

    refused, port, shown = asyncio.run(scenario())
    assert "name@example.com" in refused
    assert port == "465"  # the usual port followed the security
    saved = services.mail.settings()
    assert (saved.host, saved.port, saved.security, saved.user, saved.from_addr) == (
        "smtp.harbour.example",
        465,
        "ssl",
        "billing",
        "billing@harbour.example",
    )
    assert "Sending through smtp.harbour.example:465 (ssl) as billing" in shown
    assert "Password: not found" in shown and "cp-tui mail password" in shown


def test_the_password_state_says_where_it_was_found(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.mail.configure(host="smtp.harbour.example", user="billing", from_addr=FROM)
    monkeypatch.setenv(PASSWORD_ENV, "right horse")

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, MailForm))
            return str(app.screen.query_one("#mail-password", Static).render())

    shown = asyncio.run(scenario())
    assert shown == f"Password: found in the {PASSWORD_ENV} environment variable."
    assert "right horse" not in shown


def test_send_test_mail_reaches_a_real_server_from_a_worker(
    services: Services, smtp: Server
) -> None:
    services.practice.update(name="Harbour Street Counselling")
    services.mail.configure(host="127.0.0.1", port=smtp.port, security="none", from_addr=FROM)

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("t")
            await until(pilot, lambda: len(smtp.inbox.messages) == 1)
            await until(pilot, lambda: any("Test message sent" in t for t in said(app)))
            return said(app)

    shown = asyncio.run(scenario())
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Harbour Street Counselling: cp-tui test message"
    assert message["To"] == FROM
    assert any(f"through 127.0.0.1:{smtp.port}" in text for text in shown)


def test_a_failed_test_mail_says_why(services: Services) -> None:
    services.mail.configure(host="127.0.0.1", port=9, security="none", from_addr=FROM)

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("t")
            await until(pilot, lambda: any("was not sent" in t for t in said(app)))
            return said(app)

    shown = asyncio.run(scenario())
    assert any("cannot reach 127.0.0.1:9" in text for text in shown)


def test_the_wording_form_edits_a_kind_refuses_unknown_placeholders_and_resets(
    services: Services,
) -> None:
    async def scenario() -> tuple[str, dict[str, str], dict[str, str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("w")
            await until(pilot, lambda: isinstance(app.screen, TemplateForm))
            form = app.screen
            # Receipts: choose the kind by keys (invoice, credit note, receipt).
            form.query_one("#template-kind", Select).focus()
            await pilot.press("enter", "down", "down", "enter")
            await until(pilot, lambda: form.query_one("#template-kind", Select).value == "receipt")
            await type_into(app, pilot, "subject", "Receipt {number} {colour}")
            await pilot.press("ctrl+s")
            await pilot.pause()
            refused = error_by(app, "subject")
            await type_into(app, pilot, "subject", "Thank you: receipt {number}")
            form.query_one("#template-body", TextArea).text = "Paid {amount} on {date}.\n"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            edited = services.mail.templates()["receipt"]
            await pilot.press("w")
            await until(pilot, lambda: isinstance(app.screen, TemplateForm))
            app.screen.query_one("#template-kind", Select).value = "receipt"
            await pilot.pause()
            await pilot.press("ctrl+r")
            await pilot.pause()
            return refused, edited, services.mail.templates()["receipt"]

    refused, edited, after_reset = asyncio.run(scenario())
    assert "unknown placeholder {colour}" in refused
    assert edited == {
        "subject": "Thank you: receipt {number}",
        "body": "Paid {amount} on {date}.\n",
    }
    assert after_reset == DEFAULT_TEMPLATES["receipt"]


def _png(path: Path) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 80), (20, 90, 160)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return out.getvalue()


def test_the_documents_form_sets_npi_locale_instructions_and_logo(
    services: Services, tmp_path: Path
) -> None:
    logo = _png(tmp_path / "logo.png")
    (tmp_path / "notes.txt").write_text("not a picture")

    async def scenario() -> tuple[str, str, str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, DocumentsForm))
            await type_into(app, pilot, "npi", "12345")
            await type_into(app, pilot, "locale", "xx_nowhere")
            await type_into(app, pilot, "logo", str(tmp_path / "notes.txt"))
            await pilot.press("ctrl+s")
            await pilot.pause()
            errors = (error_by(app, "npi"), error_by(app, "locale"), error_by(app, "logo"))
            assert services.documents.settings().npi == ""  # nothing saved
            await type_into(app, pilot, "npi", "1234567893")
            await type_into(app, pilot, "locale", "en_GB")
            await type_into(app, pilot, "logo", str(tmp_path / "logo.png"))
            app.screen.query_one("#documents-instructions", TextArea).text = "Sort code 12-34-56"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            return (*errors, note(screen, "documents"))

    npi_error, locale_error, logo_error, shown = asyncio.run(scenario())
    assert "10 digits" in npi_error
    assert "not a locale" in locale_error
    assert "not an image" in logo_error
    saved = services.documents.settings()
    assert (saved.npi, saved.locale, saved.payment_instructions) == (
        "1234567893",
        "en_GB",
        "Sort code 12-34-56",
    )
    with services.db.read() as session:
        from cp_tui.models import PracticeSettings

        row = session.get(PracticeSettings, 1)
        assert row is not None and row.logo == logo
    assert "logo PNG 200 x 80" in shown and "NPI 1234567893" in shown


def test_print_no_logo_removes_it(services: Services, tmp_path: Path) -> None:
    services.documents.set_logo(_png(tmp_path / "logo.png"))

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settings_with_focus_off_the_fields(app, pilot)
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, DocumentsForm))
            app.screen.query_one("#documents-no-logo").focus()
            await pilot.press("space", "ctrl+s")
            await until(pilot, lambda: app.screen is screen)

    asyncio.run(scenario())
    assert services.documents.settings().logo == ""


def test_the_late_cancellation_window_and_a_multi_line_address_are_saved(
    services: Services, practice: Practice
) -> None:
    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_settings(app, pilot)
            await type_into(app, pilot, "late_cancel_hours", "500")
            await pilot.press("ctrl+s")
            await pilot.pause()
            refused = error_by(app, "late_cancel_hours")
            assert services.fees.late_cancel_hours() == 24
            await type_into(app, pilot, "late_cancel_hours", "48")
            area = app.screen.query_one("#settings-address", TextArea)
            area.text = "14 Harbour Street\nPortland, ME 04101"
            await pilot.press("ctrl+s")
            await pilot.pause()
            return refused

    refused = asyncio.run(scenario())
    assert "0 to 168" in refused
    assert services.fees.late_cancel_hours() == 48
    # The address keeps its lines, as documents print them.
    assert services.practice.get().address == "14 Harbour Street\nPortland, ME 04101"


def test_every_settings_action_is_in_the_command_palette(services: Services) -> None:
    async def scenario() -> set[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_settings(app, pilot)
            return {c.title for c in app.get_system_commands(screen)}

    titles = asyncio.run(scenario())
    assert {"E-mail server", "Send test mail", "E-mail wording", "Documents"} <= titles
