"""The Clients screen's list in SQL: a filter, one page of rows, and the totals of all shown.

A page reads 200 clients and their balances; the totals of everything the
filter shows are summed by the database over the few rows that can hold money
(credit entries, open invoices, uninvoiced items), so 5,000 clients cost one
page and three small sums, typed letter by letter.

The filter: every typed word is in the name or the e-mail, case ignored. On
SQLite, ``lower()`` and LIKE fold ASCII only, so a word with other letters is
matched through a ``casefold`` function the store registers (Python's
``str.casefold``: "élodie" finds "Élodie"); an ASCII word uses LIKE itself.
PostgreSQL's ``lower()`` folds letters by the database's locale (every letter
under a UTF-8 locale, ASCII only under "C").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from cp_tui.models import (
    BillingItem,
    Client,
    CreditEntry,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    UninvoicedItem,
)
from cp_tui.money import line_amounts

SelectT = TypeVar("SelectT", bound=Select)

# An invoice in any other state owes nothing: paid, void, draft, or a credit note.
OWING_STATES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID)


@dataclass(frozen=True, slots=True)
class ClientFilter:
    """What the list shows: typed words (already split) and whether archived clients too."""

    words: tuple[str, ...] = ()
    include_archived: bool = False

    @classmethod
    def of(cls, text: str, *, include_archived: bool = False) -> ClientFilter:
        return cls(tuple(text.split()), include_archived)


@dataclass(frozen=True, slots=True)
class ClientTotals:
    """The footer of the Clients screen: how many are shown of how many, and their sums."""

    shown: int
    every: int
    uninvoiced: int
    balance_due: int
    credit: int


def _contains(column: Any, word: str, dialect: str) -> ColumnElement[bool]:
    if dialect != "sqlite":
        return func.lower(column).like(_like(word.lower()), escape="\\")
    if word.isascii():
        # SQLite's own LIKE ignores ASCII case, at C speed: no Python call per row.
        return column.like(_like(word), escape="\\")
    return func.casefold(column).like(_like(word.casefold()), escape="\\")


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_shown(query: SelectT, wanted: ClientFilter, dialect: str) -> SelectT:
    """Narrow a query over ``Client`` to the clients the filter shows."""
    if not wanted.include_archived:
        query = query.where(col(Client.archived_at).is_(None))
    for word in wanted.words:
        query = query.where(
            or_(
                _contains(col(Client.name), word, dialect),
                _contains(col(Client.email), word, dialect),
            )
        )
    return query


def shown_ids(wanted: ClientFilter, dialect: str) -> Select[Any]:
    return where_shown(sql_select(col(Client.id)), wanted, dialect)


def sort_key() -> tuple[Any, Any]:
    # The same order as ClientService.list, so the screen and `clients list` agree.
    return func.lower(col(Client.name)), col(Client.id)


def page_ids(session: Session, wanted: ClientFilter, *, offset: int, limit: int) -> list[int]:
    query = shown_ids(wanted, _dialect(session)).order_by(*sort_key())
    rows = session.execute(query.offset(max(offset, 0)).limit(max(limit, 0))).scalars()
    return [int(i) for i in rows]


def position(session: Session, wanted: ClientFilter, client_id: int) -> int | None:
    """Where a client stands in the filtered list (its row index), or None if not shown."""
    dialect = _dialect(session)
    found = session.execute(shown_ids(wanted, dialect).where(col(Client.id) == client_id)).scalar()
    if found is None:
        return None
    name_key, id_key = sort_key()
    own_name = sql_select(func.lower(col(Client.name))).where(col(Client.id) == client_id)
    own = own_name.scalar_subquery()
    before = where_shown(sql_select(func.count(col(Client.id))), wanted, dialect).where(
        or_(name_key < own, and_(name_key == own, id_key < client_id))
    )
    return int(session.execute(before).scalar_one())


def _belongs(column: Any, wanted: ClientFilter, dialect: str) -> ColumnElement[bool] | None:
    """A condition on a client_id column for "shown by the filter", the cheapest way round.

    Without typed words the list is everyone, or everyone but the few archived:
    naming those few lets each sum walk its own index instead of 5,000 client ids.
    """
    if wanted.words:
        return col(column).in_(shown_ids(wanted, dialect).scalar_subquery())
    if wanted.include_archived:
        return None
    archived = sql_select(col(Client.id)).where(col(Client.archived_at).is_not(None))
    return col(column).not_in(archived.scalar_subquery())


def _within(query: SelectT, condition: ColumnElement[bool] | None) -> SelectT:
    return query if condition is None else query.where(condition)


def totals(session: Session, wanted: ClientFilter) -> ClientTotals:
    dialect = _dialect(session)
    count = where_shown(sql_select(func.count(col(Client.id))), wanted, dialect)
    everyone = ClientFilter(include_archived=wanted.include_archived)
    every = where_shown(sql_select(func.count(col(Client.id))), everyone, dialect)
    credit = _within(
        sql_select(func.coalesce(func.sum(col(CreditEntry.amount)), 0)),
        _belongs(CreditEntry.client_id, wanted, dialect),
    )
    left = col(Invoice.total) - col(Invoice.credit_applied) - col(Invoice.amount_paid)
    due = _within(
        sql_select(func.coalesce(func.sum(left), 0))
        .where(col(Invoice.kind) == InvoiceKind.INVOICE)
        .where(col(Invoice.status).in_(OWING_STATES)),
        _belongs(Invoice.client_id, wanted, dialect),
    )
    return ClientTotals(
        shown=int(session.execute(count).scalar_one()),
        every=int(session.execute(every).scalar_one()),
        uninvoiced=uninvoiced_total(session, _belongs(UninvoicedItem.client_id, wanted, dialect)),
        balance_due=int(session.execute(due).scalar_one()),
        credit=int(session.execute(credit).scalar_one()),
    )


def uninvoiced_total(session: Session, condition: ColumnElement[bool] | None) -> int:
    """The uninvoiced items of these clients, each distinct line rounded once and counted."""
    query = _within(
        sql_select(
            col(BillingItem.units),
            col(BillingItem.unit_price),
            col(BillingItem.tax_rate),
            func.count(),
        ).join(UninvoicedItem, col(UninvoicedItem.item_id) == col(BillingItem.id)),
        condition,
    ).group_by(col(BillingItem.units), col(BillingItem.unit_price), col(BillingItem.tax_rate))
    total = 0
    for units, unit_price, tax_rate, count in session.execute(query).all():
        amount = line_amounts(Decimal(units), int(unit_price), Decimal(tax_rate)).total
        total += amount * int(count)
    return total


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
