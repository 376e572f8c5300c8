"""Fixtures for tests that need Stripe: the fake server on 127.0.0.1 and services on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cp_tui.adapters.stripe_gateway import StripeGateway
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.services.secrets import SecretStore
from tests.stripe_fake.control import TEST_KEY, FakeStripe, fake_stripe


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[FakeStripe]:
    with fake_stripe() as server:
        yield server


@pytest.fixture
def gateway(stripe_server: FakeStripe) -> StripeGateway:
    stripe_server.reset()
    return StripeGateway(TEST_KEY, api_base=stripe_server.base, timeout=5)


@pytest.fixture
def paid_services(tmp_path: Path, clock: FrozenClock, gateway: StripeGateway) -> Iterator[Services]:
    built = build_services(
        resolve_settings(tmp_path / "practice", environ={}),
        clock=clock,
        gateway=gateway,
        secrets=SecretStore(environ={}),
    )
    yield built
    built.close()
