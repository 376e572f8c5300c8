"""No part of a charge billed twice: a split item's line (the co-pay, beside its claim),
a session drawn from a package (worth 0), and a package's sale invoice, which is
refunded only through the package and not voided once sessions were drawn from it.
`cp-tui check` finds a split or a drawn session billed twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cp_tui.bootstrap import Services
from cp_tui.models import BillingItem, InvoiceLine
from cp_tui.money import line_amounts
from cp_tui.services import ledger
from cp_tui.services.credits import issue_credit_note
from cp_tui.services.errors import NotAllowed
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.invoice_reads import get_invoice
from cp_tui.services.invoicing import LineChange
from cp_tui.services.package_reads import PackageSale
from tests.conftest import Practice
from tests.stripe_fake.control import FakeStripe

MON = datetime(2026, 11, 2, 10, 0)


def findings(services: Services) -> list[tuple[str, str]]:
    report = IntegrityService(services.db, services.clock).check()
    return [(f.check, f.message) for f in report.findings]


def consistent(services: Services) -> None:
    assert findings(services) == []


def insured(services: Services, practice: Practice) -> tuple[int, int, int, int]:
    """Alex's $150 session with a $15 co-pay: the item holds 15, claim 135 to submit."""
    alex = practice.client()
    therapy = practice.service("150.00")
    services.insurance.set_policy(alex, payer="Aetna", member_id="W1", copay="15.00")
    appt = practice.session([alex], [therapy], MON)
    [item] = services.items.list(client_id=alex, uninvoiced=True)
    assert item.total == 1500
    return alex, therapy, appt, item.id


def claim_figures(services: Services) -> tuple[int, int, str]:
    [claim] = services.insurance.claims()
    return claim.charge, claim.amount, claim.status


# -- a split item's line --------------------------------------------------------------------


def test_a_split_line_is_not_changed_on_an_invoice(services: Services, practice: Practice) -> None:
    alex, _therapy, appt, item_id = insured(services, practice)
    number = services.invoices.create(client_id=alex, item_ids=[item_id]).number or ""
    for change in (LineChange(price="150.00"), LineChange(units="2"), LineChange(tax_rate="10")):
        with pytest.raises(NotAllowed, match=r"split.*claim \d+ bills Aetna \$135\.00") as err:
            services.invoices.edit(number, changes={item_id: change})
        assert f"appointments bill {appt}" in str(err.value)
        assert f"invoices edit {number} --remove {item_id}" in str(err.value)
    assert services.invoices.get(number).total == 1500
    assert claim_figures(services) == (15000, 13500, "to_submit")
    # The line as it stands (what a screen sends for a line opened and left) passes.
    same = LineChange(units="1", price="15.00", tax_rate="0")
    assert services.invoices.edit(number, changes={item_id: same}).total == 1500
    # Void: the item goes back as it was split, so nothing is billed twice later.
    services.invoices.void(number)
    assert services.items.get(item_id).total == 1500
    consistent(services)


def test_a_split_item_is_not_invoiced_at_another_price(
    services: Services, practice: Practice
) -> None:
    alex, _therapy, _appt, item_id = insured(services, practice)
    with pytest.raises(NotAllowed, match="split"):
        services.invoices.create(
            client_id=alex, item_ids=[item_id], changes={item_id: LineChange(price="150.00")}
        )
    assert services.invoices.list() == []
    assert services.items.get(item_id).total == 1500
    # No number was taken by the refused invoice.
    assert services.invoices.create(client_id=alex).number == "INV-0001"
    consistent(services)


def test_once_the_claim_is_submitted_the_split_is_fixed(
    services: Services, practice: Practice
) -> None:
    alex, _therapy, _appt, item_id = insured(services, practice)
    [claim] = services.insurance.claims()
    services.insurance.submit([claim.id], "AET-1")
    number = services.invoices.create(client_id=alex).number or ""
    with pytest.raises(NotAllowed, match=r"submitted.*credit note"):
        services.invoices.edit(number, changes={item_id: LineChange(price="150.00")})
    assert services.invoices.get(number).total == 1500
    assert claim_figures(services) == (15000, 13500, "submitted")
    consistent(services)


