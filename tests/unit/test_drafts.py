"""Draft invoices: they hold items, take no number and ask for no money until issued."""

from __future__ import annotations

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.errors import NotAllowed, NotFound
from tests.conftest import Practice


def test_a_draft_holds_items_without_a_number(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service("150.00")])
    draft = services.invoices.create(client_id=alex, draft=True)
    assert draft.status == "draft" and draft.number == f"DRAFT-{draft.id}"
    assert draft.total == 15000 and draft.amount_due == 15000
    assert services.items.list(client_id=alex, uninvoiced=True) == []
    # Its items name it by its reference, in lists and on the session alike.
    [item] = services.items.list(client_id=alex)
    assert item.invoice_number == draft.number
    assert item.appointment_id is not None
    [charge] = services.calendar.get(item.appointment_id).charges
    assert charge.invoice_number == draft.number
    assert services.clients.get(alex).balance_due == 0  # a draft asks for nothing yet
    for refused in (
        lambda: services.payments.record(draft.number, amount="10.00", method="cash"),
        lambda: services.invoices.mark_sent(draft.number),
        lambda: services.invoices.void(draft.number),
    ):
        with pytest.raises(NotAllowed, match="draft"):
            refused()


def test_issuing_takes_the_next_number_and_credit(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    practice.session([alex], [therapy])
    draft = services.invoices.create(client_id=alex, draft=True)
    services.credits.add(client_id=alex, amount="40.00", reason="Goodwill")
    issued = services.drafts.issue(draft.number.lower(), apply_credit=True)
    assert issued.number == "INV-0001"
    assert (issued.status, issued.credit_applied, issued.amount_due) == ("unpaid", 4000, 11000)
    assert services.clients.get(alex).balance_due == 11000
    with pytest.raises(NotFound):
        services.invoices.get(draft.number)
    with pytest.raises(NotAllowed, match="issued already"):
        services.drafts.issue("INV-0001")


def test_discarding_a_draft_uses_no_number(services: Services, practice: Practice) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    practice.session([alex], [therapy])
    draft = services.invoices.create(client_id=alex, draft=True)
    services.drafts.discard(draft.number)
    assert len(services.items.list(client_id=alex, uninvoiced=True)) == 1
    assert services.invoices.create(client_id=alex).number == "INV-0001"
    assert [i.status for i in services.invoices.list(status="draft")] == []


def test_the_invoice_list_counts_no_money_due_on_a_draft(
    services: Services, practice: Practice
) -> None:
    alex = practice.client(name="Alex Rivera")
    therapy = practice.service("150.00")
    practice.session([alex], [therapy])
    services.invoices.create(client_id=alex)
    practice.session([alex], [therapy])
    services.invoices.create(client_id=alex, draft=True)
    # The tally (plain filters) and the summed query (a search) agree.
    for status, search in (("all", ""), ("all", "rivera"), ("draft", ""), ("draft", "rivera")):
        totals = services.invoices.summary(status=status, search=search)
        due = 0 if status == "draft" else 15000
        assert (totals.count, totals.amount_due) == ((2 if status == "all" else 1), due), (
            status,
            search,
        )
    assert [s.amount_due for s in services.invoices.page(status="draft")] == [0]
