"""End-of-session charge: the preference, and the one offer a new invoice gets."""

from __future__ import annotations

from cp_tui.bootstrap import Services
from tests.conftest import Practice
from tests.unit.test_batch import save_card


def test_offer_needs_the_preference_a_card_and_money_due(
    services: Services, practice: Practice
) -> None:
    therapy = practice.service("150.00")
    alex = practice.client("Alex")
    assert services.session_charge.charge_at_end(alex) is False
    practice.session([alex], [therapy])
    first = services.invoices.create(client_id=alex)
    assert services.session_charge.offer(first.number) is None  # no preference

    services.session_charge.set_charge_at_end(alex, True)
    assert services.session_charge.offer(first.number) is None  # no card yet
    save_card(services, alex)
    offer = services.session_charge.offer(first.number)

    assert offer is not None
    assert (offer.amount, offer.currency, offer.client_name) == (15000, "USD", "Alex")
    assert "4242" in offer.card
    services.payments.record(first.number, amount="150.00", method="cash")
    assert services.session_charge.offer(first.number) is None  # nothing due
    services.session_charge.set_charge_at_end(alex, False)
    assert services.session_charge.charge_at_end(alex) is False
