"""Fixtures shared by every test: a real SQLite file in a temp folder, a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import Settings, resolve_settings

# Wednesday 25 November 2026, 14:00 at the practice.
FROZEN_NOW = datetime(2026, 11, 25, 14, 0)

settings.register_profile(
    "cp-tui",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("cp-tui")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "practice"


@pytest.fixture
def app_settings(data_dir: Path) -> Settings:
    return resolve_settings(data_dir, environ={})


@pytest.fixture
def services(app_settings: Settings, clock: FrozenClock) -> Iterator[Services]:
    built = build_services(app_settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def demo_services(services: Services) -> Services:
    services.demo.load()
    return services


class Practice:
    """Small builders for tests: a client, a service, a finished session."""

    def __init__(self, services: Services, clock: FrozenClock) -> None:
        self.s = services
        self.clock = clock

    def client(self, name: str = "Alex Rivera", email: str = "alex@example.com") -> int:
        return self.s.clients.add(name=name, email=email).id

    def service(self, price: str = "150.00", tax_rate: str = "0", name: str = "Therapy") -> int:
        return self.s.catalogue.add(name=name, price=price, tax_rate=tax_rate, code="90837").id

    def session(
        self,
        clients: list[int],
        services: list[int],
        start: datetime = datetime(2026, 11, 24, 10, 0),
        *,
        complete: bool = True,
    ) -> int:
        appt = self.s.calendar.add(client_ids=clients, service_ids=services, start=start)[0]
        if complete:
            self.s.calendar.complete(appt.id)
        return appt.id


@pytest.fixture
def practice(services: Services, clock: FrozenClock) -> Practice:
    return Practice(services, clock)
