"""Co-pays and claims under Pilot: completing an insured session from the calendar splits it,
and the Claims screen submits, records payments and denials, exports and saves superbills."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable

from cp_tui.bootstrap import Services
from cp_tui.screens.claim_forms import ClaimPaymentForm, ReferenceForm
from cp_tui.screens.claims import ClaimsScreen
from cp_tui.screens.confirm import ConfirmScreen
from cp_tui.screens.reports import ReportsScreen
from tests.conftest import Practice
from tests.ui.helpers import SIZE, make_app, ready

TODAY_10AM = datetime(2026, 11, 25, 10, 0)


def test_completing_from_the_calendar_bills_the_copay_and_claims_the_rest(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.05", tax_rate="15")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay_percent="20")
    appt = practice.session([alex], [therapy], TODAY_10AM, complete=False)

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("d")  # done: the session is completed
            await pilot.pause()

    asyncio.run(scenario())
    assert services.calendar.get(appt).status == "completed"
    [item] = services.items.list(client_id=alex, uninvoiced=True)
    [claim] = services.insurance.claims()
    # 150.05 + 15% tax = 172.56; the co-pay is 20% of that, 34.51 half-up; Aetna has the rest.
    assert claim.charge == 17256
    assert item.total == claim.client_portion == 3451
    assert claim.amount == 17256 - 3451
    assert (claim.item_id, claim.status) == (item.id, "to_submit")
    # Invoicing the client bills the co-pay only.
    assert services.invoices.create(client_id=alex).total == 3451


async def _settle(pilot: object, app: object, screen_type: type, tries: int = 50) -> None:
    for _ in range(tries):
        await pilot.pause()  # type: ignore[attr-defined]
        if isinstance(app.screen, screen_type):  # type: ignore[attr-defined]
            return
    raise AssertionError(f"{screen_type.__name__} did not come up")


def _headings_and_ids(table: DataTable[object]) -> list[str]:
    """Each row's payer (a heading names it under Client) or claim id (first column)."""
    return [
        str(table.get_row_at(r)[0]) or str(table.get_row_at(r)[1]) for r in range(table.row_count)
    ]


