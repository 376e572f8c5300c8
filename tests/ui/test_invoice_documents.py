"""The invoice screen's f (save the PDF) and s (e-mail it) under Pilot.

The PDF and the e-mail are made in thread workers; the checks end on the disk,
on a real SMTP server on 127.0.0.1 and in the database.
"""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from tests.conftest import Practice
from tests.integration.test_mail import Server, an_invoice, configure, smtp  # noqa: F401
from tests.ui.helpers import SIZE, make_app, ready


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(300):
        await pilot.pause(0.01)
        if condition():
            return
    raise AssertionError("the app never got there")


def notes(app: CpTuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_detail(app: CpTuiApp, pilot: Pilot[object], number: str) -> None:
    await ready(app, pilot)
    assert app.services is not None
    app.push_screen(InvoiceDetailScreen(app.services, number))
    await until(pilot, lambda: isinstance(app.screen, InvoiceDetailScreen))


def test_f_saves_the_pdf_in_the_documents_folder(
    services: Services, practice: Practice, data_dir: Path
) -> None:
    number = an_invoice(services, practice)
    target = data_dir / "documents" / f"{number}.pdf"

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("f")
            await until(pilot, lambda: any("Saved" in n for n in notes(app)))
            return notes(app)

    shown = asyncio.run(scenario())
    assert f"Saved {number} to {target}" in shown
    assert target.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_s_e_mails_the_invoice_when_mail_is_set_up(
    services: Services,
    practice: Practice,
    smtp: Server,  # noqa: F811
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)

    async def scenario() -> tuple[str, list[str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = str(app.screen.question)  # type: ignore[attr-defined]
            await pilot.press("y")
            await until(pilot, lambda: any("e-mailed to" in n for n in notes(app)))
            return question, notes(app)

    question, shown = asyncio.run(scenario())
    assert f"E-mail invoice {number} ($175.06 due) to Alex Rivera <alex@example.com>" in question
    assert f"{number} e-mailed to alex@example.com." in shown
    assert len(smtp.inbox.messages) == 1
    assert services.invoices.get(number).sent is True


def test_s_without_mail_still_offers_to_mark_it_sent(
    services: Services, practice: Practice
) -> None:
    number = an_invoice(services, practice)

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = str(app.screen.question)  # type: ignore[attr-defined]
            await pilot.press("y")
            await until(pilot, lambda: services.invoices.get(number).sent)
            return question

    assert "E-mail sending is not set up yet" in asyncio.run(scenario())
