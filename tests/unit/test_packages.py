"""Session packages: sold and invoiced up front, drawn down to zero and beyond, expiry,
reopening, the pro-rata refund, and `cp check` agreeing throughout."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.package_reads import PackageSale
from cp_tui.services.readmodels import InvoiceRead
from tests.conftest import Practice

MON = datetime(2026, 11, 2, 10, 0)


def consistent(services: Services) -> None:
    report = IntegrityService(services.db, services.clock).check()
    assert report.ok, report.findings


def test_sell_invoices_the_package_up_front(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=3, service_ids=[therapy], price="400.00")
    assert sale.invoice.total == 40000 and sale.invoice.amount_due == 40000
    assert sale.package.invoice_number == sale.invoice.number
    assert (sale.package.sessions, sale.package.left, sale.package.status) == (3, 3, "active")
    assert sale.package.service_names == ["Therapy"]
    assert not sale.charged
    with pytest.raises(InvalidInput):
        services.packages.sell(client_id=alex, sessions=0, service_ids=[therapy], price="1")
    with pytest.raises(InvalidInput):
        services.packages.sell(client_id=alex, sessions=2, service_ids=[], price="1")
    # Asked to charge with no payments set up: sold, invoiced, and said so.
    other = services.packages.sell(
        client_id=alex, sessions=1, service_ids=[therapy], price="150.00", charge_card=True
    )
    assert not other.charged and "not charged" in other.message
    consistent(services)


def test_drawn_down_to_zero_and_beyond(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    other_service = practice.service("80.00", name="Assessment")
    sale = services.packages.sell(client_id=alex, sessions=2, service_ids=[therapy], price="280.00")
    first = practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], MON + timedelta(days=7))
    practice.session([alex], [other_service], MON + timedelta(days=8))  # not covered
    practice.session([alex], [therapy], MON + timedelta(days=14))  # beyond: billed

    package = services.packages.get(sale.package.id)
    assert (package.used, package.left, package.status) == (2, 0, "used up")
    items = services.items.list(client_id=alex, uninvoiced=True)
    assert [i.total for i in items] == [0, 0, 8000, 15000]
    assert "session 1 of 2" in items[0].description
    assert "session 2 of 2" in items[1].description
    covering = services.packages.covering([i.id for i in items])
    assert set(covering) == {items[0].id, items[1].id}
    assert package.uses[0].appointment_id == first

    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == 23000  # only the assessment and the session beyond
    consistent(services)


def test_reopening_gives_the_session_back(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=1, service_ids=[therapy], price="140")
    appt = practice.session([alex], [therapy], MON)
    assert services.packages.get(sale.package.id).left == 0
    services.calendar.reopen(appt)
    assert services.packages.get(sale.package.id).left == 1
    services.calendar.complete(appt)
    assert services.packages.get(sale.package.id).left == 0
    assert [i.total for i in services.items.list(client_id=alex, uninvoiced=True)] == [0]


def test_expired_package_leaves_sessions_billed_as_usual(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(
        client_id=alex,
        sessions=5,
        service_ids=[therapy],
        price="600.00",
        expires_on=date(2026, 11, 30),
    )
    practice.session([alex], [therapy], datetime(2026, 11, 25, 9, 0))  # before expiry
    services.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]
    practice.session([alex], [therapy], datetime(2026, 12, 2, 9, 0))  # after expiry
    package = services.packages.get(sale.package.id)
    assert (package.used, package.left, package.status) == (1, 4, "expired")
    assert [i.total for i in services.items.list(client_id=alex, uninvoiced=True)] == [0, 15000]
    with pytest.raises(InvalidInput):
        services.packages.sell(
            client_id=alex,
            sessions=1,
            service_ids=[therapy],
            price="1",
            expires_on=date(2026, 11, 1),
        )


def test_unused_sessions_refunded_pro_rata(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    # 1000.00 for 3 sessions with 10 % tax: one used, two refunded -> 666.67 + 66.67 tax.
    sale = services.packages.sell(
        client_id=alex, sessions=3, service_ids=[therapy], price="1000.00", tax_rate="10"
    )
    assert sale.invoice.total == 110000
    services.payments.record(sale.invoice.number, amount="1100.00", method="card")
    practice.session([alex], [therapy], MON)
    refund = services.packages.refund(sale.package.id)
    assert refund.sessions == 2
    assert refund.amount == 66667 + 6667
    assert services.credits.balance(alex) == 73334
    package = services.packages.get(sale.package.id)
    assert (package.left, package.refunded, package.status) == (0, 2, "refunded")
    assert package.refund_note == refund.credit_note
    with pytest.raises(NotAllowed):
        services.packages.refund(sale.package.id)
    # Refunded sessions are not drawn: the next one is billed.
    practice.session([alex], [therapy], MON + timedelta(days=7))
    assert [i.total for i in services.items.list(client_id=alex, uninvoiced=True)] == [0, 15000]
    consistent(services)


def test_refund_of_an_unpaid_package_reduces_what_is_owed(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    services.packages.refund(sale.package.id)
    invoice = services.invoices.get(sale.invoice.number)
    assert invoice.amount_due == 0 and invoice.status == "paid"
    consistent(services)


def _sold_to_child_billed_to_parent(
    services: Services, practice: Practice
) -> tuple[int, int, PackageSale, InvoiceRead]:
    """A child's package whose sale was voided and billed anew to the parent."""
    child = practice.client("Noa Levi", "noa@example.com")
    parent = practice.client("Dan Levi", "dan@example.com")
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=child, sessions=4, service_ids=[therapy], price="400")
    services.invoices.void(sale.invoice.number, reason="the parent pays")
    return child, parent, sale, services.invoices.create(client_id=child, bill_to=parent)