def test_the_way_the_refusal_names_splits_the_new_charge_again(
    services: Services, practice: Practice
) -> None:
    alex, therapy, appt, _item = insured(services, practice)
    number = services.invoices.create(client_id=alex).number or ""
    services.invoices.void(number)
    services.calendar.set_charge(appt, client_id=alex, service_id=therapy, price="160.00")
    assert claim_figures(services) == (16000, 14500, "to_submit")
    assert services.invoices.create(client_id=alex).total == 1500
    consistent(services)


# -- a session drawn from a package -----------------------------------------------------------


def drawn_session(services: Services, practice: Practice) -> tuple[int, PackageSale, int]:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    practice.session([alex], [therapy], MON)
    [item] = services.items.list(client_id=alex, uninvoiced=True)
    assert item.total == 0
    return alex, sale, item.id


def test_a_drawn_session_stays_at_zero(services: Services, practice: Practice) -> None:
    alex, sale, item_id = drawn_session(services, practice)
    priced = {item_id: LineChange(price="150.00")}
    with pytest.raises(NotAllowed, match=r"session 1 of 4 of package \d+.*items add"):
        services.invoices.create(client_id=alex, item_ids=[item_id], changes=priced)
    with pytest.raises(NotAllowed, match="package"):
        services.items.edit(item_id, price="150.00")
    assert services.items.get(item_id).total == 0
    assert services.items.edit(item_id, description="Session 1").total == 0
    invoice = services.invoices.create(
        client_id=alex, item_ids=[item_id], changes={item_id: LineChange(price="0")}, draft=True
    )
    with pytest.raises(NotAllowed, match="package"):
        services.invoices.edit(f"DRAFT-{invoice.id}", changes=priced)
    assert services.invoices.get(f"DRAFT-{invoice.id}").total == 0
    assert services.packages.get(sale.package.id).used == 1
    consistent(services)


