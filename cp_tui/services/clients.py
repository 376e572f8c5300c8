"""Clients: who the practice sees and bills."""

from __future__ import annotations

import builtins
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    Attendee,
    BillingItem,
    Client,
    CreditEntry,
    Invoice,
    InvoiceKind,
    UninvoicedItem,
)
from cp_tui.money import line_amounts
from cp_tui.services import audit, client_list
from cp_tui.services.client_list import OWING_STATES, ClientFilter, ClientTotals
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from cp_tui.services.readmodels import ClientRead
from cp_tui.services.textfields import check_length
from cp_tui.store import Database

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str) -> str:
    email = check_length(email, "an e-mail address", 200)
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address (name@example.com)")
    return email


def get_client(session: Session, client_id: int) -> Client:
    row = session.get(Client, client_id)
    if row is None:
        raise NotFound(f"no client with id {client_id}; `cp-tui clients list` shows the ids")
    return row


# Columns, not Client rows: 5,000 ORM objects cost more than every query behind them.
_READ_COLUMNS = sql_select(
    col(Client.id),
    col(Client.name),
    col(Client.email),
    col(Client.phone),
    col(Client.address),
    col(Client.archived_at),
)


class Balances:
    """Credit, balance due and uninvoiced total for many clients in three queries.

    Every client at once (``client_ids`` None) is what the Clients screen reads on
    each visit, so each query is shaped to stay cheap with 150,000 invoices and
    300,000 items: only open invoices can owe anything (a paid one owes nothing,
    which ``cp-tui check`` confirms), and uninvoiced items come from the list the
    database keeps of them (``uninvoiced_item``) instead of testing every item.
    """

    def __init__(self, session: Session, client_ids: builtins.list[int] | None = None) -> None:
        credit_q = select(CreditEntry.client_id, func.sum(CreditEntry.amount)).group_by(
            col(CreditEntry.client_id)
        )
        # Summed here, not by GROUP BY: grouping makes SQLite walk every invoice in
        # client order instead of the few open ones through the status index.
        due_q = (
            select(
                col(Invoice.client_id),
                col(Invoice.total) - col(Invoice.credit_applied) - col(Invoice.amount_paid),
            )
            .where(col(Invoice.kind) == InvoiceKind.INVOICE)
            .where(col(Invoice.status).in_(OWING_STATES))
        )
        # Columns, not rows: building thousands of ORM objects costs more than the query.
        items_q = select(
            col(UninvoicedItem.client_id),
            col(BillingItem.units),
            col(BillingItem.unit_price),
            col(BillingItem.tax_rate),
        ).join(BillingItem, col(BillingItem.id) == col(UninvoicedItem.item_id))
        if client_ids is not None:
            credit_q = credit_q.where(col(CreditEntry.client_id).in_(client_ids))
            due_q = due_q.where(col(Invoice.client_id).in_(client_ids))
            items_q = items_q.where(col(UninvoicedItem.client_id).in_(client_ids))
        self.credit = {int(cid): int(total) for cid, total in session.execute(credit_q).all()}
        self.due: dict[int, int] = defaultdict(int)
        for client_id, left in session.execute(due_q).all():
            self.due[int(client_id)] += int(left)
        self.uninvoiced: dict[int, int] = defaultdict(int)
        # Thousands of items share a few prices: each distinct line is rounded once.
        amounts: dict[tuple[Decimal, int, Decimal], int] = {}
        for client_id, units, unit_price, tax_rate in session.execute(items_q).all():
            key = (units, unit_price, tax_rate)
            amount = amounts.get(key)
            if amount is None:
                amount = amounts[key] = line_amounts(units, unit_price, tax_rate).total
            self.uninvoiced[client_id] += amount

    def reads(self, rows: Iterable[Any]) -> builtins.list[ClientRead]:
        """Read models from rows of ``_READ_COLUMNS``."""
        credit, due, uninvoiced = self.credit, self.due, self.uninvoiced
        return [
            ClientRead(
                id=cid,
                name=name,
                email=email,
                phone=phone,
                address=address,
                archived=archived_at is not None,
                credit_balance=credit.get(cid, 0),
                balance_due=due.get(cid, 0),
                uninvoiced_total=uninvoiced.get(cid, 0),
            )
            for cid, name, email, phone, address, archived_at in rows
        ]

    def read(self, row: Client) -> ClientRead:
        assert row.id is not None
        return ClientRead(
            id=row.id,
            name=row.name,
            email=row.email,
            phone=row.phone,
            address=row.address,
            archived=row.archived_at is not None,
            credit_balance=self.credit.get(row.id, 0),
            balance_due=self.due.get(row.id, 0),
            uninvoiced_total=self.uninvoiced.get(row.id, 0),
        )


