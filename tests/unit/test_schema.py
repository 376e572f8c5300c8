"""The schema the migrations build is the one the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Integer, text
from sqlmodel import SQLModel

import cp_tui.models  # noqa: F401  (registers every table)
from cp_tui.bootstrap import Services
from cp_tui.services.errors import InvalidInput, NotFound
from tests.conftest import Practice


def _same_integer_on_sqlite(
    context: MigrationContext,
    _inspected_column: Any,
    _metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    """SQLite keeps every integer in up to 8 bytes: INTEGER and BIGINT are one type there."""
    if (
        context.dialect.name == "sqlite"
        and isinstance(inspected_type, Integer)
        and isinstance(metadata_type, Integer)
    ):
        return False
    return None  # Alembic's own comparison


def test_migrated_schema_matches_the_models(services: Services) -> None:
    with services.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _same_integer_on_sqlite})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_money_beyond_32_bits_is_kept_to_the_minor_unit(
    services: Services, practice: Practice
) -> None:
    """A price of 30,000,000.00 (3e9 minor units: COP or IDR reach it) is stored exactly."""
    client = practice.client()
    service = services.catalogue.add(name="Assessment", price="30000000.00", tax_rate="0")
    services.items.add(client_id=client, description="Assessment", price="30000000.00")
    invoice = services.invoices.create(client_id=client)
    assert service.unit_price == invoice.total == 3_000_000_000
    with services.db.read() as session:
        tally = session.execute(
            text("SELECT sum(total) FROM invoice_tally WHERE kind = 'invoice'")
        ).scalar_one()
    assert int(tally) == 3_000_000_000


def test_a_nul_character_is_refused_by_name_and_nothing_is_stored(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    before = services.clients.get(client)
    for attempt in (
        lambda: services.clients.add(name="Lou\x00 Reed"),
        lambda: services.items.add(client_id=client, description="Report\x00", price="80.00"),
        lambda: services.insurance.set_policy(
            client, payer="Aet\x00na", member_id="W1", copay="30.00"
        ),
    ):
        try:
            attempt()
        except InvalidInput as exc:
            assert "NUL character" in str(exc) and "remove it" in str(exc)
        else:
            raise AssertionError("a NUL character was stored")
    assert services.clients.get(client) == before
    assert services.insurance.policies(client, include_inactive=True) == []


def test_looking_for_text_with_a_nul_finds_nothing_on_either_database(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="80.00")
    number = services.invoices.create(client_id=client).number or ""
    with pytest.raises(NotFound):
        services.payments.record(number + "\x00", amount="10.00", method="cash")
    assert services.clients.list(search="Alex\x00") == []
    assert services.invoices.page(search="INV\x00") == []
    assert services.invoices.summary(search="Alex\x00").count == 0
    assert services.invoices.get(number).amount_paid == 0
