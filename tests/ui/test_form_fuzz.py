"""Hostile values in every field of every form, saved under Pilot.

Each form (new and edited client, service, appointment, invoice line, payment,
credit note, refund, practice settings, first-run setup) is opened on a real
practice; hypothesis puts a hostile or a plausible value into each of its
fields and the form is saved. Whatever was typed: the app does not crash; a
form that stays open says why (a message by a field, in the form, or a
notification) and has written nothing; whatever was written passes every
check of ``cp-tui check``, and a modal form that wrote something has closed.
A few examples per form keep this quick.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual.screen import Screen
from textual.widgets import Button, Input, SelectionList, Static

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.screens.appointment_form import AppointmentForm
from cp_tui.screens.client_form import ClientForm
from cp_tui.screens.credit_form import CreditForm
from cp_tui.screens.line_form import LineForm
from cp_tui.screens.payment_form import PaymentForm
from cp_tui.screens.refund_form import RefundForm
from cp_tui.screens.service_form import ServiceForm
from cp_tui.screens.settings import SettingsScreen
from cp_tui.screens.setup import SetupScreen
from cp_tui.services.integrity import IntegrityService
from cp_tui.widgets.field import Field
from cp_tui.widgets.item_picker import LineValues
from tests.conftest import FROZEN_NOW
from tests.ui.helpers import SIZE, ready
from tests.unit.test_backup import _fill
from tests.unit.test_hostile_input import NASTY_NUMBERS, NASTY_TEXT

ROUNDS = 2  # saves per app start

hostile = st.one_of(
    st.sampled_from(NASTY_NUMBERS + NASTY_TEXT),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(date.isoformat),
)


@dataclass(frozen=True)
class Form:
    """How to open one form on the practice, and which button saves it."""

    build: Callable[[Services], Screen[object]]
    save: str = "#save"
    modal: bool = True


ANN, BEN = 1, 2  # the practice's first clients (names change as the forms are fuzzed)
LINE = LineValues(Decimal(1), 15000, Decimal(15))

FORMS: dict[str, Form] = {
    "new client": Form(lambda s: ClientForm(s)),
    "edit client": Form(lambda s: ClientForm(s, s.clients.get(ANN))),
    "new service": Form(lambda s: ServiceForm(s, "USD")),
    "edit service": Form(lambda s: ServiceForm(s, "USD", s.catalogue.list()[0])),
    "appointment": Form(lambda s: AppointmentForm(s, date(2026, 11, 26))),
    "invoice line": Form(lambda s: LineForm("Line", LINE, "USD")),
    "payment": Form(lambda s: PaymentForm(s, s.invoices.get("INV-0002"))),
    "credit note": Form(
        lambda s: CreditForm(s, BEN, "Ben Brook", invoice=s.invoices.get("INV-0002"))
    ),
    "refund": Form(lambda s: RefundForm("INV-0001", 10_000, "USD")),
    "settings": Form(lambda s: SettingsScreen(s), save="#settings-save", modal=False),
    "first-run setup": Form(lambda s: SetupScreen(s)),
}


def _dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def _message_shown(app: CpTuiApp, form: Screen[object]) -> bool:
    """A message by a field, in the form, or a notification: the person is told why."""
    if any(field.has_class("-invalid") for field in form.query(Field)):
        return True
    for static in form.query(Static):
        if (static.has_class("dialog-error") or static.has_class("field-error")) and str(
            static.render()
        ).strip():
            return True
    return bool(app._notifications)


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    data_dir = tmp_path / "practice"
    s = build_services(resolve_settings(data_dir, environ={}), clock=FrozenClock(FROZEN_NOW))
    _fill(s)
    s.close()
    return data_dir


@pytest.mark.parametrize("name", list(FORMS))
def test_hostile_values_in_every_field(name: str, practice: Path) -> None:
    form_kind = FORMS[name]

    @settings(
        max_examples=2,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def attempt(data: st.DataObject) -> None:
        # Every example starts from the same practice, so a failure replays the same.
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "practice"
            shutil.copytree(practice, copy)
            services = build_services(
                resolve_settings(copy, environ={}), clock=FrozenClock(FROZEN_NOW)
            )
            try:
                asyncio.run(_rounds(services, form_kind, copy / DB_FILENAME, data))
            finally:
                services.close()

    attempt()


async def _rounds(services: Services, kind: Form, db: Path, data: st.DataObject) -> None:
    app = CpTuiApp(lambda: services)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        for _ in range(ROUNDS):
            form = kind.build(services)
            await app.push_screen(form)
            await pilot.pause()
            typed: dict[str, str] = {}
            for field in form.query(Field):
                if data.draw(st.booleans(), label=f"{field.field_name} hostile"):
                    value = data.draw(hostile, label=field.field_name)
                    field.query_one(Input).value = value
                    typed[field.field_name] = value
            for chooser in form.query(SelectionList):
                chooser.select_all()  # every client and service there is, for the appointment
            await pilot.pause()
            app._notifications.clear()
            before = _dump(db)
            form.query_one(kind.save, Button).press()
            await pilot.pause()
            await pilot.pause()
            assert app.is_running, f"the app stopped after {typed!r}"
            changed = _dump(db) != before
            still_open = form.is_attached and app.screen is form
            if changed:
                report = IntegrityService(services.db, services.clock).check()
                assert report.ok, (typed, report.findings)
                if kind.modal:
                    assert not still_open, f"saved part of {typed!r} and stayed open"
            elif still_open:
                assert _message_shown(app, form), f"refused {typed!r} without saying why"
            if form.is_attached and app.screen is form:
                if kind.modal:
                    form.dismiss(None)
                else:
                    app.pop_screen()
                await pilot.pause()
