"""The same Stripe contract against Stripe's real test mode, when a test key is given.

Opt-in: `STRIPE_TEST_KEY=sk_test_... make test`. Without the key these tests are
skipped on purpose (they need the network); the same contract always runs against
the local fake server in test_stripe.py.
"""

from __future__ import annotations

import os
import uuid

import pytest

from cp_tui.adapters.stripe_gateway import StripeGateway
from cp_tui.services.gateway import Outcome

KEY = os.environ.get("STRIPE_TEST_KEY", "")

pytestmark = [
    pytest.mark.stripe_live,
    pytest.mark.skipif(not KEY.startswith("sk_test_"), reason="set STRIPE_TEST_KEY to run"),
]


@pytest.fixture
def live() -> StripeGateway:
    return StripeGateway(KEY)


def _customer_with(live: StripeGateway, payment_method: str) -> tuple[str, str]:
    customer = live.ensure_customer(f"contract-{uuid.uuid4().hex[:8]}", None)
    card = live.attach_card(customer, payment_method)
    return customer, card.payment_method_id


def test_off_session_charge_succeeds_once_per_key(live: StripeGateway) -> None:
    customer, card = _customer_with(live, "pm_card_visa")
    key = f"cp-tui-contract-{uuid.uuid4()}"
    first = live.charge(
        customer=customer,
        payment_method=card,
        amount=1500,
        currency="usd",
        idempotency_key=key,
        metadata={"cp_attempt": "contract"},
    )
    again = live.charge(
        customer=customer,
        payment_method=card,
        amount=1500,
        currency="usd",
        idempotency_key=key,
        metadata={"cp_attempt": "contract"},
    )
    assert first.outcome is Outcome.SUCCEEDED
    assert again.intent_id == first.intent_id


def test_decline_and_authentication_required(live: StripeGateway) -> None:
    customer, _card = _customer_with(live, "pm_card_visa")
    declined_customer, declined = _customer_with(live, "pm_card_chargeCustomerFail")
    result = live.charge(
        customer=declined_customer,
        payment_method=declined,
        amount=1500,
        currency="usd",
        idempotency_key=f"cp-tui-{uuid.uuid4()}",
        metadata={},
    )
    assert result.outcome is Outcome.DECLINED
    auth_customer, auth = _customer_with(live, "pm_card_authenticationRequired")
    result = live.charge(
        customer=auth_customer,
        payment_method=auth,
        amount=1500,
        currency="usd",
        idempotency_key=f"cp-tui-{uuid.uuid4()}",
        metadata={},
    )
    assert result.outcome is Outcome.NEEDS_CLIENT
    assert customer


def test_refund_with_an_explicit_amount(live: StripeGateway) -> None:
    customer, card = _customer_with(live, "pm_card_visa")
    charge = live.charge(
        customer=customer,
        payment_method=card,
        amount=2000,
        currency="usd",
        idempotency_key=f"cp-tui-{uuid.uuid4()}",
        metadata={},
    )
    assert charge.intent_id is not None
    refund = live.refund(
        intent_id=charge.intent_id, amount=500, idempotency_key=f"cp-tui-refund-{uuid.uuid4()}"
    )
    assert refund.outcome in (Outcome.SUCCEEDED, Outcome.PENDING)


def test_invoice_link_mirrors_the_amount(live: StripeGateway) -> None:
    customer = live.ensure_customer(f"contract-{uuid.uuid4().hex[:8]}", None)
    remote = live.create_invoice_link(
        customer=customer,
        amount=12345,
        currency="usd",
        label="Invoice CONTRACT",
        days_until_due=14,
        idempotency_key=f"cp-tui-link-{uuid.uuid4()}",
        metadata={"cp_invoice": "contract"},
    )
    assert remote.amount_due == 12345 and remote.url.startswith("https://")
    live.void_invoice(remote.remote_id)
    assert live.get_invoice(remote.remote_id).status == "void"