def test_refund_credits_whoever_was_billed_for_the_package(
    services: Services, practice: Practice
) -> None:
    child, parent, sale, rebilled = _sold_to_child_billed_to_parent(services, practice)
    assert rebilled.client_id == parent and rebilled.total == 40000
    services.payments.record(rebilled.number, amount="400.00", method="cash")

    refund = services.packages.refund(sale.package.id)
    note = services.invoices.get(refund.credit_note)
    assert (note.client_id, note.total, refund.credited_to) == (parent, -40000, "Dan Levi")
    assert services.credits.balance(parent) == 40000  # the parent paid, the parent is owed
    assert services.credits.balance(child) == 0
    consistent(services)


def test_refund_of_an_unpaid_rebilled_package_clears_the_payers_invoice(
    services: Services, practice: Practice
) -> None:
    child, parent, sale, rebilled = _sold_to_child_billed_to_parent(services, practice)

    services.packages.refund(sale.package.id)
    assert services.invoices.get(rebilled.number).amount_due == 0
    # The note's credit went to the parent's invoice, never through the child's balance.
    assert services.credits.balance(parent) == services.credits.balance(child) == 0
    assert [e.kind for e in services.credits.ledger(child)] == []
    consistent(services)


def test_void_sale_invoice_means_nothing_is_drawn(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=2, service_ids=[therapy], price="250")
    services.invoices.void(sale.invoice.number, reason="changed their mind")
    assert services.packages.get(sale.package.id).status == "cancelled"
    practice.session([alex], [therapy], MON)
    # The package's own (uninvoiced) sale item and the session, at its price.
    totals = sorted(i.total for i in services.items.list(client_id=alex, uninvoiced=True))
    assert totals == [15000, 25000]
    listed = services.packages.list(client_id=alex)
    assert [p.id for p in listed] == [sale.package.id]
    assert services.packages.list(client_id=alex, active_only=True) == []


def test_a_changed_charge_keeps_a_drawn_session_covered(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=2, service_ids=[therapy], price="250")
    appt = practice.session([alex], [therapy], MON)
    services.calendar.set_charge(appt, client_id=alex, service_id=therapy, price="160.00")
    [item] = services.items.list(client_id=alex, uninvoiced=True)
    assert item.total == 0  # still covered: not charged again
    [use] = services.packages.get(sale.package.id).uses
    assert use.covered_price == 16000
    consistent(services)
