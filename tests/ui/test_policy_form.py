"""Pilot tests of the insurance policy form opened from the client screen (y)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import Input, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services
from cp_tui.screens.client_detail import ClientDetailScreen
from cp_tui.screens.policy_form import PolicyForm
from tests.conftest import Practice
from tests.ui.test_clients import open_client, run, type_text, until


def details(app: CpTuiApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def open_form(app: CpTuiApp, pilot: Pilot[str | None], *, again: bool = False) -> PolicyForm:
    if not again:
        await open_client(app, pilot, "Alex")
    await pilot.press("y")
    await until(pilot, lambda: isinstance(app.screen, PolicyForm))
    form = app.screen
    assert isinstance(form, PolicyForm)
    return form


def test_a_fixed_copay_is_saved_and_splits_the_next_session(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service()

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_form(app, pilot)
        await type_text(pilot, "Aetna")
        await pilot.press("tab")
        await type_text(pilot, "W123")
        await pilot.press("tab", "tab")  # past the co-pay kind (fixed amount)
        await type_text(pilot, "30.00")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        (policy,) = services.insurance.policies(alex)
        assert (policy.payer, policy.member_id, policy.copay_kind) == ("Aetna", "W123", "fixed")
        assert (policy.copay_amount, policy.service_id) == (3000, None)
        assert "Aetna · member W123 · co-pay $30.00" in details(app)

    run(services, scenario)
    practice.session([alex], [therapy], datetime(2026, 11, 24, 10, 0))
    (claim,) = services.insurance.claims()
    assert (claim.client_id, claim.payer, claim.client_portion, claim.amount) == (
        alex,
        "Aetna",
        3000,
        12000,
    )


def test_a_percentage_for_one_service_is_chosen_from_the_keyboard(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.service(name="Intake")
    therapy = practice.service(name="Therapy")

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        await open_form(app, pilot)
        await type_text(pilot, "Blue Cross")
        await pilot.press("tab")
        await type_text(pilot, "BC9")
        await pilot.press("tab", "enter", "down", "enter")  # co-pay kind: percentage
        await pilot.press("tab")
        await type_text(pilot, "20")
        await pilot.press("tab", "enter", "down", "down", "enter")  # only Therapy
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ClientDetailScreen))
        (policy,) = services.insurance.policies(alex)
        assert (policy.copay_kind, policy.copay_percent) == ("percent", Decimal(20))
        assert (policy.copay_amount, policy.service_id) == (None, therapy)
        assert "Blue Cross · member BC9 · co-pay 20 % · for Therapy" in details(app)
        # Opened again, the form shows the policy it has.
        form = await open_form(app, pilot, again=True)
        assert form.query_one("#input-payer", Input).value == "Blue Cross"
        assert form.query_one("#input-copay", Input).value == "20"

    run(services, scenario)


def test_a_bad_amount_shows_by_its_field_and_stores_nothing(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    practice.service()

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        form = await open_form(app, pilot)
        await type_text(pilot, "Aetna")
        await pilot.press("tab")
        await type_text(pilot, "W123")
        await pilot.press("tab", "tab")
        await type_text(pilot, "3o.00")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#field-copay").has_class("-invalid")
        assert not form.query_one("#field-payer").has_class("-invalid")
        assert form.query_one("#input-copay", Input).value == "3o.00"
        assert form.query_one("#input-payer", Input).value == "Aetna"
        assert services.insurance.policies(alex) == []

    run(services, scenario)


def test_a_refusal_of_the_service_shows_in_the_form(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.service()

    async def scenario(app: CpTuiApp, pilot: Pilot[str | None]) -> None:
        form = await open_form(app, pilot)
        form.query_one("#input-payer", Input).value = "A" * 201  # longer than a payer can be
        await pilot.press("tab")
        await type_text(pilot, "W123")
        await pilot.press("tab", "tab")
        await type_text(pilot, "30")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        error = str(form.query_one("#policy-error", Static).render())
        assert "at most 200 characters" in error
        assert services.insurance.policies(alex) == []

    run(services, scenario)
