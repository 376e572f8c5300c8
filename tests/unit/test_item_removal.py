"""Removing an uninvoiced item: one added by mistake, a fee waived, a package sale called
off. Whatever bills or needs the item keeps it, and says what to do instead."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import col, select

from cp_tui.bootstrap import Services
from cp_tui.models import AuditEntry
from cp_tui.services.errors import NotAllowed
from cp_tui.services.integrity import IntegrityService
from tests.conftest import Practice

PAST = datetime(2026, 11, 24, 10, 0)


def consistent(services: Services) -> None:
    report = IntegrityService(services.db, services.clock).check()
    assert report.ok, report.findings


def uninvoiced(services: Services, client_id: int) -> list[str]:
    return [i.description for i in services.items.list(client_id=client_id, uninvoiced=True)]


def test_an_item_added_by_mistake_goes_and_is_never_billed(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    wrong = services.items.add(client_id=alex, description="Report", price="80.00").id
    kept = services.items.add(client_id=alex, description="Letter", price="40.00").id

    assert services.items.remove(wrong) == "removed item: Report ($80.00)"

    assert uninvoiced(services, alex) == ["Letter"]
    invoice = services.invoices.create(client_id=alex)
    assert [line.item_id for line in invoice.lines] == [kept] and invoice.total == 4000
    with services.db.read() as session:
        [detail] = session.exec(
            select(AuditEntry.detail).where(col(AuditEntry.action) == "item.remove")
        ).all()
    assert detail == f"item {wrong} of 2026-11-25: Report ($80.00)"
    consistent(services)


def test_an_item_on_an_invoice_or_a_draft_stays(services: Services, practice: Practice) -> None:
    alex = practice.client()
    billed = services.items.add(client_id=alex, description="Report", price="80.00").id
    number = services.invoices.create(client_id=alex).number
    drafted = services.items.add(client_id=alex, description="Letter", price="40.00").id
    draft = services.invoices.create(client_id=alex, item_ids=[drafted], draft=True)

    with pytest.raises(NotAllowed, match=rf"on invoice {number}; void the invoice or correct"):
        services.items.remove(billed)
    with pytest.raises(NotAllowed, match=rf"on draft DRAFT-{draft.id}; take it off"):
        services.items.remove(drafted)

    assert services.invoices.get(number).total == 8000
    assert services.invoices.get(f"DRAFT-{draft.id}").total == 4000
    consistent(services)


def test_a_session_item_goes_only_with_its_appointment(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    appt = practice.session([alex], [practice.service("150.00")], PAST)
    [item] = services.items.list(client_id=alex)

    with pytest.raises(NotAllowed, match=rf"appointments cancel {appt}"):
        services.items.remove(item.id)

    assert uninvoiced(services, alex) == [item.description]


def test_a_waived_no_show_fee_stays_waived(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    services.fees.set_service_fees(therapy, no_show_fee="40.00")
    appt = services.calendar.add(client_ids=[alex], service_ids=[therapy], start=PAST)[0].id
    services.calendar.no_show(appt)
    [fee] = services.items.list(client_id=alex)

    assert services.items.remove(fee.id).startswith("removed item: No-show fee")
    services.calendar.no_show(appt)  # marked again: the fee is not added back

    assert services.items.list(client_id=alex) == []
    consistent(services)


def test_a_called_off_package_sale_goes_with_its_package(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    sale = services.packages.sell(client_id=alex, sessions=4, service_ids=[therapy], price="500")
    [line] = sale.invoice.lines
    services.invoices.void(sale.invoice.number or "", reason="wrong client")
    assert uninvoiced(services, alex) == [line.description]  # the void hands the sale back

    message = services.items.remove(line.item_id or 0)

    assert message.startswith(f"removed package {sale.package.id} (")
    assert uninvoiced(services, alex) == []
    assert services.packages.list(client_id=alex) == []
    # The void invoice keeps its line as it was printed.
    void = services.invoices.get(sale.invoice.number or "")
    assert void.status == "void" and [ln.total for ln in void.lines] == [50000]
    # A session is billed as usual: no package covers it.
    practice.session([alex], [therapy], PAST)
    assert [i.total for i in services.items.list(client_id=alex, uninvoiced=True)] == [15000]
    consistent(services)
