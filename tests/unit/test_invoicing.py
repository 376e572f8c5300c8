"""Invoices: creating, numbering, credit, editing, voiding, group billing, golden totals."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from cp_tui.bootstrap import Services
from cp_tui.models import AuditEntry, InvoiceLine
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from cp_tui.services.invoicing import LineChange
from cp_tui.services.readmodels import InvoiceRead
from tests.conftest import Practice

MON, TUE = datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 24, 10, 0)


def two_sessions(practice: Practice, client: int) -> list[int]:
    """Two completed sessions of 150.00 and 90.00; returns the item ids."""
    therapy, review = practice.service("150.00"), practice.service("90.00", name="Review")
    practice.session([client], [therapy], MON)
    practice.session([client], [review], TUE)
    return [i.id for i in practice.s.items.list(client_id=client)]


def totals(invoice: InvoiceRead) -> tuple[int, int, int, int]:
    return (invoice.subtotal, invoice.tax, invoice.total, invoice.amount_due)


def audits(services: Services, action: str) -> list[AuditEntry]:
    with services.db.read() as session:
        query = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(session.exec(query.order_by(col(AuditEntry.id))).all())


# -- creating -----------------------------------------------------------------------


def test_create_takes_every_uninvoiced_item_by_default(
    services: Services, practice: Practice
) -> None:
    alex, other = practice.client(), practice.client("Other", "o@example.com")
    ids = two_sessions(practice, alex)
    extra = services.items.add(client_id=alex, description="Report", price="40.00").id
    practice.session([other], [practice.service()], TUE)

    invoice = services.invoices.create(client_id=alex)

    assert (invoice.number, invoice.kind, invoice.status) == ("INV-0001", "invoice", "unpaid")
    assert [ln.item_id for ln in invoice.lines] == [*ids, extra]
    assert totals(invoice) == (28000, 0, 28000, 28000)
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 11, 25), date(2026, 12, 9))
    assert (invoice.currency, invoice.client_id) == ("USD", alex)
    assert {i.invoice_number for i in services.items.list(client_id=alex)} == {"INV-0001"}
    assert services.items.list(client_id=alex, uninvoiced=True) == []
    after = services.clients.get(alex)
    assert (after.balance_due, after.uninvoiced_total) == (28000, 0)
    assert services.clients.get(other).uninvoiced_total == 15000


def test_create_with_a_chosen_subset(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, second = two_sessions(practice, alex)

    invoice = services.invoices.create(client_id=alex, item_ids=[second])

    assert [ln.item_id for ln in invoice.lines] == [second]
    assert invoice.total == 9000
    assert [i.id for i in services.items.list(client_id=alex, uninvoiced=True)] == [first]
    assert services.clients.get(alex).uninvoiced_total == 15000


def test_lines_adjusted_at_creation(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, _ = two_sessions(practice, alex)

    invoice = services.invoices.create(
        client_id=alex,
        changes={first: LineChange(units="1.5", price="120.00", tax_rate="10")},
    )

    line = invoice.lines[0]
    assert (line.units, line.unit_price, line.tax_rate) == (Decimal("1.5"), 12000, Decimal(10))
    assert (line.net, line.tax, line.total) == (18000, 1800, 19800)
    assert invoice.lines[1].total == 9000
    assert (invoice.subtotal, invoice.tax, invoice.total) == (27000, 1800, 28800)
    item = services.items.get(first)
    assert (item.units, item.unit_price, item.total) == (Decimal("1.5"), 12000, 19800)


def test_create_bad_input(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, _ = two_sessions(practice, alex)
    create = services.invoices.create

    with pytest.raises(InvalidInput, match="at least one item"):
        create(client_id=alex, item_ids=[])
    with pytest.raises(NotFound, match="no billing item with id 999"):
        create(client_id=alex, item_ids=[first, 999])
    with pytest.raises(NotFound, match="no client"):
        create(client_id=999)
    with pytest.raises(InvalidInput, match="not among"):
        create(client_id=alex, item_ids=[first], changes={999: LineChange(units="2")})
    with pytest.raises(InvalidInput, match="units"):
        create(client_id=alex, changes={first: LineChange(units="0")})
    with pytest.raises(InvalidInput, match="tax rate"):
        create(client_id=alex, changes={first: LineChange(tax_rate="101")})

    assert services.invoices.list() == []
    assert services.items.get(first).units == Decimal(1)
    services.invoices.create(client_id=alex)
    with pytest.raises(InvalidInput, match="no uninvoiced items"):
        create(client_id=alex)


def test_an_item_cannot_be_on_two_invoices(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, second = two_sessions(practice, alex)
    invoice = services.invoices.create(client_id=alex, item_ids=[first])

    with pytest.raises(NotAllowed, match=f"already on invoice {invoice.number}"):
        services.invoices.create(client_id=alex, item_ids=[second, first])
    assert [i.number for i in services.invoices.list()] == ["INV-0001"]

    # Not just the service: the database itself refuses a second live line for the item.
    with pytest.raises(IntegrityError), services.db.write() as session:
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                item_id=first,
                active_item_id=first,
                description="sneaked in",
                units=Decimal(1),
                unit_price=15000,
                tax_rate=Decimal(0),
                net=15000,
                tax=0,
            )
        )
        session.flush()
    assert len(services.invoices.get(invoice.number).lines) == 1


def test_numbers_are_gap_free_per_series(services: Services, practice: Practice) -> None:
    alex = practice.client()
    ids = two_sessions(practice, alex)
    extra = services.items.add(client_id=alex, description="Report", price="40.00").id

    numbers = [services.invoices.create(client_id=alex, item_ids=[ids[0]]).number]
    numbers.append(services.credits.add(client_id=alex, amount="10.00", reason="Late").number)
    # Failures before and after the number is taken both leave no gap.
    with pytest.raises(NotFound):
        services.invoices.create(client_id=alex, item_ids=[404])
    with pytest.raises(InvalidInput):
        services.invoices.create(client_id=alex, changes={ids[1]: LineChange(units="-1")})
    with pytest.raises(InvalidInput):
        services.credits.add(client_id=alex, amount="0", reason="Nothing")
    numbers.append(services.invoices.create(client_id=alex, item_ids=[ids[1]]).number)
    services.invoices.void(numbers[-1])
    numbers.append(services.credits.add(client_id=alex, amount="5.00", reason="Sorry").number)
    numbers.append(services.invoices.create(client_id=alex, item_ids=[extra]).number)

    assert numbers == ["INV-0001", "CN-0001", "INV-0002", "CN-0002", "INV-0003"]
    assert sorted(i.number for i in services.invoices.list()) == sorted(numbers)


# -- credit balance -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("credit", "applied", "due", "left", "status"),
    [("50.00", 5000, 10000, 0, "unpaid"), ("200.00", 15000, 0, 5000, "paid")],
)
def test_apply_credit_takes_the_smaller_of_balance_and_total(
    services: Services,
    practice: Practice,
    credit: str,
    applied: int,
    due: int,
    left: int,
    status: str,
) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service()], TUE)
    services.credits.add(client_id=alex, amount=credit, reason="Goodwill")

    invoice = services.invoices.create(client_id=alex, apply_credit=True)

    assert (invoice.credit_applied, invoice.amount_due, invoice.status) == (applied, due, status)
    assert services.credits.balance(alex) == left
    assert services.clients.get(alex).balance_due == due


# -- editing ------------------------------------------------------------------------


def test_edit_an_unsent_invoice_totals_follow_and_audit_keeps_both(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    first, second = two_sessions(practice, alex)
    extra = services.items.add(client_id=alex, description="Report", price="40.00").id
    invoice = services.invoices.create(client_id=alex, item_ids=[first, second])

    edited = services.invoices.edit(
        invoice.number,
        changes={first: LineChange(units="2", tax_rate="10")},
        remove=[second],
        add=[extra],
    )

    assert [(ln.item_id, ln.total) for ln in edited.lines] == [(first, 33000), (extra, 4000)]
    assert totals(edited) == (34000, 3000, 37000, 37000)
    assert services.items.get(second).invoice_number is None
    assert services.items.get(extra).invoice_number == invoice.number
    assert services.items.get(first).units == Decimal(2)
    assert services.clients.get(alex).uninvoiced_total == 9000
    [entry] = audits(services, "invoice.edit")
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert (before["total"], after["total"]) == (24000, 37000)
    assert [ln["item_id"] for ln in before["lines"]] == [first, second]
    assert [ln["item_id"] for ln in after["lines"]] == [first, extra]
    assert (entry.invoice_id, entry.client_id, entry.detail) == (invoice.id, alex, "INV-0001")


def test_edit_refusals_leave_the_invoice_alone(services: Services, practice: Practice) -> None:
    alex = practice.client()
    first, second = two_sessions(practice, alex)
    number = services.invoices.create(client_id=alex, item_ids=[first]).number

    with pytest.raises(InvalidInput, match="not on INV-0001"):
        services.invoices.edit(number, changes={second: LineChange(units="2")})
    with pytest.raises(InvalidInput, match="not on INV-0001"):
        services.invoices.edit(number, remove=[second])
    with pytest.raises(NotAllowed, match="void it instead"):
        services.invoices.edit(number, remove=[first])
    with pytest.raises(NotAllowed, match="already on invoice"):
        services.invoices.edit(number, add=[first])

    assert [ln.item_id for ln in services.invoices.get(number).lines] == [first]
    assert audits(services, "invoice.edit") == []


@pytest.mark.parametrize("how", ["sent", "paid"])
def test_sent_or_paid_invoice_is_never_edited(
    services: Services, practice: Practice, how: str
) -> None:
    alex = practice.client()
    first, second = two_sessions(practice, alex)
    number = services.invoices.create(client_id=alex, item_ids=[first]).number
    if how == "sent":
        assert services.invoices.mark_sent(number).sent
    else:
        services.payments.record(number, amount="10.00", method="cash")

    with pytest.raises(NotAllowed, match="credit note"):
        services.invoices.edit(number, changes={first: LineChange(price="1.00")})
    with pytest.raises(NotAllowed, match="credit note"):
        services.invoices.edit(number, add=[second])

    assert services.invoices.get(number).total == 15000
    assert services.items.get(first).unit_price == 15000
    assert services.items.get(second).invoice_number is None


def test_edit_below_the_applied_credit_gives_the_rest_back(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    first, _ = two_sessions(practice, alex)
    services.credits.add(client_id=alex, amount="100.00", reason="Prepaid")
    number = services.invoices.create(client_id=alex, item_ids=[first], apply_credit=True).number

    edited = services.invoices.edit(number, changes={first: LineChange(price="60.00")})

    assert (edited.total, edited.credit_applied, edited.amount_due) == (6000, 6000, 0)
    assert edited.status == "paid"
    assert services.credits.balance(alex) == 4000


# -- voiding ------------------------------------------------------------------------


def test_void_returns_items_and_credit(services: Services, practice: Practice) -> None:
    alex = practice.client()
    ids = two_sessions(practice, alex)
    services.credits.add(client_id=alex, amount="50.00", reason="Prepaid")
    number = services.invoices.create(client_id=alex, apply_credit=True).number
    assert services.credits.balance(alex) == 0

    void = services.invoices.void(number, reason="Wrong client")

    assert (void.status, void.amount_due, void.reason) == ("void", 0, "Wrong client")
    assert [i.id for i in services.items.list(client_id=alex, uninvoiced=True)] == ids
    assert services.credits.balance(alex) == 5000
    after = services.clients.get(alex)
    assert (after.balance_due, after.uninvoiced_total) == (0, 24000)
    assert len(audits(services, "invoice.void")) == 1
    with pytest.raises(NotAllowed, match="already void"):
        services.invoices.void(number)
    with pytest.raises(NotAllowed, match="void"):
        services.invoices.edit(number, add=[ids[0]])
    again = services.invoices.create(client_id=alex)
    assert (again.number, again.total) == ("INV-0002", 24000)


def test_void_refused_with_payments(services: Services, practice: Practice) -> None:
    alex = practice.client()
    two_sessions(practice, alex)
    number = services.invoices.create(client_id=alex).number
    services.payments.record(number, amount="20.00", method="transfer")

    with pytest.raises(NotAllowed, match="credit note"):
        services.invoices.void(number)
    assert services.invoices.get(number).status == "partially paid"
    assert services.items.list(client_id=alex, uninvoiced=True) == []


# -- group appointments -------------------------------------------------------------


def test_group_attendees_invoiced_separately(services: Services, practice: Practice) -> None:
    ann, ben = practice.client("Ann", "ann@example.com"), practice.client("Ben", "b@example.com")
    practice.session([ann, ben], [practice.service("60.00")], TUE)

    a = services.invoices.create(client_id=ann)
    b = services.invoices.create(client_id=ben)

    assert (a.client_id, a.total, b.client_id, b.total) == (ann, 6000, ben, 6000)
    assert [ln.description for ln in a.lines] == ["Therapy (90837)"]


def test_group_combined_on_one_invoice_billed_to_another_client(
    services: Services, practice: Practice
) -> None:
    ann, ben = practice.client("Ann", "ann@example.com"), practice.client("Ben", "b@example.com")
    parent = practice.client("Pat Parent", "pat@example.com")
    practice.session([ann, ben], [practice.service("60.00")], TUE)  # a couples session
    practice.session([ann], [practice.service("45.00", name="Solo")], MON)
    [ann_couples] = [i.id for i in services.items.list(client_id=ann) if i.unit_price == 6000]
    [ben_couples] = [i.id for i in services.items.list(client_id=ben)]

    # Both partners' items on one invoice billed to Ben, who attended.
    both = services.invoices.create(client_id=ann, item_ids=[ann_couples, ben_couples], bill_to=ben)
    # Ann's remaining item billed to a parent who did not attend.
    solo = services.invoices.create(client_id=ann, bill_to=parent)

    assert (both.client_id, both.client_name, both.total) == (ben, "Ben", 12000)
    assert [ln.description for ln in both.lines] == ["Therapy (90837) (Ann)", "Therapy (90837)"]
    assert (solo.client_id, [ln.description for ln in solo.lines]) == (
        parent,
        ["Solo (90837) (Ann)"],
    )
    assert [services.clients.get(c).balance_due for c in (ann, ben, parent)] == [0, 12000, 4500]
    assert services.clients.get(ann).uninvoiced_total == 0


def test_item_of_an_unrelated_client_is_refused(services: Services, practice: Practice) -> None:
    ann, zoe = practice.client("Ann", "ann@example.com"), practice.client("Zoe", "z@example.com")
    service = practice.service()
    practice.session([ann], [service], MON)
    practice.session([zoe], [service], TUE)
    zoe_item = services.items.list(client_id=zoe)[0].id
    ann_number = services.invoices.create(client_id=ann).number

    with pytest.raises(InvalidInput, match=f"belongs to client {zoe}"):
        services.invoices.create(client_id=ann, item_ids=[zoe_item])
    with pytest.raises(InvalidInput, match=f"belongs to client {zoe}"):
        services.invoices.edit(ann_number, add=[zoe_item])
    assert services.items.get(zoe_item).invoice_number is None
    assert [i.number for i in services.invoices.list()] == ["INV-0001"]


# -- golden totals and statuses -----------------------------------------------------


def test_xero_three_lines_at_15_percent(services: Services, practice: Practice) -> None:
    alex = practice.client()
    for price in ("25.06", "25.61", "25.63"):
        services.items.add(client_id=alex, description="Line", price=price, tax_rate="15")
    services.items.add(client_id=alex, description="Zero-rated", price="10.00", tax_rate="0")

    invoice = services.invoices.create(client_id=alex)

    assert [ln.tax for ln in invoice.lines] == [376, 384, 384, 0]
    assert (invoice.subtotal, invoice.tax, invoice.total) == (8630, 1144, 9774)


def test_a_jpy_invoice(services: Services, practice: Practice) -> None:
    services.practice.update(currency="JPY")
    alex = practice.client()
    practice.session([alex], [practice.service("5000", tax_rate="10")], TUE)

    invoice = services.invoices.create(client_id=alex)

    assert invoice.currency == "JPY"
    assert (invoice.subtotal, invoice.tax, invoice.total) == (5000, 500, 5500)
    with pytest.raises(InvalidInput, match="JPY"):
        services.payments.record(invoice.number, amount="10.50", method="cash")


def test_one_and_a_half_units_at_120(services: Services, practice: Practice) -> None:
    alex = practice.client()
    services.items.add(client_id=alex, description="Assessment", price="120.00", units="1.5")

    invoice = services.invoices.create(client_id=alex)

    assert (invoice.lines[0].units, invoice.total) == (Decimal("1.5"), 18000)


def test_status_goes_unpaid_partially_paid_paid(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service()], TUE)
    number = services.invoices.create(client_id=alex).number
    seen = [services.invoices.get(number).status]

    for amount in ("100.00", "50.00"):
        read = services.payments.record(number, amount=amount, method="card")
        seen.append(read.status)

    assert seen == ["unpaid", "partially paid", "paid"]
    assert [i.number for i in services.invoices.list(status="paid")] == [number]
    assert services.invoices.list(status="open") == []
