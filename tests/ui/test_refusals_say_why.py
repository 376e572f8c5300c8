"""A key the invoice's state refuses says why, instead of doing nothing.

On a credit note, a void invoice, a paid invoice and a draft, every refused key
leaves a warning that names the document and the reason, opens nothing, and
changes nothing in the database. The footer dims a refused key (or leaves out
another kind's, a draft's on an issued invoice); the palette lists it with why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from textual.pilot import Pilot

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.invoice_detail import InvoiceDetailScreen
from cp_tui.screens.invoice_dialog import InvoiceDialog
from cp_tui.services.secrets import NOT_CONNECTED
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

MONDAY = datetime(2026, 11, 23, 10, 0)

# The keys each document refuses: payment, pay now, link, edit, credit, use credit,
# void, receipt, send, issue, delete draft.
REFUSED = {
    "credit note": ["m", "p", "l", "e", "r", "c", "v", "t", "i", "x"],
    "void": ["m", "p", "l", "e", "r", "c", "v", "t", "s", "i", "x"],
    "paid": ["m", "p", "l", "e", "c", "v", "i", "x"],
    "draft": ["m", "p", "l", "r", "c", "v", "t", "s"],
}


async def until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the app never got there")


def documents(services: Services, practice: Practice) -> dict[str, str]:
    """A credit note, a void invoice, a paid invoice and a draft of one client."""
    alex = practice.client()
    therapy = practice.service("150.00")
    numbers: dict[str, str] = {}
    for day, kind in enumerate(["void", "paid", "draft"]):
        practice.session([alex], [therapy], MONDAY.replace(day=23 + day))
        numbers[kind] = services.invoices.create(client_id=alex, draft=kind == "draft").number
    services.invoices.void(numbers["void"])
    services.payments.record(numbers["paid"], amount="150.00", method="cash")
    numbers["credit note"] = services.credits.add(
        client_id=alex, amount="20.00", reason="Goodwill"
    ).number
    return numbers


def state(services: Services, numbers: dict[str, str]) -> object:
    """Everything a refused key could have changed: documents, history, credit, items."""
    client = services.invoices.get(numbers["paid"]).client_id
    return (
        [services.invoices.get(n) for n in numbers.values()],
        [services.invoices.history(n) for n in numbers.values()],
        services.credits.ledger(client),
        services.items.list(client_id=client),
        services.invoices.summary(),
    )


async def press_refused(
    app: CpTuiApp, pilot: Pilot[object], services: Services, number: str, keys: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """Open ``number`` and press each key: what each one notified."""
    detail = InvoiceDetailScreen(services, number)
    app.push_screen(detail)
    await until(pilot, lambda: app.screen is detail and detail.invoice is not None)
    said: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        app.clear_notifications()
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is detail, f"{key} on {number} opened {type(app.screen).__name__}"
        said[key] = [(n.message, n.severity) for n in app._notifications]
    detail.dismiss(None)
    await pilot.pause()
    return said


def test_every_refused_key_says_why_and_changes_nothing(
    services: Services, practice: Practice
) -> None:
    numbers = documents(services, practice)
    before = state(services, numbers)

    async def scenario() -> dict[str, dict[str, list[tuple[str, str]]]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            return {
                kind: await press_refused(app, pilot, services, numbers[kind], keys)
                for kind, keys in REFUSED.items()
            }

    said = asyncio.run(scenario())
    for kind, by_key in said.items():
        number = numbers[kind]
        for key, notes in by_key.items():
            assert len(notes) == 1, f"{key} on the {kind} {number} said {notes}"
            message, severity = notes[0]
            assert severity == "warning"
            assert message.startswith(number), f"{key} on the {kind}: {message!r}"
            assert len(message) > len(number) + 10  # a reason, not just the number
    assert state(services, numbers) == before


def test_the_footer_dims_a_refused_key_and_leaves_out_another_kinds(
    services: Services, practice: Practice
) -> None:
    numbers = documents(services, practice)

    async def scenario() -> dict[str, dict[str, bool]]:
        app = make_app(services)
        seen: dict[str, dict[str, bool]] = {}
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            for kind in ("credit note", "draft"):
                detail = InvoiceDetailScreen(services, numbers[kind])
                app.push_screen(detail)
                await until(pilot, lambda d=detail: app.screen is d and d.invoice is not None)
                seen[kind] = {
                    active.binding.action: active.enabled
                    for active in detail.active_bindings.values()
                }
                detail.dismiss(None)
                await pilot.pause()
        return seen

    seen = asyncio.run(scenario())
    note, draft = seen["credit note"], seen["draft"]
    assert note["send"] and note["pdf"]
    assert not note["manual_payment"] and not note["void"] and not note["edit"]
    assert "issue" not in note and "discard" not in note
    assert draft["issue"] and draft["discard"] and draft["edit"]
    assert "manual_payment" not in draft and "void" not in draft


def test_the_palette_lists_a_refused_action_with_its_reason(
    services: Services, practice: Practice
) -> None:
    numbers = documents(services, practice)
    before = state(services, numbers)

    async def scenario() -> tuple[str, list[str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            detail = InvoiceDetailScreen(services, numbers["credit note"])
            app.push_screen(detail)
            await until(pilot, lambda: app.screen is detail and detail.invoice is not None)
            void = next(c for c in app.get_system_commands(detail) if c.title == "Void")
            app.clear_notifications()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"void", "enter")
            await until(pilot, lambda: app.screen is detail and len(app._notifications) > 0)
            return void.help, [n.message for n in app._notifications]

    help_text, said = asyncio.run(scenario())
    assert "Not now:" in help_text and numbers["credit note"] in help_text
    assert said == [
        f"{numbers['credit note']} is a credit note; it is not voided, its credit "
        "may be spent already."
    ]
    assert state(services, numbers) == before


def test_use_credit_in_the_invoice_dialog_says_there_is_none(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], MONDAY)

    async def scenario() -> list[tuple[str, str]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            app.push_screen(InvoiceDialog(services, alex))
            await until(pilot, lambda: isinstance(app.screen, InvoiceDialog))
            app.clear_notifications()
            await pilot.press("u")
            await pilot.pause()
            return [(n.message, n.severity) for n in app._notifications]

    assert asyncio.run(scenario()) == [
        ("There is no credit balance to apply for this payer.", "warning")
    ]


def test_without_stripe_pay_now_and_link_say_how_to_connect_it(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")], MONDAY)
    number = services.invoices.create(client_id=alex).number
    before = services.invoices.get(number)

    async def scenario() -> dict[str, list[tuple[str, str]]]:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            return await press_refused(app, pilot, services, number, ["p", "l"])

    said = asyncio.run(scenario())
    assert said["p"] == said["l"] == [(NOT_CONNECTED, "warning")]  # one notice, no "Making…"
    assert "cp-tui stripe login" in NOT_CONNECTED and "by hand (m)" in NOT_CONNECTED
    assert services.invoices.get(number) == before