class ClientService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(self, *, name: str, email: str = "", phone: str = "", address: str = "") -> ClientRead:
        if not name.strip():
            raise InvalidInput("a client needs a name, e.g. --name 'Alex Rivera'")
        with self._db.write() as session:
            row = Client(
                name=check_length(name, "a client's name", 200),
                email=check_email(email),
                phone=check_length(phone, "a phone number", 50),
                address=check_length(address, "an address", 500),
                created_at=self._clock.now(),
            )
            session.add(row)
            session.flush()
            return Balances(session, [row.id or 0]).read(row)

    def update(
        self,
        client_id: int,
        *,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        address: str | None = None,
    ) -> ClientRead:
        with self._db.write() as session:
            row = get_client(session, client_id)
            if name is not None:
                if not name.strip():
                    raise InvalidInput("a client needs a name")
                row.name = check_length(name, "a client's name", 200)
            if email is not None:
                row.email = check_email(email)
            if phone is not None:
                row.phone = check_length(phone, "a phone number", 50)
            if address is not None:
                row.address = check_length(address, "an address", 500)
            return Balances(session, [client_id]).read(row)

    def get(self, client_id: int) -> ClientRead:
        with self._db.read() as session:
            return Balances(session, [client_id]).read(get_client(session, client_id))

    def list(
        self, *, search: str = "", include_archived: bool = False
    ) -> builtins.list[ClientRead]:
        with self._db.read() as session:
            query = _READ_COLUMNS.order_by(func.lower(Client.name), col(Client.id))
            if not include_archived:
                query = query.where(col(Client.archived_at).is_(None))
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    or_(
                        func.lower(Client.name).like(pattern),
                        func.lower(Client.email).like(pattern),
                    )
                )
            rows = session.execute(query).all()
            # A search sums the balances of the clients it found, not of the whole practice.
            balances = Balances(session, [r[0] for r in rows] if search.strip() else None)
            return balances.reads(rows)

    def page(self, wanted: ClientFilter, *, offset: int, limit: int) -> builtins.list[ClientRead]:
        """One page of the Clients screen, in ``list``'s order, with balances."""
        with self._db.read() as session:
            ids = client_list.page_ids(session, wanted, offset=offset, limit=limit)
            if not ids:
                return []
            rows = session.execute(_READ_COLUMNS.where(col(Client.id).in_(ids))).all()
            by_id = {int(row[0]): row for row in rows}
            return Balances(session, ids).reads(by_id[i] for i in ids)

    def totals(self, wanted: ClientFilter) -> ClientTotals:
        """How many clients the filter shows, of how many, and the sums of their balances."""
        with self._db.read() as session:
            return client_list.totals(session, wanted)

    def position(self, wanted: ClientFilter, client_id: int) -> int | None:
        """The row of a client in the filtered list, or None when the filter hides it."""
        with self._db.read() as session:
            return client_list.position(session, wanted, client_id)

    def has_history(self, session: Session, client_id: int) -> bool:
        checks = (
            select(Invoice.id).where(col(Invoice.client_id) == client_id),
            select(BillingItem.id).where(col(BillingItem.client_id) == client_id),
            select(CreditEntry.id).where(col(CreditEntry.client_id) == client_id),
            select(Attendee.id).where(col(Attendee.client_id) == client_id),
        )
        return any(session.exec(q.limit(1)).first() is not None for q in checks)

    def remove(self, client_id: int) -> str:
        """Delete a client with no history; archive one with money or sessions on record."""
        with self._db.write() as session:
            row = get_client(session, client_id)
            if self.has_history(session, client_id):
                if row.archived_at is None:
                    row.archived_at = self._clock.now()
                    audit.record(session, self._clock, "client.archive", client_id=client_id)
                return "archived"
            session.delete(row)
            return "deleted"

    def restore(self, client_id: int) -> ClientRead:
        with self._db.write() as session:
            row = get_client(session, client_id)
            if row.archived_at is None:
                raise NotAllowed(f"{row.name} is not archived")
            row.archived_at = None
            return Balances(session, [client_id]).read(row)