def test_a_voided_sale_keeps_its_price(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    services.invoices.void(sale.invoice.number or "")
    [line] = sale.invoice.lines
    sale_item = line.item_id or 0
    with pytest.raises(NotAllowed, match="packages refund"):
        services.items.edit(sale_item, price="100.00")
    with pytest.raises(NotAllowed, match="fixed when it is sold"):
        services.invoices.create(
            client_id=alex, item_ids=[sale_item], changes={sale_item: LineChange(price="100")}
        )
    assert services.items.get(sale_item).total == 50000
    consistent(services)


# -- credit notes and card refunds naming a package's sale -----------------------------------


def test_a_package_sale_is_refunded_once(services: Services, practice: Practice) -> None:
    alex, sale, _item = drawn_session(services, practice)
    number = sale.invoice.number or ""
    services.payments.record(number, amount="500.00", method="cash")
    with pytest.raises(NotAllowed, match=r"3 session\(s\) not drawn.*packages refund"):
        services.credits.add(
            client_id=alex, amount="500.00", reason="Refund", invoice_number=number
        )
    assert services.credits.balance(alex) == 0
    assert services.packages.get(sale.package.id).status == "active"
    refund = services.packages.refund(sale.package.id)
    assert (refund.sessions, refund.amount) == (3, 37500)
    with pytest.raises(NotAllowed, match="refunded already"):
        services.credits.add(client_id=alex, amount="10.00", reason="Again", invoice_number=number)
    # A goodwill credit naming no invoice is still fine.
    services.credits.add(client_id=alex, amount="10.00", reason="Goodwill")
    assert services.credits.balance(alex) == 37500 + 1000
    consistent(services)


def test_once_every_session_is_drawn_a_credit_note_corrects_the_sale(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=2, service_ids=[therapy], price="280")
    practice.session([alex], [therapy], MON)
    practice.session([alex], [therapy], MON + timedelta(days=7))
    note = services.credits.add(
        client_id=alex, amount="30.00", reason="Shortened", invoice_number=sale.invoice.number
    )
    assert note.corrects == sale.invoice.number
    assert services.invoices.get(sale.invoice.number or "").amount_due == 25000
    consistent(services)


def test_a_package_credited_already_is_not_refunded_again(
    services: Services, practice: Practice
) -> None:
    """A practice whose sale was credited before this rule: the package refund is refused."""
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    with services.db.write() as session:
        ledger.lock_client(session, alex)
        issue_credit_note(
            session,
            services.clock,
            client_id=alex,
            net=50000,
            reason="Refund",
            rate=Decimal(0),
            corrected=get_invoice(session, sale.invoice.number or ""),
        )
    with pytest.raises(NotAllowed, match=r"already credited by CN-0001"):
        services.packages.refund(sale.package.id)
    assert services.credits.balance(alex) == 0  # the note's credit went to the invoice


def test_a_card_refund_of_a_package_sale_is_refused(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    s = paid_services
    alex = s.clients.add(name="Alex").id
    therapy = s.catalogue.add(name="Therapy", price="150.00").id
    link = s.cards.setup_link(alex)
    stripe_server.complete_checkout(link.session_ref, "pm_card_visa")
    assert s.cards.poll_setup(alex) is not None
    sale = s.packages.sell(
        client_id=alex, sessions=4, service_ids=[therapy], price="500", charge_card=True
    )
    assert sale.charged
    number = sale.invoice.number or ""
    with pytest.raises(NotAllowed, match=f"packages refund {sale.package.id}"):
        s.refunds.refund(number, "500.00", "Moving away")
    assert s.refunds.refundable(number) == 50000
    assert s.credits.balance(alex) == 0
    assert s.invoices.list(status="all")[-1].kind == "invoice"  # no credit note issued


# -- voiding a package's sale ----------------------------------------------------------------


def test_a_sale_is_not_voided_once_a_session_was_drawn(
    services: Services, practice: Practice
) -> None:
    alex, sale, item_id = drawn_session(services, practice)
    number = sale.invoice.number or ""
    with pytest.raises(NotAllowed, match=r"1 of its sessions were drawn.*packages refund"):
        services.invoices.void(number)
    package = services.packages.get(sale.package.id)
    assert (package.status, package.invoice_number) == ("active", number)
    assert services.items.get(item_id).total == 0
    services.packages.refund(sale.package.id)
    with pytest.raises(NotAllowed, match="The invoice stands"):
        services.invoices.void(number)
    # What is owed: the drawn session, at the package's rate (500 / 4).
    assert services.invoices.get(number).amount_due == 12500
    assert services.credits.balance(alex) == 0
    consistent(services)


def test_a_refunded_sale_is_not_voided(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    services.packages.refund(sale.package.id)  # all 4, applied to the unpaid invoice
    with pytest.raises(NotAllowed, match="credit back a second time"):
        services.invoices.void(sale.invoice.number or "")
    assert services.credits.balance(alex) == 0
    consistent(services)


# -- `cp-tui check` -----------------------------------------------------------------------------


def test_check_finds_a_charge_both_invoiced_and_claimed(
    services: Services, practice: Practice
) -> None:
    alex, _therapy, _appt, item_id = insured(services, practice)
    number = services.invoices.create(client_id=alex).number or ""
    consistent(services)
    # The state the old invoice edit left: the whole charge on the line, the claim as it was.
    with services.db.write() as session:
        item = session.get(BillingItem, item_id)
        assert item is not None
        item.unit_price = 15000
        invoice = get_invoice(session, number)
        line = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).one()
        line.unit_price = 15000
        line.net = line_amounts(line.units, 15000, line.tax_rate).net
        session.flush()
        ledger.retotal(session, invoice)
        ledger.settle_status(invoice)
    [(check, message)] = findings(services)
    assert check == "claim_split"
    assert (
        "bills the client 15000 on INV-0001" in message and "more than the charge 15000" in message
    )


def test_check_finds_a_drawn_session_billed(services: Services, practice: Practice) -> None:
    _alex, _sale, item_id = drawn_session(services, practice)
    with services.db.write() as session:
        item = session.get(BillingItem, item_id)
        assert item is not None
        item.unit_price = 15000
    [(check, message)] = findings(services)
    assert check == "package_cover"
    assert f"item {item_id} is session 1 of package" in message
