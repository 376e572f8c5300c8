"""Getting paid through Stripe: the real stripe SDK against the local fake server."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from cp_tui.adapters.stripe_gateway import StripeGateway
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.models import PaymentAttempt
from cp_tui.services.errors import NotAllowed
from cp_tui.services.gateway import Outcome
from cp_tui.services.secrets import SecretStore
from tests.stripe_fake.control import TEST_KEY, FakeStripe

SESSION = datetime(2026, 11, 25, 10, 0)


def _invoice(s: Services, price: str = "150.00", name: str = "Alex Rivera") -> tuple[int, str]:
    client = s.clients.add(name=name, email="alex@example.com").id
    service = s.catalogue.add(name="Therapy", price=price, tax_rate="0").id
    appt = s.calendar.add(client_ids=[client], service_ids=[service], start=SESSION)[0]
    s.calendar.complete(appt.id)
    return client, s.invoices.create(client_id=client).number


def _save_card(s: Services, server: FakeStripe, client: int, pm: str = "pm_card_visa") -> None:
    link = s.cards.setup_link(client)
    assert s.cards.poll_setup(client) is None  # not saved yet
    server.complete_checkout(link.session_ref, pm)
    card = s.cards.poll_setup(client)
    assert card is not None


def test_saving_a_card_keeps_only_brand_last4_and_expiry(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, _ = _invoice(paid_services)
    link = paid_services.cards.setup_link(client)
    assert link.url.startswith(stripe_server.base)
    stripe_server.complete_checkout(link.session_ref)
    card = paid_services.cards.poll_setup(client)
    assert card is not None
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2030)
    assert paid_services.cards.card(client) == card


def test_pay_now_charges_the_amount_due_once(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client)
    result = paid_services.charges.charge(number)
    assert result.outcome is Outcome.SUCCEEDED
    assert result.invoice.status == "paid"
    [payment] = paid_services.invoices.get(number).payments
    assert (payment.method, payment.amount) == ("card", 15000)
    assert payment.reference.startswith("pi_")
    with pytest.raises(NotAllowed, match="nothing is due"):
        paid_services.charges.charge(number)
    intents = stripe_server.intents_for(str(result.invoice.id))
    assert [pi["amount"] for pi in intents] == [15000]
    # No personal or health data reaches Stripe: opaque ids only.
    assert set(intents[0]["metadata"]) == {"cp_attempt", "cp_invoice"}


def test_a_decline_leaves_the_invoice_unpaid_and_chargeable_again(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client, "pm_card_chargeCustomerFail")
    result = paid_services.charges.charge(number)
    assert result.outcome is Outcome.DECLINED
    assert "link" in result.message
    assert paid_services.invoices.get(number).status == "unpaid"
    _save_card(paid_services, stripe_server, client, "pm_card_visa")
    assert paid_services.charges.charge(number).outcome is Outcome.SUCCEEDED


def test_authentication_required_asks_for_the_client(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client, "pm_card_authenticationRequired")
    result = paid_services.charges.charge(number)
    assert result.outcome is Outcome.NEEDS_CLIENT
    assert paid_services.invoices.get(number).amount_paid == 0


def test_refused_before_any_call(paid_services: Services, stripe_server: FakeStripe) -> None:
    client, number = _invoice(paid_services, price="0.30")
    other = paid_services.clients.add(name="Bea").id
    service = paid_services.catalogue.add(name="Intake", price="200.00").id
    paid_services.items.add(client_id=other, description="Report", price="80.00")
    with pytest.raises(NotAllowed, match="no saved card"):
        paid_services.charges.charge(paid_services.invoices.create(client_id=other).number)
    assert service
    _save_card(paid_services, stripe_server, client)
    before = len(stripe_server.stats()["payment_intents"])
    with pytest.raises(NotAllowed, match="minimum charge"):
        paid_services.charges.charge(number)
    paid_services.invoices.void(number)
    with pytest.raises(NotAllowed, match="void"):
        paid_services.charges.charge(number)
    assert len(stripe_server.stats()["payment_intents"]) == before


def test_a_timeout_is_retried_with_the_same_key_and_makes_one_intent(
    tmp_path: Path, clock: FrozenClock, stripe_server: FakeStripe
) -> None:
    gateway = StripeGateway(TEST_KEY, api_base=stripe_server.base, timeout=1.0)
    s = build_services(
        resolve_settings(tmp_path / "p", environ={}),
        clock=clock,
        gateway=gateway,
        secrets=SecretStore(environ={}),
    )
    client, number = _invoice(s)
    _save_card(s, stripe_server, client)
    stripe_server.delay("/v1/payment_intents", seconds=2.5)
    result = s.charges.charge(number)
    assert result.outcome is Outcome.SUCCEEDED
    assert len(stripe_server.intents_for(str(result.invoice.id))) == 1
    s.close()


def test_two_terminals_paying_at_once_make_one_charge(
    tmp_path: Path, clock: FrozenClock, gateway: StripeGateway, stripe_server: FakeStripe
) -> None:
    settings = resolve_settings(tmp_path / "p", environ={})
    first = build_services(settings, clock=clock, gateway=gateway, secrets=SecretStore({}))
    second = build_services(settings, clock=clock, gateway=gateway, secrets=SecretStore({}))
    client, number = _invoice(first)
    _save_card(first, stripe_server, client)
    stripe_server.delay("/v1/payment_intents", seconds=0.5)
    outcomes: list[str] = []

    def pay(services: Services) -> None:
        try:
            outcomes.append(services.charges.charge(number).outcome.value)
        except NotAllowed as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=pay, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    invoice = first.invoices.get(number)
    assert len(stripe_server.intents_for(str(invoice.id))) == 1
    assert invoice.amount_paid == 15000
    assert len(invoice.payments) == 1
    assert sorted(o.split(":")[0] for o in outcomes) in (
        ["refused", "succeeded"],
        ["succeeded", "succeeded"],
    )
    first.close()
    second.close()


def test_refunds_are_capped_locally_and_make_credit_notes(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client)
    paid_services.charges.charge(number)
    first = paid_services.refunds.refund(number, "100.00", "Session shortened")
    assert first.outcome is Outcome.SUCCEEDED
    assert first.credit_note is not None and first.credit_note.total == -10000
    assert first.credit_note.corrects == number
    refunds_before = len(stripe_server.stats()["refunds"])
    with pytest.raises(NotAllowed, match=r"at most \$50.00"):
        paid_services.refunds.refund(number, "60.00")
    assert len(stripe_server.stats()["refunds"]) == refunds_before
    paid_services.refunds.refund(number, "50.00")
    assert paid_services.refunds.refundable(number) == 0
    assert [r["amount"] for r in stripe_server.stats()["refunds"]][-2:] == [10000, 5000]
    # The credit was paid out to the card: nothing is left on the client's balance.
    assert paid_services.credits.balance(client) == 0


def test_what_can_be_refunded_leaves_out_what_a_credit_note_corrected(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client)
    paid_services.charges.charge(number)
    assert paid_services.refunds.refundable(number) == 15000
    paid_services.credits.add(
        client_id=client, amount="100.00", reason="Session shortened", invoice_number=number
    )
    # The refund form offers what may still go back: $50.00, not the $150.00 charged.
    assert paid_services.refunds.refundable(number) == 5000
    with pytest.raises(NotAllowed, match=r"at most \$50.00"):
        paid_services.refunds.refund(number, "60.00")
    paid_services.refunds.refund(number, "50.00")
    assert paid_services.refunds.refundable(number) == 0


def test_a_link_payment_is_picked_up_by_sync(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    _client, number = _invoice(paid_services)
    link = paid_services.links.link(number)
    assert link.amount == 15000 and number in link.message and link.url in link.message
    assert paid_services.links.link(number).url == link.url  # the same link again
    remote = link.url.rsplit("/", 1)[-1]
    stripe_server.pay_invoice(remote)
    report = paid_services.stripe_sync.sync()
    assert any(number in line for line in report.recorded)
    invoice = paid_services.invoices.get(number)
    assert invoice.status == "paid" and invoice.amount_paid == 15000
    again = paid_services.stripe_sync.sync()
    assert not any(number in line for line in again.recorded)
    assert paid_services.invoices.get(number).amount_paid == 15000


def test_voiding_the_invoice_voids_its_link(
    paid_services: Services, stripe_server: FakeStripe, gateway: StripeGateway
) -> None:
    _client, number = _invoice(paid_services)
    link = paid_services.links.link(number)
    paid_services.invoices.void(number)
    assert paid_services.links.after_void(number) == 1
    assert gateway.get_invoice(link.url.rsplit("/", 1)[-1]).status == "void"


def test_an_open_attempt_is_reconciled_before_any_new_charge(
    paid_services: Services, stripe_server: FakeStripe, gateway: StripeGateway
) -> None:
    """What a process killed between Stripe's success and the local commit leaves behind."""
    client, number = _invoice(paid_services)
    _save_card(paid_services, stripe_server, client)
    invoice = paid_services.invoices.get(number)
    with paid_services.db.write() as session:
        attempt = PaymentAttempt(
            invoice_id=invoice.id,
            client_id=client,
            idempotency_key="cp-tui-charge-crashed",
            amount=15000,
            currency="USD",
            status="pending",
            open_invoice_id=invoice.id,
            created_at=paid_services.clock.now(),
            updated_at=paid_services.clock.now(),
        )
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    customer = paid_services.cards.card(client)
    assert customer is not None
    with paid_services.db.read() as session:
        from cp_tui.models import GatewayCustomer, SavedCard

        ref = session.get(GatewayCustomer, client)
        card = session.get(SavedCard, client)
        assert ref is not None and card is not None
    gateway.charge(
        customer=ref.customer_ref,
        payment_method=card.payment_method_ref,
        amount=15000,
        currency="USD",
        idempotency_key="cp-tui-charge-crashed",
        metadata={"cp_attempt": str(attempt_id), "cp_invoice": str(invoice.id)},
    )
    result = paid_services.charges.charge(number)
    assert result.outcome is Outcome.SUCCEEDED
    assert len(stripe_server.intents_for(str(invoice.id))) == 1
    assert paid_services.invoices.get(number).amount_paid == 15000


def test_a_payment_nobody_can_match_is_listed(
    paid_services: Services, gateway: StripeGateway
) -> None:
    _invoice(paid_services)
    customer = gateway.ensure_customer("stray", None)
    gateway.client.v1.payment_intents.create(
        params={
            "amount": 4200,
            "currency": "usd",
            "customer": customer,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    report = paid_services.stripe_sync.sync()
    assert any(u.amount == 4200 for u in report.unmatched)


def test_without_a_key_stripe_actions_say_how_to_connect(services: Services) -> None:
    client = services.clients.add(name="Alex").id
    with pytest.raises(NotAllowed, match="STRIPE_API_KEY"):
        services.cards.setup_link(client)


def test_stripe_sends_the_invoice_with_its_link_and_it_counts_as_sent(
    paid_services: Services, stripe_server: FakeStripe
) -> None:
    _client, number = _invoice(paid_services)
    invoice = paid_services.links.send(number)
    assert invoice.sent is True
    remote = paid_services.links.link(number).url.rsplit("/", 1)[-1]
    assert stripe_server.stats()["sent"] == [remote]
    with pytest.raises(NotAllowed, match="never edited"):
        paid_services.invoices.edit(number, remove=[1])
