"""Corrections of one invoice (credit notes naming it, refunds to its card) never come to
more than it billed: the client is never paid back twice for the same money."""

from __future__ import annotations

import pytest

from cp_tui.bootstrap import Services
from cp_tui.services.errors import NotAllowed
from tests.conftest import Practice
from tests.stripe_fake.control import FakeStripe


def test_credit_notes_naming_an_invoice_stop_at_its_total(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    services.items.add(client_id=alex, description="Session", price="150.00")
    number = services.invoices.create(client_id=alex).number
    services.payments.record(number, amount="150.00", method="cash")

    services.credits.add(
        client_id=alex, amount="100.00", reason="Short session", invoice_number=number
    )
    with pytest.raises(NotAllowed, match=r"at most \$50.00 more can correct it"):
        services.credits.add(client_id=alex, amount="1500.00", reason="Typo", invoice_number=number)
    with pytest.raises(NotAllowed, match=r"at most \$50.00"):  # 45.00 at 15 % is 51.75
        services.credits.add(
            client_id=alex, amount="45.00", reason="Tax", tax_rate="15", invoice_number=number
        )
    services.credits.add(client_id=alex, amount="50.00", reason="The rest", invoice_number=number)
    assert services.credits.balance(alex) == 15000
    # Goodwill that corrects no invoice is not capped by one.
    services.credits.add(client_id=alex, amount="500.00", reason="Goodwill")
    assert services.credits.balance(alex) == 65000
    numbers = [i.number for i in services.invoices.list(status="all")]
    assert numbers.count("CN-0003") == 1 and "CN-0004" not in numbers  # no number lost


def test_a_card_refund_after_a_credit_note_refunds_only_the_rest(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    s = paid_services
    alex = s.clients.add(name="Alex").id
    link = s.cards.setup_link(alex)
    stripe_server.complete_checkout(link.session_ref, "pm_card_visa")
    assert s.cards.poll_setup(alex) is not None
    s.items.add(client_id=alex, description="Session", price="150.00")
    number = s.invoices.create(client_id=alex).number or ""
    assert s.charges.charge(number).outcome.value == "succeeded"
    s.credits.add(client_id=alex, amount="100.00", reason="Short session", invoice_number=number)

    with pytest.raises(NotAllowed, match=r"\$100.00 of it is already credited"):
        s.refunds.refund(number, "150.00", "Moving away")
    done = s.refunds.refund(number, "50.00", "Moving away")

    assert done.credit_note is not None
    assert s.credits.balance(alex) == 10000  # the credit note's; the refund went to the card
    with pytest.raises(NotAllowed):
        s.credits.add(client_id=alex, amount="0.01", reason="More", invoice_number=number)
