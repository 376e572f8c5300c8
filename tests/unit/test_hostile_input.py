"""Hostile input: hypothesis throws garbage at the services and the command line.

Whatever comes in (huge, negative, NaN, Infinity, unicode, overlong, SQL-like,
dates far away), a service either does the job or raises a DomainError with a
clear one-line message, and a refused call leaves the database as it was. The
command line answers garbage with exit 2 and one line on stderr.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from cp_tui.bootstrap import Services
from cp_tui.services.errors import DomainError
from tests.conftest import Practice

EXAMPLES = 50
TABLES = ("client", "service", "billing_item", "invoice", "payment", "credit_entry")

NASTY_NUMBERS = [
    "NaN",
    "nan",
    "sNaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "-1e999",
    "1e999999999",
    "1e-999999999",
    "9" * 400,
    "-" + "9" * 40,
    "1e30",
    "0.0000001",
    "-0",
    "0",
    "-150.00",
    "150.001",
    "1,5",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "１２３",  # full-width digits
    "",
    " ",
    "'; DROP TABLE client;--",
    "1; DELETE FROM invoice",
    "0x10",
    "\x00",
    "150.00\n",
]
NASTY_TEXT = [
    "",
    " ",
    "\t\n",
    "'; DROP TABLE client;--",
    "Robert'); DROP TABLE billing_item;--",
    "%s %d {0} {name}",
    "x" * 10_000,
    "é" * 5_000,
    "🦓" * 3_000,
    "\u202eevil",
    "a\x00b",
    "line\nbreak",
]

numbers = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.text(max_size=30),
)
texts = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300))
ids = st.one_of(
    st.sampled_from([0, -1, 2**31, 2**63 - 1, -(2**63)]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
dates = st.one_of(st.sampled_from([date(1, 1, 1), date(9999, 12, 31)]), st.dates())
datetimes = st.one_of(
    st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)]), st.datetimes()
)


def _dump(services: Services) -> dict[str, int]:
    with services.db.read() as session:
        return {
            table: int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }


def _attempt(services: Services, call: Callable[[], Any]) -> bool:
    """Run ``call``; True if it was done, False if refused cleanly (database unchanged)."""
    before = _dump(services)
    try:
        call()
    except DomainError as exc:
        message = str(exc)
        assert message.strip(), f"{type(exc).__name__} with an empty message"
        assert "\n" not in message, f"a multi-line message: {message!r}"
        assert _dump(services) == before, "a refused call changed the database"
        return False
    return True


def _stored_text(value: str, stored: str, limit: int) -> None:
    assert stored == value.strip()
    assert 0 < len(stored) <= limit


@given(name=texts, price=numbers, tax_rate=st.one_of(st.none(), numbers), code=texts)
@settings(max_examples=EXAMPLES)
def test_catalogue_add(services: Services, name: str, price: str, tax_rate: str, code: str) -> None:
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.catalogue.add(name=name, price=price, tax_rate=tax_rate, code=code)
        ),
    ):
        row = result[0]
        _stored_text(name, row.name, 200)
        assert 0 <= row.unit_price < 10**13
        assert 0 <= row.tax_rate <= 100


@given(
    description=texts,
    price=numbers,
    units=numbers,
    tax_rate=st.one_of(st.none(), numbers),
    on=st.one_of(st.none(), dates),
    client_id=st.one_of(st.none(), ids),
)
@settings(max_examples=EXAMPLES)
def test_items_add(
    services: Services,
    practice: Practice,
    description: str,
    price: str,
    units: str,
    tax_rate: str | None,
    on: date | None,
    client_id: int | None,
) -> None:
    client = client_id if client_id is not None else practice.client()
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.items.add(
                client_id=client,
                description=description,
                price=price,
                units=units,
                tax_rate=tax_rate,
                on=on,
            )
        ),
    ):
        row = result[0]
        _stored_text(description, row.description, 500)
        assert row.units > 0 and 0 <= row.unit_price < 10**13
        # What was stored reads back, and its totals fit a 64-bit column.
        again = services.items.get(row.id)
        assert again == row and abs(again.total) < 2**63


@given(
    item_id=st.one_of(st.none(), ids),
    units=st.one_of(st.none(), numbers),
    price=st.one_of(st.none(), numbers),
    tax_rate=st.one_of(st.none(), numbers),
    description=st.one_of(st.none(), texts),
)
@settings(max_examples=EXAMPLES)
def test_items_edit(
    services: Services,
    practice: Practice,
    item_id: int | None,
    units: str | None,
    price: str | None,
    tax_rate: str | None,
    description: str | None,
) -> None:
    if item_id is None:
        client = practice.client()
        item_id = services.items.add(client_id=client, description="Report", price="80.00").id
    before = services.items.get(item_id) if item_id > 0 and _exists(services, item_id) else None
    result: list[Any] = []
    done = _attempt(
        services,
        lambda: result.append(
            services.items.edit(
                item_id, units=units, price=price, tax_rate=tax_rate, description=description
            )
        ),
    )
    if done:
        assert services.items.get(item_id) == result[0]
        if description is not None:
            _stored_text(description, result[0].description, 500)
    elif before is not None:
        assert services.items.get(item_id) == before  # a refused edit changes nothing


def _exists(services: Services, item_id: int) -> bool:
    try:
        services.items.get(item_id)
    except DomainError:
        return False
    return True


@given(name=texts, email=texts, phone=texts, address=texts)
@settings(max_examples=EXAMPLES)
def test_clients_add(services: Services, name: str, email: str, phone: str, address: str) -> None:
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.clients.add(name=name, email=email, phone=phone, address=address)
        ),
    ):
        row = result[0]
        _stored_text(name, row.name, 200)
        assert len(row.email) <= 200 and len(row.phone) <= 50 and len(row.address) <= 500


@given(
    amount=numbers,
    reason=texts,
    tax_rate=st.one_of(st.none(), numbers),
    invoice=st.one_of(st.none(), texts),
)
@settings(max_examples=EXAMPLES)
def test_credits_add(
    services: Services,
    practice: Practice,
    amount: str,
    reason: str,
    tax_rate: str | None,
    invoice: str | None,
) -> None:
    client = practice.client()
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.credits.add(
                client_id=client,
                amount=amount,
                reason=reason,
                tax_rate=tax_rate,
                invoice_number=invoice,
            )
        ),
    ):
        assert -(10**13) < result[0].total < 0


@pytest.fixture
def an_invoice(services: Services, practice: Practice) -> str:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00")
    return services.invoices.create(client_id=client).number


@given(
    amount=numbers,
    method=st.one_of(st.sampled_from(["cash", "CARD ", "cheque"]), texts),
    reference=texts,
    received_on=st.one_of(st.none(), dates),
    number=st.one_of(st.none(), texts),
)
@settings(max_examples=EXAMPLES)
def test_payments_record(
    services: Services,
    an_invoice: str,
    amount: str,
    method: str,
    reference: str,
    received_on: date | None,
    number: str | None,
) -> None:
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.payments.record(
                number if number is not None else an_invoice,
                amount=amount,
                method=method,
                reference=reference,
                received_on=received_on,
            )
        ),
    ):
        assert result[0].amount_paid > 0


@given(
    start=datetimes,
    duration=st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63)),
    repeat=st.one_of(st.none(), st.sampled_from(["weekly", "fortnightly", "monthly"]), texts),
    count=st.one_of(st.none(), st.integers(min_value=-5, max_value=10**6)),
    until=st.one_of(st.none(), dates),
    notes=texts,
    client_id=st.one_of(st.none(), ids),
)
@settings(max_examples=EXAMPLES)
def test_calendar_add(
    services: Services,
    practice: Practice,
    start: datetime,
    duration: int | None,
    repeat: str | None,
    count: int | None,
    until: date | None,
    notes: str,
    client_id: int | None,
) -> None:
    client = client_id if client_id is not None else practice.client()
    service = practice.service()
    result: list[Any] = []
    if _attempt(
        services,
        lambda: result.append(
            services.calendar.add(
                client_ids=[client],
                service_ids=[service],
                start=start,
                duration_min=duration,
                repeat=repeat,
                count=count,
                until=until,
                notes=notes,
            )
        ),
    ):
        assert 1 <= len(result[0]) <= 1000


# -- the command line ---------------------------------------------------------------


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "CP_TUI_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "cp_tui", "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


GARBAGE: list[tuple[str, ...]] = [
    ("services", "add", "--name", "X", "--price", "NaN"),
    ("services", "add", "--name", "X", "--price", "1e999999999"),
    ("services", "add", "--name", "X" * 10_000, "--price", "150"),
    ("services", "add", "--name", "X", "--price", "150", "--duration", "99999999999999999999"),
    ("items", "edit", "99999999999999999999", "--units", "1"),
    ("items", "edit", "1", "--units", "1e30"),
    ("items", "add", "--client", "1", "--description", "x", "--price", "1", "--date", "0000-01-01"),
    ("clients", "add", "--name", "'; DROP TABLE client;--", "--email", "not an e-mail"),
    (
        "appointments",
        "add",
        "--client",
        "1",
        "--service",
        "1",
        "--start",
        "9999-12-31T23:00",
        "--repeat",
        "weekly",
        "--count",
        "5",
    ),
    ("payments", "record", "INV-0001", "--amount", "sNaN", "--method", "cash"),
]


@pytest.fixture(scope="module")
def cli_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("hostile") / "practice"
    for args in (
        ("clients", "add", "--name", "Alex Rivera"),
        ("services", "add", "--name", "Therapy", "--price", "150"),
        ("items", "add", "--client", "1", "--description", "Report", "--price", "80"),
        ("invoices", "create", "--client", "1"),
        ("items", "add", "--client", "1", "--description", "Letter", "--price", "20"),
    ):
        assert _cli(data_dir, *args).returncode == 0
    return data_dir


@pytest.mark.parametrize("args", GARBAGE, ids=lambda a: " ".join(a)[:60])
def test_the_command_line_refuses_garbage_in_one_line(
    cli_practice: Path, args: tuple[str, ...]
) -> None:
    before = _counts(cli_practice)
    done = _cli(cli_practice, *args)
    assert done.returncode == 2, (done.stdout, done.stderr[-2000:])
    assert done.stderr.count("\n") == 1 and done.stderr.strip(), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert _counts(cli_practice) == before


def _counts(data_dir: Path) -> dict[str, int]:
    with closing(sqlite3.connect(data_dir / "practice.db")) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
