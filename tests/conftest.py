"""Fixtures shared by every test: a real SQLite file in a temp folder, a frozen clock.

The service tests in tests/unit also run on PostgreSQL when the suite has one
(tests/postgres.py: a throwaway server, or CP_TUI_TEST_DATABASE_URL): each such
test is parametrized ``[sqlite]`` and ``[postgresql]`` through the ``db_backend``
fixture. Tests of SQLite itself (store, backups, the command line) stay on
SQLite: their module is listed in SQLITE_ONLY_MODULES or marked ``sqlite_only``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import Settings, resolve_settings

if TYPE_CHECKING:
    from tests.postgres import PostgresServer

pytest_plugins = ["tests.stripe_fake.fixtures"]

# Wednesday 25 November 2026, 14:00 at the practice.
FROZEN_NOW = datetime(2026, 11, 25, 14, 0)

settings.register_profile(
    "cp-tui",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("cp-tui")

SQLITE_ONLY_MODULES = {"test_store.py", "test_cli.py", "test_layers.py"}
# Tests that read SQLite's own query plans or pragmas, in modules that run on both.
SQLITE_ONLY_TESTS = {
    "test_a_page_walks_an_index_instead_of_sorting_every_invoice",
    "test_the_list_index_is_in_the_schema",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a service test that runs on SQLite only")


def pytest_report_header(config: pytest.Config) -> str:
    from tests.postgres import unavailable_reason

    reason = unavailable_reason()
    return "service tests on: sqlite" + (
        f" (no postgresql: {reason})" if reason else ", postgresql"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Service tests in tests/unit run once per backend; everything else on SQLite."""
    if "db_backend" not in metafunc.fixturenames:
        return
    path = metafunc.definition.path
    if (
        path.parent.name != "unit"
        or path.name in SQLITE_ONLY_MODULES
        or metafunc.definition.originalname in SQLITE_ONLY_TESTS
        or metafunc.definition.get_closest_marker("sqlite_only") is not None
    ):
        return
    from tests.postgres import unavailable_reason

    if unavailable_reason() is None:
        metafunc.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    from tests.postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(db_backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite (the file in ``data_dir``), else a fresh PostgreSQL database."""
    if db_backend != "postgresql":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_NOW)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "practice"


@pytest.fixture
def app_settings(data_dir: Path, database_url: str | None) -> Settings:
    return resolve_settings(
        data_dir, environ={"CP_TUI_DATABASE_URL": database_url} if database_url else {}
    )


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