def test_claims_screen_submits_pays_denies_exports(
    services: Services, practice: Practice, tmp_path: Path
) -> None:
    alex = practice.client()
    bo = practice.client(name="Bo Lind", email="bo@example.com")
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30")
    services.insurance.set_policy(bo, payer="Cigna", member_id="C1", copay="50")
    practice.session([alex], [therapy], datetime(2026, 11, 23, 10, 0))
    practice.session([alex], [therapy], datetime(2026, 11, 24, 10, 0))
    practice.session([bo], [therapy], datetime(2026, 11, 24, 11, 0))
    services.invoices.create(client_id=alex)  # the co-pays, so the superbill has lines
    aetna = [c.id for c in services.insurance.claims(payer="Aetna")]
    [cigna] = [c.id for c in services.insurance.claims(payer="Cigna")]
    seen: dict[str, object] = {}

    async def scenario() -> None:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("3", "a")
            await _settle(pilot, app, ReportsScreen)
            await pilot.press("c")
            await _settle(pilot, app, ClaimsScreen)
            screen = app.screen
            assert isinstance(screen, ClaimsScreen)
            table = screen.query_one("#claims-table", DataTable)
            # Aetna's heading, its two claims, Cigna's heading, its claim.
            seen["rows"] = _headings_and_ids(table)

            # On Aetna's heading, s submits both of its claims under one reference.
            await pilot.press("s")
            await _settle(pilot, app, ReferenceForm)
            await pilot.press(*"AET-77", "enter")
            await _settle(pilot, app, ClaimsScreen)

            # The first claim: Aetna paid 95.00 of 120.00; the rest goes to Alex.
            await pilot.press("down", "p")
            await _settle(pilot, app, ClaimPaymentForm)
            await pilot.press("end", *["backspace"] * 10, *"95.00", "enter")
            await _settle(pilot, app, ConfirmScreen)
            await pilot.press("y")
            await _settle(pilot, app, ClaimsScreen)

            # Cigna denies Bo's claim, and the practice writes it off.
            await pilot.press("down", "down", "down", "d")
            await _settle(pilot, app, ConfirmScreen)
            await pilot.press("y")
            for _ in range(10):
                await pilot.pause()
            await pilot.press("n")
            await _settle(pilot, app, ClaimsScreen)

            # The filter shows the submitted claim only; then export and the superbill.
            await pilot.press("f", "f")
            await pilot.pause()
            seen["submitted"] = _headings_and_ids(table)
            await pilot.press("f", "f", "f")  # back to all
            await pilot.pause()
            await pilot.press("e")
            # Bo's co-pay is not invoiced: no superbill for that day, and no empty PDF.
            await pilot.press("end", "b")
            for _ in range(20):
                await pilot.pause()
            await pilot.press("home", "down", "b")
            for _ in range(100):
                await pilot.pause()
                if list(services.documents.documents_dir.glob("*.pdf")):
                    break
            await pilot.press("escape")
            await _settle(pilot, app, ReportsScreen)

    asyncio.run(scenario())
    assert seen["rows"] == ["Aetna", str(aetna[0]), str(aetna[1]), "Cigna", str(cigna)]
    assert seen["submitted"] == ["Aetna", str(aetna[1])]

    first, second = (services.insurance.get(i) for i in aetna)
    assert (first.status, first.paid_amount, first.reference) == ("paid", 9500, "AET-77")
    assert first.rest_item_id is not None
    assert services.items.get(first.rest_item_id).total == 12000 - 9500
    assert (second.status, second.reference) == ("submitted", "AET-77")
    denied = services.insurance.get(cigna)
    assert (denied.status, denied.rest_item_id) == ("denied", None)
    # Written off: Bo owes only the co-pay.
    assert [i.total for i in services.items.list(client_id=bo, uninvoiced=True)] == [5000]

    [export] = services.documents.documents_dir.glob("claims-*.csv")
    assert export.stat().st_mode & 0o777 == 0o600
    with export.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["claim_id"], r["status"]) for r in rows] == [
        (str(aetna[0]), "paid"),
        (str(aetna[1]), "submitted"),
        (str(cigna), "denied"),
    ]
    [superbill] = services.documents.documents_dir.glob("*.pdf")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(superbill).pages)
    assert "Alex Rivera" in text and "90837" in text
    # One superbill for the claims submitted together: both days of service.
    assert "Nov 23, 2026" in text and "Nov 24, 2026" in text


def test_claims_are_in_the_palette(services: Services, practice: Practice) -> None:
    practice.client()

    async def scenario() -> str:
        app = make_app(services)
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            commands["Claims: the insurers' portions"].callback()
            await _settle(pilot, app, ClaimsScreen)
            titles = {c.title for c in app.get_system_commands(app.screen)}
            for binding in ClaimsScreen.BINDINGS:
                assert binding.description in titles  # type: ignore[union-attr]
            return type(app.screen).__name__

    assert asyncio.run(scenario()) == "ClaimsScreen"


def test_a_copay_invoice_shows_the_insurers_part_and_a_plain_one_does_not(
    services: Services, practice: Practice
) -> None:
    from textual.widgets import Static

    from cp_tui.screens.invoice_detail import InvoiceDetailScreen

    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="30.00")
    practice.session([alex], [therapy], TODAY_10AM)
    copay = services.invoices.create(client_id=alex).number
    bo = practice.client(name="Bo Brook", email="bo@example.com")
    practice.session([bo], [therapy], TODAY_10AM)
    plain = services.invoices.create(client_id=bo).number
    [claim] = services.insurance.on_invoice(copay)
    assert services.insurance.on_invoice(plain) == []

    async def scenario() -> list[tuple[bool, str]]:
        app = make_app(services)
        shown = []
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            for number in (copay, plain):
                detail = InvoiceDetailScreen(services, number)
                await app.push_screen(detail)
                await pilot.pause()
                section = detail.query_one("#invoice-claims", Static)
                shown.append((section.display, str(section.render())))
                detail.dismiss(None)
                await pilot.pause()
        return shown

    (copay_shown, copay_text), (plain_shown, _) = asyncio.run(scenario())
    assert copay_shown and not plain_shown
    assert f"Aetna: $120.00 of $150.00  to submit  (claim {claim.id})" in copay_text
