"""Hostile values in every field of every form, saved under Pilot.

Each form (new and edited client, service, appointment, invoice line, payment,
credit note, refund, practice settings, first-run setup, a claim's reference
and payment, insurance policy, documents, mail server, e-mail wording, package sale, a period's
statement or superbill, the statement run) is opened on a real practice;
hypothesis puts a hostile or a plausible value into each of its fields (and,
where a form asks for it, its text areas, choices and tick boxes) and the form
is saved. Whatever was typed: the app does not crash and no worker dies; a
form that stays open says why (a message by a field, in the form, or a
notification) and has written nothing; whatever was written passes every
check of ``cp-tui check``, is stored as typed, and a modal form that wrote
something has closed. A form that answers its caller (the claim forms) has
its answer used as the screen that opened it would use it.
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
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Select, SelectionList, Static, TextArea
from textual.worker import Worker, WorkerState

from cp_tui.app import CpTuiApp
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.money import from_minor, parse_decimal, to_minor
from cp_tui.screens.appointment_form import AppointmentForm
from cp_tui.screens.claim_forms import ClaimPaymentForm, ReferenceForm
from cp_tui.screens.client_form import ClientForm
from cp_tui.screens.credit_form import CreditForm
from cp_tui.screens.documents_form import DocumentsForm
from cp_tui.screens.line_form import LineForm
from cp_tui.screens.mail_form import MailForm
from cp_tui.screens.package_form import PackageForm
from cp_tui.screens.payment_form import PaymentForm
from cp_tui.screens.period_documents import PeriodDocumentsDialog
from cp_tui.screens.policy_form import PolicyForm
from cp_tui.screens.refund_form import RefundForm
from cp_tui.screens.service_form import ServiceForm
from cp_tui.screens.settings import SettingsScreen
from cp_tui.screens.setup import SetupScreen
from cp_tui.screens.statement_run import StatementRunScreen
from cp_tui.screens.template_form import TemplateForm
from cp_tui.services.catalogue import parse_price
from cp_tui.services.errors import DomainError
from cp_tui.services.insurance import ClaimRead
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.textfields import FIRST_YEAR, LAST_YEAR
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


Values = dict[str, str]  # what each field held when the form was saved, by name (or #id)


@dataclass(frozen=True)
class Form:
    """How to open one form on the practice, which button saves it, and what it keeps.

    ``save`` is a button, or an input that enter submits; several: one is drawn.
    ``apply`` does with the form's answer what the screen that opened it does.
    ``stored`` fails when what was accepted is not kept as typed. ``accepted``
    tells a form that stays open once it took the values (the statement run
    lists the period's clients) from one that refused them.
    """

    build: Callable[[Services], Screen[Any]]
    save: str | tuple[str, ...] = "#save"
    modal: bool = True
    every_widget: bool = False  # text areas, choices and tick boxes get drawn values too
    apply: Callable[[Services, Any, Any], object] | None = None
    stored: Callable[[Services, Any, Values], None] | None = None
    accepted: Callable[[Any, Values], bool] | None = None


ANN, BEN = 1, 2  # the practice's first clients (names change as the forms are fuzzed)
LINE = LineValues(Decimal(1), 15000, Decimal(15))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _claim(s: Services) -> ClaimRead:
    """Ann's claim still to submit: her insurer is sent a new session when none is left."""
    waiting = s.insurance.claims(status="to_submit")
    if waiting:
        return waiting[0]
    if not s.insurance.policies(ANN):
        s.insurance.set_policy(ANN, payer="Aetna", member_id="W1", copay="30")
    start = datetime(2026, 11, 2, 9, 0) + timedelta(days=len(s.insurance.claims()))
    therapy = s.catalogue.list()[0].id
    [session] = s.calendar.add(client_ids=[ANN], service_ids=[therapy], start=start)
    s.calendar.complete(session.id)
    return s.insurance.claims(status="to_submit")[0]


def _claim_payment(s: Services) -> ClaimPaymentForm:
    claim = _claim(s)
    return ClaimPaymentForm(claim.id, claim.payer, claim.amount, s.practice.get().currency)


def _pay_claim(s: Services, form: ClaimPaymentForm, amount: int) -> object:
    # The Claims screen bills the client what the insurer left unpaid, when asked to.
    return s.insurance.record_payment(
        form.claim_id, from_minor(amount, form.currency), move_rest=True
    )


def _claim_paid_as_typed(s: Services, form: ClaimPaymentForm, typed: Values) -> None:
    paid = s.insurance.get(form.claim_id)
    assert (paid.status, paid.paid_amount) == ("paid", to_minor(typed["amount"], form.currency))


def _reference_as_typed(s: Services, form: ReferenceForm, typed: Values) -> None:
    last = max(s.insurance.claims(status="submitted"), key=lambda c: c.id)
    assert last.reference == typed["reference"]


def _documents_as_typed(s: Services, form: DocumentsForm, typed: Values) -> None:
    d = s.documents.settings()
    instructions = typed["#documents-instructions"].replace("\\n", "\n").strip()
    assert (d.npi, d.locale, d.payment_instructions) == (
        typed["npi"],
        typed["locale"].replace("-", "_"),
        instructions,
    )
    if typed["#documents-no-logo"] == "True":
        assert d.logo == ""


def _mail_as_typed(s: Services, form: MailForm, typed: Values) -> None:
    m = s.mail.settings()
    assert (m.host, m.port, m.security, m.user, m.from_addr) == (
        typed["host"],
        int(typed["port"]),
        typed["#security"],
        typed["user"],
        typed["from_addr"],
    )
    assert m.ca_file == typed["ca_file"]  # only a blank one can be saved: no PEM file is typed
    assert len(m.host) <= 253  # the longest name DNS looks up


def _template_as_typed(s: Services, form: TemplateForm, typed: Values) -> None:
    wording = s.mail.templates()[typed["#template-kind"]]
    assert wording == {"subject": typed["subject"], "body": typed["#template-body"]}
    assert "\x00" not in wording["subject"] + wording["body"]
    EmailMessage()["Subject"] = wording["subject"]  # it can head an e-mail: one line


def _package_as_typed(s: Services, form: PackageForm, typed: Values) -> None:
    sold = s.packages.list(client_id=form.client_id)[-1]
    expires = _day(typed["expires"]) if typed["expires"] else None
    assert (sold.sessions, sold.price, sold.expires_on) == (
        int(typed["sessions"]),
        parse_price(typed["price"], s.practice.get().currency),
        expires,
    )
    assert sold.name == typed["name"] or not typed["name"]
    assert expires is None or FIRST_YEAR <= expires.year <= LAST_YEAR


def _policy_as_typed(s: Services, form: PolicyForm, typed: Values) -> None:
    policy = max(s.insurance.policies(form.client_id), key=lambda p: p.id)
    service = int(typed["#policy-service"]) or None
    assert (policy.payer, policy.member_id, policy.service_id) == (
        typed["payer"],
        typed["member_id"],
        service,
    )
    if typed["#policy-kind"] == "fixed":
        assert policy.copay_amount == parse_price(typed["copay"], s.practice.get().currency)
    else:
        assert policy.copay_percent == parse_decimal(typed["copay"], "percent")


def _period_listed(form: StatementRunScreen, typed: Values) -> bool:
    """The statement run took the period: it lists the clients for the dates typed."""
    plan = form.plan
    return plan is not None and (plan.start, plan.end) == (
        _day(typed["start"]),
        _day(typed["end"]),
    )


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
    "claim reference": Form(
        lambda s: ReferenceForm(f"claim {_claim(s).id} to Aetna"),
        apply=lambda s, form, reference: s.insurance.submit(
            [c.id for c in s.insurance.claims(status="to_submit")], reference
        ),
        stored=_reference_as_typed,
    ),
    "claim payment": Form(_claim_payment, apply=_pay_claim, stored=_claim_paid_as_typed),
    "documents": Form(lambda s: DocumentsForm(s), every_widget=True, stored=_documents_as_typed),
    "mail server": Form(lambda s: MailForm(s), every_widget=True, stored=_mail_as_typed),
    "e-mail wording": Form(lambda s: TemplateForm(s), every_widget=True, stored=_template_as_typed),
    "package sale": Form(
        lambda s: PackageForm(s, ANN), every_widget=True, stored=_package_as_typed
    ),
    "insurance policy": Form(
        lambda s: PolicyForm(s, ANN), every_widget=True, stored=_policy_as_typed
    ),
    "period documents": Form(
        lambda s: PeriodDocumentsDialog(s, ANN, "Ann Archer"),
        save=("#save-pdf", "#send"),
        every_widget=True,
    ),
    "statement run": Form(
        lambda s: StatementRunScreen(s), save="#input-end", accepted=_period_listed
    ),
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
            answers: list[Any] = []
            await app.push_screen(form, _answer(app, services, kind, form, answers))
            await pilot.pause()
            typed = await _fill_in(form, kind, data, pilot)
            values = _values(form)
            app._notifications.clear()
            before = _dump(db)
            workers = _spy_on_workers(form)
            await _save(form, kind, data, pilot)
            await _settle(pilot, workers)
            assert app.is_running, f"the app stopped after {typed!r}"
            for worker in workers:
                assert worker.state is not WorkerState.ERROR, (typed, worker.error)
            changed = _dump(db) != before
            still_open = form.is_attached and app.screen is form
            if changed:
                report = IntegrityService(services.db, services.clock).check()
                assert report.ok, (typed, report.findings)
                if kind.stored is not None:
                    kind.stored(services, form, values)
                if kind.modal:
                    assert not still_open, f"saved part of {typed!r} and stayed open"
            elif still_open:
                if kind.accepted is None or not kind.accepted(form, values):
                    assert _message_shown(app, form), f"refused {typed!r} without saying why"
            elif kind.apply is not None and answers != [None]:
                assert app._notifications, f"{typed!r} was answered, not used, and not told why"
            if form.is_attached and app.screen is form:
                if kind.modal:
                    form.dismiss(None)
                else:
                    app.pop_screen()
                await pilot.pause()


async def _fill_in(
    form: Screen[Any], kind: Form, data: st.DataObject, pilot: Pilot[Any]
) -> dict[str, str]:
    """Put drawn values into the form's fields (choices first: one may reload the others)."""
    typed: dict[str, str] = {}
    if kind.every_widget:
        for select in form.query(Select):
            options = [value for _label, value in select._options if value is not Select.NULL]
            select.value = data.draw(st.sampled_from(options), label=f"#{select.id}")
            typed[f"#{select.id}"] = str(select.value)
        for box in form.query(Checkbox):
            box.value = data.draw(st.booleans(), label=f"#{box.id}")
            typed[f"#{box.id}"] = str(box.value)
        await pilot.pause()
        for area in form.query(TextArea):
            if data.draw(st.booleans(), label=f"#{area.id} hostile"):
                area.text = typed[f"#{area.id}"] = data.draw(hostile, label=f"#{area.id}")
    for field in form.query(Field):
        if data.draw(st.booleans(), label=f"{field.field_name} hostile"):
            value = data.draw(hostile, label=field.field_name)
            field.query_one(Input).value = value
            typed[field.field_name] = value
    for chooser in form.query(SelectionList):
        chooser.select_all()  # every client and service there is, for the appointment
    await pilot.pause()
    return typed


def _values(form: Screen[Any]) -> Values:
    """What the form holds as it is saved: each field as its form reads it, by name or #id."""
    values: Values = {field.field_name: field.value for field in form.query(Field)}
    values |= {f"#{area.id}": area.text for area in form.query(TextArea)}
    values |= {f"#{select.id}": str(select.value) for select in form.query(Select)}
    values |= {f"#{box.id}": str(box.value) for box in form.query(Checkbox)}
    return values


async def _save(form: Screen[Any], kind: Form, data: st.DataObject, pilot: Pilot[Any]) -> None:
    saves = (kind.save,) if isinstance(kind.save, str) else kind.save
    save = saves[0] if len(saves) == 1 else data.draw(st.sampled_from(saves), label="save")
    widget = form.query_one(save)
    if isinstance(widget, Button):
        widget.press()
    else:
        widget.focus()
        await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def _answer(
    app: CpTuiApp, services: Services, kind: Form, form: Screen[Any], answers: list[Any]
) -> Callable[[Any], None]:
    """Use the form's answer as the screen that opened it does: a refusal is notified."""

    def answered(result: Any) -> None:
        answers.append(result)
        if kind.apply is not None and result is not None:
            try:
                kind.apply(services, form, result)
            except DomainError as exc:
                app.notify(str(exc), severity="error", markup=False)

    return answered


def _spy_on_workers(form: Screen[Any]) -> list[Worker[Any]]:
    """The workers the form starts from now on (a finished one leaves ``app.workers``)."""
    started: list[Worker[Any]] = []
    run_worker = form.run_worker

    def spy(*args: Any, **kwargs: Any) -> Worker[Any]:
        worker = run_worker(*args, **kwargs)
        started.append(worker)
        return worker

    form.run_worker = spy  # type: ignore[method-assign]
    return started


async def _settle(pilot: Pilot[Any], workers: list[Worker[Any]]) -> None:
    """Wait for the workers (a PDF, a sale) to finish and their messages to be handled."""
    for _ in range(600):
        if all(worker.is_finished for worker in workers):
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError(f"the form's work did not finish: {workers!r}")
    await pilot.pause()
    await pilot.pause()
