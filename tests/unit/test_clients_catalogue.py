"""Clients and their balances, the services catalogue, and the practice settings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import col, select

from cp_tui.bootstrap import Services
from cp_tui.models import AuditEntry
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from tests.conftest import Practice

TUE = datetime(2026, 11, 24, 10, 0)

# -- clients ------------------------------------------------------------------------


def test_add_client_keeps_what_was_typed(services: Services) -> None:
    client = services.clients.add(
        name="  Alex Rivera ", email=" alex@example.com ", phone=" 021 555 ", address="1 Main St"
    )

    assert (client.name, client.email, client.phone, client.address) == (
        "Alex Rivera",
        "alex@example.com",
        "021 555",
        "1 Main St",
    )
    assert (client.credit_balance, client.balance_due, client.uninvoiced_total) == (0, 0, 0)
    assert client.archived is False
    assert services.clients.get(client.id) == client
    assert services.clients.add(name="No Email").email == ""


@pytest.mark.parametrize(
    "email", ["alex", "alex@example", "@example.com", "alex@", "al ex@example.com", "a@@b.com"]
)
def test_bad_email_is_refused(services: Services, practice: Practice, email: str) -> None:
    with pytest.raises(InvalidInput, match="e-mail"):
        services.clients.add(name="Alex", email=email)
    alex = practice.client()
    with pytest.raises(InvalidInput, match="e-mail"):
        services.clients.update(alex, email=email)

    assert [(c.name, c.email) for c in services.clients.list()] == [
        ("Alex Rivera", "alex@example.com")
    ]


def test_client_name_is_required(services: Services, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="name"):
        services.clients.add(name="   ")
    alex = practice.client()
    with pytest.raises(InvalidInput, match="name"):
        services.clients.update(alex, name="")
    with pytest.raises(NotFound, match="no client with id 999"):
        services.clients.update(999, name="Ghost")
    assert services.clients.get(alex).name == "Alex Rivera"


def test_update_client(services: Services, practice: Practice) -> None:
    alex = practice.client()

    updated = services.clients.update(alex, email="ALEX@new.example.org", phone="123")

    assert (updated.name, updated.email, updated.phone) == (
        "Alex Rivera",
        "ALEX@new.example.org",
        "123",
    )
    assert services.clients.get(alex).email == "ALEX@new.example.org"


def test_search_by_name_or_email(services: Services, practice: Practice) -> None:
    alex = practice.client("Alex Rivera", "alex@example.com")
    sam = practice.client("Sam Chen", "sam.chen@work.org")
    bea = practice.client("beatrice Alexander", "bea@example.com")

    def found(text: str) -> list[int]:
        return [c.id for c in services.clients.list(search=text)]

    assert found("") == [alex, bea, sam]  # by name, ignoring case
    assert found("alex") == [alex, bea]
    assert found("RIVERA") == [alex]
    assert found("work.org") == [sam]
    assert found("example.com") == [alex, bea]
    assert found("nobody") == []
    services.clients.remove(sam)
    assert found("sam") == []


def test_balances(services: Services, practice: Practice) -> None:
    alex, sam = practice.client(), practice.client("Sam", "sam@example.com")
    service = practice.service("90.00", tax_rate="10")
    practice.session([alex], [service], datetime(2026, 11, 23, 10, 0))
    number = services.invoices.create(client_id=alex).number  # 99.00
    services.payments.record(number, amount="30.00", method="cash")
    practice.session([alex, sam], [service], TUE)  # 99.00 each, uninvoiced
    services.items.add(client_id=alex, description="Letter", price="20.00")
    services.credits.add(client_id=alex, amount="15.00", reason="Goodwill")
    practice.session([sam], [service], datetime(2026, 11, 20, 9, 0))
    early = services.items.list(client_id=sam)[0]  # the 20 November session
    voided = services.invoices.create(client_id=sam, item_ids=[early.id])
    services.invoices.void(voided.number)

    a = services.clients.get(alex)
    assert (a.credit_balance, a.balance_due, a.uninvoiced_total) == (1500, 6900, 11900)
    s = services.clients.get(sam)
    assert (s.credit_balance, s.balance_due, s.uninvoiced_total) == (0, 0, 19800)
    listed = {c.id: c for c in services.clients.list()}
    assert listed == {alex: a, sam: s}

    services.invoices.apply_credit(number)
    a = services.clients.get(alex)
    assert (a.credit_balance, a.balance_due, a.uninvoiced_total) == (0, 5400, 11900)


# -- the services catalogue ---------------------------------------------------------


def test_add_service(services: Services) -> None:
    service = services.catalogue.add(
        name=" Individual therapy ", price="150.00", tax_rate="15", duration_min=53, code="90837"
    )

    assert (service.name, service.code, service.duration_min) == (
        "Individual therapy",
        "90837",
        53,
    )
    assert (service.unit_price, service.tax_rate, service.active) == (15000, Decimal(15), True)
    assert services.catalogue.get(service.id) == service


def test_service_tax_rate_defaults_to_the_practice_rate(services: Services) -> None:
    services.practice.update(default_tax_rate="12.5")

    service = services.catalogue.add(name="Consult", price="80")

    assert (service.unit_price, service.tax_rate) == (8000, Decimal("12.5"))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"price": "-1.00"}, "negative"),
        ({"price": "150.001"}, "decimal places"),
        ({"price": "lots"}, "number"),
        ({"tax_rate": "100.01"}, "0 to 100"),
        ({"tax_rate": "-1"}, "0 to 100"),
        ({"duration_min": 0}, "duration"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_service_input_is_refused(
    services: Services, changes: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"name": "Therapy", "price": "150.00", "tax_rate": "0"}
    with pytest.raises(InvalidInput, match=match):
        services.catalogue.add(**{**args, **changes})  # type: ignore[arg-type]
    service = services.catalogue.add(name="Therapy", price="150.00")
    with pytest.raises(InvalidInput, match=match):
        services.catalogue.update(service.id, **changes)  # type: ignore[arg-type]

    assert services.catalogue.list() == [service]


def test_tax_of_exactly_100_and_0_are_accepted(services: Services) -> None:
    full = services.catalogue.add(name="Full", price="1.00", tax_rate="100")
    zero = services.catalogue.add(name="Zero", price="0", tax_rate="0")
    assert (full.tax_rate, zero.unit_price, zero.tax_rate) == (Decimal(100), 0, Decimal(0))


def test_update_and_retire_a_service(services: Services, practice: Practice) -> None:
    sid = practice.service("150.00")

    updated = services.catalogue.update(sid, price="160.50", code="90834", active=False)

    assert (updated.unit_price, updated.code, updated.active) == (16050, "90834", False)
    assert services.catalogue.list() == []
    assert [s.id for s in services.catalogue.list(include_inactive=True)] == [sid]
    with pytest.raises(NotFound, match="no service with id 999"):
        services.catalogue.update(999, price="1.00")
    with pytest.raises(NotFound):
        services.catalogue.get(999)


# -- practice settings --------------------------------------------------------------


def test_default_settings(services: Services) -> None:
    settings = services.practice.get()

    assert (settings.currency, settings.default_tax_rate, settings.payment_terms_days) == (
        "USD",
        Decimal(0),
        14,
    )
    assert (settings.invoice_prefix, settings.credit_note_prefix) == ("INV-", "CN-")


@pytest.mark.parametrize("code", ["USD", "eur", "GBP", "AUD", "NZD", "CAD", "jpy"])
def test_supported_currencies(services: Services, code: str) -> None:
    assert services.practice.update(currency=code).currency == code.upper()


def test_unknown_currency_is_refused(services: Services) -> None:
    with pytest.raises(InvalidInput, match="unknown currency"):
        services.practice.update(currency="XYZ")
    assert services.practice.get().currency == "USD"


def test_currency_prices_follow_the_exponent(services: Services) -> None:
    services.practice.update(currency="JPY")

    assert services.catalogue.add(name="Session", price="5000").unit_price == 5000
    with pytest.raises(InvalidInput, match="JPY amounts have at most 0 decimal places"):
        services.catalogue.add(name="Session", price="5000.50")


@pytest.mark.parametrize("issue", ["invoice", "credit note"])
def test_currency_is_fixed_once_invoices_exist(
    services: Services, practice: Practice, issue: str
) -> None:
    alex = practice.client()
    if issue == "invoice":
        practice.session([alex], [practice.service()], TUE)
        services.invoices.create(client_id=alex)
    else:
        services.credits.add(client_id=alex, amount="10.00", reason="Goodwill")

    with pytest.raises(NotAllowed, match="invoices already exist in USD"):
        services.practice.update(currency="EUR", name="Renamed")

    assert (services.practice.get().currency, services.practice.get().name) == (
        "USD",
        "My practice",
    )
    assert services.practice.update(currency="usd", name="Renamed").name == "Renamed"


def test_settings_update_and_its_effects(services: Services, practice: Practice) -> None:
    updated = services.practice.update(
        name=" Harbour Counselling ",
        payment_terms_days=30,
        invoice_prefix="HC-",
        credit_note_prefix="HCC-",
        tax_id="12-345-678",
    )
    assert (updated.name, updated.tax_id, updated.payment_terms_days) == (
        "Harbour Counselling",
        "12-345-678",
        30,
    )

    alex = practice.client()
    practice.session([alex], [practice.service()], TUE)
    invoice = services.invoices.create(client_id=alex)
    note = services.credits.add(client_id=alex, amount="1.00", reason="Rounding")

    assert (invoice.number, note.number, invoice.due_date) == (
        "HC-0001",
        "HCC-0001",
        date(2026, 12, 25),
    )
    with services.db.read() as session:
        [entry] = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "settings.update")
        ).all()
    assert '"payment_terms_days": 14' in entry.before
    assert '"payment_terms_days": 30' in entry.after


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"default_tax_rate": "101"}, "0 to 100"),
        ({"payment_terms_days": -1}, "0 to 365"),
        ({"payment_terms_days": 366}, "0 to 365"),
        ({"invoice_prefix": "CN-"}, "different number prefixes"),
        ({"credit_note_prefix": " "}, "1 to 20"),
        ({"name": ""}, "cannot be empty"),
    ],
)
def test_bad_settings_are_refused(
    services: Services, changes: dict[str, object], match: str
) -> None:
    before = services.practice.get()

    with pytest.raises(InvalidInput, match=match):
        services.practice.update(**changes)  # type: ignore[arg-type]

    assert services.practice.get() == before
