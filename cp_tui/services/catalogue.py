"""The services catalogue."""

from __future__ import annotations

import builtins
from decimal import Decimal

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.models import Service
from cp_tui.money import MoneyError, from_minor, parse_tax_rate, to_minor
from cp_tui.services import ledger
from cp_tui.services.errors import InvalidInput, NotFound
from cp_tui.services.readmodels import ServiceRead
from cp_tui.services.textfields import check_length
from cp_tui.store import Database


def service_read(row: Service) -> ServiceRead:
    assert row.id is not None
    return ServiceRead(
        id=row.id,
        name=row.name,
        code=row.code,
        duration_min=row.duration_min,
        unit_price=row.unit_price,
        tax_rate=row.tax_rate,
        active=row.active,
    )


def parse_price(price: str | Decimal | int, currency: str) -> int:
    """A unit price typed in major units ("150.00"), never negative."""
    try:
        minor = to_minor(price, currency)
    except MoneyError as exc:
        raise InvalidInput(str(exc)) from None
    if minor < 0:
        raise InvalidInput(
            f"a price cannot be negative, got {from_minor(minor, currency)}; "
            "use a credit note instead"
        )
    return minor


def parse_rate(rate: str | Decimal | int) -> Decimal:
    try:
        return parse_tax_rate(rate)
    except MoneyError as exc:
        raise InvalidInput(str(exc)) from None


def check_duration(minutes: int) -> int:
    if not 5 <= minutes <= 24 * 60:
        raise InvalidInput(f"a duration is 5 to 1440 minutes, got {minutes}")
    return minutes


class CatalogueService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(
        self,
        *,
        name: str,
        price: str | Decimal | int,
        tax_rate: str | Decimal | None = None,
        duration_min: int = 50,
        code: str = "",
    ) -> ServiceRead:
        if not name.strip():
            raise InvalidInput("a service needs a name, e.g. --name 'Individual therapy'")
        with self._db.write() as session:
            settings = ledger.practice(session)
            row = Service(
                name=check_length(name, "a service's name", 200),
                code=check_length(code, "a service's code", 50),
                duration_min=check_duration(duration_min),
                unit_price=parse_price(price, settings.currency),
                tax_rate=settings.default_tax_rate if tax_rate is None else parse_rate(tax_rate),
            )
            session.add(row)
            session.flush()
            return service_read(row)

    def update(
        self,
        service_id: int,
        *,
        name: str | None = None,
        price: str | Decimal | int | None = None,
        tax_rate: str | Decimal | None = None,
        duration_min: int | None = None,
        code: str | None = None,
        active: bool | None = None,
    ) -> ServiceRead:
        with self._db.write() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(
                    f"no service with id {service_id}; `cp-tui services list` shows them"
                )
            if name is not None:
                if not name.strip():
                    raise InvalidInput("a service needs a name")
                row.name = check_length(name, "a service's name", 200)
            if price is not None:
                row.unit_price = parse_price(price, ledger.practice(session).currency)
            if tax_rate is not None:
                row.tax_rate = parse_rate(tax_rate)
            if duration_min is not None:
                row.duration_min = check_duration(duration_min)
            if code is not None:
                row.code = check_length(code, "a service's code", 50)
            if active is not None:
                row.active = active
            return service_read(row)

    def get(self, service_id: int) -> ServiceRead:
        with self._db.read() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(
                    f"no service with id {service_id}; `cp-tui services list` shows them"
                )
            return service_read(row)

    def list(self, *, include_inactive: bool = False) -> builtins.list[ServiceRead]:
        with self._db.read() as session:
            query = select(Service).order_by(col(Service.name))
            if not include_inactive:
                query = query.where(col(Service.active).is_(True))
            return [service_read(row) for row in session.exec(query).all()]
