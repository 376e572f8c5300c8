"""Receipts from the invoice screen (t), statements and superbills from a client (s).

The work runs in the dialogs' thread workers; each test reads the written PDF
back with pypdf, or the message a real SMTP server on 127.0.0.1 received.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.period_documents import PeriodDocumentsDialog, last_month
from cp_tui.screens.receipt_dialog import ReceiptDialog
from tests.conftest import Practice
from tests.integration.test_mail import (  # noqa: F401
    Server,
    an_invoice,
    attachment,
    configure,
    pdf_text,
    smtp,
)
from tests.ui.helpers import SIZE, make_app, ready
from tests.ui.test_invoice_documents import notes, open_detail, until
from tests.unit.test_pdf import amounts, line_with, lines_of

NOVEMBER = ("2026-11-01", "2026-11-30")


def paid_twice(services: Services, practice: Practice) -> tuple[str, list[int]]:
    number = an_invoice(services, practice)  # 175.06
    services.payments.record(number, amount="100.00", method="transfer", reference="T-1")
    paid = services.payments.record(number, amount="50.00", method="cash")
    return number, [p.id for p in paid.payments]


def test_t_saves_the_receipt_of_the_chosen_payment(
    services: Services, practice: Practice, data_dir: Path
) -> None:
    number, (first, second) = paid_twice(services, practice)

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, ReceiptDialog))
            await pilot.press("up", "f")  # the newest is chosen first: go to the older one
            await until(pilot, lambda: any("Saved" in n for n in notes(app)))
            return notes(app)

    shown = asyncio.run(scenario())
    target = data_dir / "documents" / f"R-{first:04d}.pdf"
    assert f"Saved Receipt R-{first:04d} to {target}" in shown
    lines = lines_of(target.read_bytes())
    receipt = services.documents.receipt(first)
    assert amounts(line_with(lines, "Amount received")) == [receipt.amount] == [10000]
    assert amounts(line_with(lines, f"Still due on {number}")) == [receipt.amount_due] == [7506]
    assert not (data_dir / "documents" / f"R-{second:04d}.pdf").exists()


def test_t_e_mails_the_receipt_to_the_client(
    services: Services,
    practice: Practice,
    smtp: Server,  # noqa: F811
) -> None:
    configure(services, smtp)
    number, (_first, second) = paid_twice(services, practice)

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, ReceiptDialog))
            await pilot.press("s")
            await until(pilot, lambda: any("e-mailed" in n for n in notes(app)))
            return notes(app)

    shown = asyncio.run(scenario())
    assert "Receipt e-mailed to alex@example.com." in shown
    [message] = smtp.inbox.messages
    name, content = attachment(message)
    assert name == f"R-{second:04d}.pdf"
    text = pdf_text(content)
    assert f"R-{second:04d}" in text and "$50.00" in text


def test_a_receipt_that_cannot_be_sent_says_why_and_keeps_the_dialog_open(
    services: Services, practice: Practice
) -> None:
    number, _payments = paid_twice(services, practice)  # no mail server set up

    async def scenario() -> tuple[bool, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, ReceiptDialog))
            dialog = app.screen
            await pilot.press("s")
            error = dialog.query_one("#receipt-error", Static)
            await until(pilot, lambda: bool(str(error.render()).strip()))
            return app.screen is dialog and not dialog.busy, str(error.render())

    still_open, error = asyncio.run(scenario())
    assert still_open
    assert "e-mail is not set up: `cp-tui mail set --host" in error


def test_t_without_payments_says_how_to_record_one(services: Services, practice: Practice) -> None:
    number = an_invoice(services, practice)

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await open_detail(app, pilot, number)
            await pilot.press("t")
            await until(pilot, lambda: any("no payments" in n for n in notes(app)))
            assert not isinstance(app.screen, ReceiptDialog)
            return notes(app)

    assert f"{number} has no payments yet: m records one." in asyncio.run(scenario())


async def period_dialog(app: CpTuiApp, pilot: Pilot[object], client: int) -> None:
    await ready(app, pilot)
    assert app.services is not None
    app.push_screen(ClientDetailScreen(app.services, client))
    await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
    await pilot.press("f")
    await until(pilot, lambda: isinstance(app.screen, PeriodDocumentsDialog))


async def choose(app: CpTuiApp, pilot: Pilot[object], kind: str, start: str, end: str) -> None:
    dialog = app.screen
    select = dialog.query_one("#period-kind", Select)
    select.focus()
    if kind == "superbill":
        await pilot.press("enter", "down", "enter")  # by keys, as a person would
    await until(pilot, lambda: select.value == kind)
    dialog.query_one("#input-start", Input).value = start
    dialog.query_one("#input-end", Input).value = end
    await pilot.pause()


def test_s_on_a_client_saves_a_statement_for_the_period(
    services: Services, practice: Practice, data_dir: Path
) -> None:
    number = an_invoice(services, practice)
    services.payments.record(number, amount="75.06", method="cash")
    client = services.invoices.get(number).client_id

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await period_dialog(app, pilot, client)
            await choose(app, pilot, "statement", *NOVEMBER)
            app.screen.query_one("#input-end", Input).focus()
            await pilot.press("enter")  # enter in a field saves the PDF
            await until(pilot, lambda: any("Saved" in n for n in notes(app)))
            return notes(app)

    shown = asyncio.run(scenario())
    target = data_dir / "documents" / f"statement-{client}-2026-11-01-2026-11-30.pdf"
    assert f"Saved Statement of account to {target}" in shown
    lines = lines_of(target.read_bytes())
    owed = services.clients.get(client).balance_due
    assert amounts(line_with(lines, "Closing balance")) == [owed] == [10000]


def test_s_on_a_client_saves_and_e_mails_a_superbill(
    services: Services,
    practice: Practice,
    data_dir: Path,
    smtp: Server,  # noqa: F811
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)
    services.payments.record(number, amount="100.00", method="card")
    client = services.invoices.get(number).client_id
    expected = services.documents.superbill(client, date(2026, 11, 1), date(2026, 11, 30))

    async def scenario() -> list[str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await period_dialog(app, pilot, client)
            await choose(app, pilot, "superbill", *NOVEMBER)
            app.screen.query_one("#period-kind", Select).focus()
            await pilot.press("f")
            await until(pilot, lambda: any("Saved" in n for n in notes(app)))
            await pilot.press("f")
            await until(pilot, lambda: isinstance(app.screen, PeriodDocumentsDialog))
            await choose(app, pilot, "superbill", *NOVEMBER)
            await pilot.press("s")
            await until(pilot, lambda: any("e-mailed" in n for n in notes(app)))
            return notes(app)

    shown = asyncio.run(scenario())
    target = data_dir / "documents" / f"superbill-{client}-2026-11-01-2026-11-30.pdf"
    assert f"Saved Superbill to {target}" in shown
    lines = lines_of(target.read_bytes())
    assert amounts(line_with(lines, "Total fees")) == [expected.total_fees] == [17506]
    assert amounts(line_with(lines, "Total paid")) == [expected.total_paid] == [10000]
    assert "Superbill e-mailed to alex@example.com." in shown
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Harbour Street Counselling: superbill Nov 1, 2026 to Nov 30, 2026"
    _name, content = attachment(message)
    assert content == target.read_bytes()  # the same document, byte for byte


def test_a_bad_period_is_refused_by_its_field_and_nothing_is_written(
    services: Services, practice: Practice, data_dir: Path
) -> None:
    number = an_invoice(services, practice)
    client = services.invoices.get(number).client_id

    async def scenario() -> tuple[str, str]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await period_dialog(app, pilot, client)
            await choose(app, pilot, "statement", "2026-11-30", "2026-11-01")
            app.screen.query_one("#input-end", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            ends_first = _error(app, "end")
            await choose(app, pilot, "statement", "last tuesday", "2026-11-30")
            app.screen.query_one("#input-end", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            return ends_first, _error(app, "start")

    ends_first, not_a_date = asyncio.run(scenario())
    assert ends_first == "the period ends before it starts"
    assert "'last tuesday' is not a date; use YYYY-MM-DD" in not_a_date
    assert not (data_dir / "documents").exists()


def _error(app: CpTuiApp, name: str) -> str:
    from textual.widgets import Static

    from cp_tui.widgets.field import Field

    field = app.screen.query_one(f"#field-{name}", Field)
    return (
        str(field.query_one(".field-error", Static).render()) if field.has_class("-invalid") else ""
    )


def test_the_period_offered_first_is_last_month() -> None:
    assert last_month(date(2026, 11, 25)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_month(date(2026, 1, 3)) == (date(2025, 12, 1), date(2025, 12, 31))
