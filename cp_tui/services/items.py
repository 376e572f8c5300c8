"""Billing items: listing, and editing one by one before they are invoiced."""

from __future__ import annotations

import builtins
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem, ClaimLine, InvoiceLine
from cp_tui.money import MoneyError, line_amounts, parse_units
from cp_tui.services import ledger, package_guards
from cp_tui.services.catalogue import parse_price, parse_rate
from cp_tui.services.clients import get_client
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from cp_tui.services.item_removal import remove_item
from cp_tui.services.readmodels import ItemRead
from cp_tui.services.textfields import check_length, check_year
from cp_tui.store import Database


def item_read(item: BillingItem, invoice_number: str | None) -> ItemRead:
    assert item.id is not None
    amounts = line_amounts(item.units, item.unit_price, item.tax_rate)
    return ItemRead(
        id=item.id,
        client_id=item.client_id,
        appointment_id=item.appointment_id,
        service_id=item.service_id,
        date=item.date,
        description=item.description,
        units=item.units,
        unit_price=item.unit_price,
        tax_rate=item.tax_rate,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.total,
        invoice_number=invoice_number,
    )


_ITEM_COLUMNS = (
    col(BillingItem.id),
    col(BillingItem.client_id),
    col(BillingItem.appointment_id),
    col(BillingItem.service_id),
    col(BillingItem.date),
    col(BillingItem.description),
    col(BillingItem.units),
    col(BillingItem.unit_price),
    col(BillingItem.tax_rate),
)


def _item_read_from_columns(row: tuple[Any, ...], invoice_number: str | None) -> ItemRead:
    """``item_read`` of a row of ``_ITEM_COLUMNS``."""
    item_id, client_id, appointment_id, service_id, day, description, units, price, rate = row
    amounts = line_amounts(units, price, rate)
    return ItemRead(
        id=item_id,
        client_id=client_id,
        appointment_id=appointment_id,
        service_id=service_id,
        date=day,
        description=description,
        units=units,
        unit_price=price,
        tax_rate=rate,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.total,
        invoice_number=invoice_number,
    )


def get_item(session: Session, item_id: int) -> BillingItem:
    row = session.get(BillingItem, item_id)
    if row is None:
        raise NotFound(f"no billing item with id {item_id}; `cp-tui items list` shows them")
    return row


def parse_units_input(units: str | Decimal) -> Decimal:
    try:
        return parse_units(units)
    except MoneyError as exc:
        raise InvalidInput(str(exc)) from None


class ItemService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list(
        self, *, client_id: int | None = None, uninvoiced: bool = False
    ) -> builtins.list[ItemRead]:
        with self._db.read() as session:
            # Columns, not ORM rows: a client's page lists hundreds of items.
            query = sa_select(*_ITEM_COLUMNS).order_by(col(BillingItem.date), col(BillingItem.id))
            if client_id is not None:
                get_client(session, client_id)
                query = query.where(col(BillingItem.client_id) == client_id)
            if uninvoiced:
                query = query.outerjoin(
                    InvoiceLine, col(InvoiceLine.active_item_id) == BillingItem.id
                ).where(col(InvoiceLine.id).is_(None))
            rows = [tuple(row) for row in session.execute(query)]
            # An uninvoiced item is on no live invoice: nothing to look up.
            numbers = {} if uninvoiced else ledger.invoiced_numbers(session, [r[0] for r in rows])
            return [_item_read_from_columns(r, numbers.get(r[0])) for r in rows]

    def get(self, item_id: int) -> ItemRead:
        with self._db.read() as session:
            item = get_item(session, item_id)
            return item_read(item, ledger.invoiced_numbers(session, [item_id]).get(item_id))

    def add(
        self,
        *,
        client_id: int,
        description: str,
        price: str | Decimal | int,
        units: str | Decimal = "1",
        tax_rate: str | Decimal | None = None,
        on: date | None = None,
    ) -> ItemRead:
        """A billing item that no appointment made (a report, a phone consult)."""
        if not description.strip():
            raise InvalidInput("an item needs a description")
        if on is not None:
            check_year(on, "the date")
        with self._db.write() as session:
            get_client(session, client_id)
            settings = ledger.practice(session)
            item = BillingItem(
                client_id=client_id,
                date=on or self._clock.today(),
                description=check_length(description, "a description", 500),
                units=parse_units_input(units),
                unit_price=parse_price(price, settings.currency),
                tax_rate=settings.default_tax_rate if tax_rate is None else parse_rate(tax_rate),
                created_at=self._clock.now(),
            )
            session.add(item)
            session.flush()
            return item_read(item, None)

    def edit(
        self,
        item_id: int,
        *,
        units: str | Decimal | None = None,
        price: str | Decimal | int | None = None,
        tax_rate: str | Decimal | None = None,
        description: str | None = None,
    ) -> ItemRead:
        with self._db.write() as session:
            item = get_item(session, item_id)
            number = ledger.invoiced_numbers(session, [item_id]).get(item_id)
            if number is not None:
                raise NotAllowed(
                    f"item {item_id} is on invoice {number}; edit the invoice instead "
                    f"(`cp-tui invoices edit {number} --line {item_id} ...`)"
                )
            if session.exec(select(ClaimLine.id).where(col(ClaimLine.item_id) == item_id)).first():
                raise NotAllowed(
                    f"item {item_id} is split with an insurer claim; its portions are fixed"
                )
            new_units = item.units if units is None else parse_units_input(units)
            new_price = (
                item.unit_price
                if price is None
                else parse_price(price, ledger.practice(session).currency)
            )
            new_rate = item.tax_rate if tax_rate is None else parse_rate(tax_rate)
            if (new_units, new_price, new_rate) != (item.units, item.unit_price, item.tax_rate):
                # A package's sale and its drawn sessions keep their amounts.
                package_guards.refuse_sale_price_change(session, item)
                package_guards.refuse_price_on_covered(session, item, new_price)
            item.units, item.unit_price, item.tax_rate = new_units, new_price, new_rate
            if description is not None:
                if not description.strip():
                    raise InvalidInput("an item needs a description")
                item.description = check_length(description, "a description", 500)
            session.flush()
            return item_read(item, None)

    def remove(self, item_id: int) -> str:
        """Delete an uninvoiced item added by mistake, a fee waived, a sale called off."""
        with self._db.write() as session:
            item = get_item(session, item_id)
            ledger.lock_client(session, item.client_id)
            return remove_item(session, self._clock, item)
