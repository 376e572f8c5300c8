"""The demo practice: loaded from data/ with dates placed around the day it is loaded.

The loader replays eight weeks of a practice through the real use cases, with a
clock that walks through time: sessions are completed when they end, items of
recurring sessions are generated on purpose, invoices go out on Fridays and
most are paid a few days later, so every figure in the demo obeys the same rules
as a real practice.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from cp_tui.clock import Clock, FrozenClock
from cp_tui.models import Client
from cp_tui.money import from_minor
from cp_tui.services.calendar import CalendarService
from cp_tui.services.catalogue import CatalogueService
from cp_tui.services.clients import ClientService
from cp_tui.services.credits import CreditService
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.insurance import InsuranceService
from cp_tui.services.invoicing import InvoiceService
from cp_tui.services.items import ItemService
from cp_tui.services.payments import PaymentService
from cp_tui.services.practice import PracticeService
from cp_tui.store import Database

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_practice.json"


class DemoService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def is_empty(self) -> bool:
        with self._db.read() as session:
            return session.exec(select(Client.id).limit(1)).first() is None

    def load(self, path: Path = DEMO_FILE) -> dict[str, int]:
        """Replay the demo practice into an empty database; returns counts."""
        if not self.is_empty():
            raise NotAllowed(
                "this practice already has clients; the demo loads into an empty one "
                "(`cp-tui demo --reset` starts the demo practice afresh)"
            )
        try:
            spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"cannot read the demo practice at {path}: {exc}") from exc
        return _Replay(self._db, self._clock, spec).run()


class _Replay:
    def __init__(self, db: Database, clock: Clock, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.now = clock.local_now()
        today = clock.today()
        self.monday = today - timedelta(days=today.weekday())
        self.clock = FrozenClock(self.now)
        self.practice = PracticeService(db, self.clock)
        self.clients = ClientService(db, self.clock)
        self.catalogue = CatalogueService(db, self.clock)
        self.calendar = CalendarService(db, self.clock)
        self.items = ItemService(db, self.clock)
        self.invoices = InvoiceService(db, self.clock)
        self.credits = CreditService(db, self.clock)
        self.payments = PaymentService(db, self.clock)
        self.insurance = InsuranceService(db, self.clock)
        self.client_ids: dict[str, int] = {}
        self.service_ids: dict[str, int] = {}
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.counts = {"clients": 0, "appointments": 0, "invoices": 0, "payments": 0}

    def at(self, week: int, weekday: int, clock_time: str = "00:00") -> datetime:
        day = self.monday + timedelta(weeks=week, days=weekday)
        return datetime.combine(day, time.fromisoformat(clock_time))

    def schedule(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= self.now:
            heapq.heappush(self.events, (when, next(self._seq), action))

    def run(self) -> dict[str, int]:
        self.practice.update(**self.spec["practice"])
        for svc in self.spec["services"]:
            service = self.catalogue.add(
                name=svc["name"],
                code=svc.get("code", ""),
                price=svc["price"],
                duration_min=svc.get("duration", 50),
                tax_rate=svc.get("tax_rate"),
            )
            self.service_ids[svc["key"]] = service.id
        for client in self.spec["clients"]:
            person = self.clients.add(
                name=client["name"], email=client.get("email", ""), phone=client.get("phone", "")
            )
            self.client_ids[client["key"]] = person.id
            self.counts["clients"] += 1
        first_week = min(s["week"] for s in self.spec["series"] + self.spec["appointments"])
        self.clock.set(self.at(first_week - 1, 0, "09:00"))
        for policy in self.spec["insurance"]["policies"]:
            self.insurance.set_policy(
                self.client_ids[policy["client"]],
                payer=policy["payer"],
                member_id=policy["member_id"],
                copay=policy.get("copay"),
                copay_percent=policy.get("copay_percent"),
            )
        self.bill_to: dict[int, int] = {}
        self.partly_paid = {self.client_ids[k]: v for k, v in self.spec["partly_paid"].items()}
        for series in self.spec["series"]:
            self._book(series, recurring=True)
        for single in self.spec["appointments"]:
            self._book(single, recurring=False)
        for week in range(first_week, 0):
            self.schedule(self.at(week, 4, "17:00"), self._friday_run)
        for note in self.spec["credit_notes"]:
            self.schedule(self.at(note["week"], note["weekday"], "12:00"), self._credit(note))
        while self.events:
            when, _, action = heapq.heappop(self.events)
            self.clock.set(when)
            action()
        return self.counts

    def _book(self, spec: dict[str, Any], *, recurring: bool) -> None:
        clients = [self.client_ids[k] for k in spec["clients"]]
        start = self.at(spec["week"], spec["weekday"], spec["time"])
        self.clock.set(start - timedelta(days=7))
        booked = self.calendar.add(
            client_ids=clients,
            service_ids=[self.service_ids[k] for k in spec["services"]],
            start=start,
            repeat=spec.get("repeat", "weekly") if recurring else None,
            count=spec.get("weeks") if recurring else None,
        )
        self.counts["appointments"] += len(booked)
        if "bill_to" in spec:
            payer = self.client_ids[spec["bill_to"]]
            for client_id in clients:
                self.bill_to[client_id] = payer
        for index, appt in enumerate(booked):
            end = appt.start + timedelta(minutes=appt.duration_min)
            if index in spec.get("cancelled", []):
                self.schedule(appt.start - timedelta(hours=20), self._status(appt.id, "cancel"))
            elif index in spec.get("no_show", []):
                self.schedule(end, self._status(appt.id, "no_show"))
            elif not recurring:
                self.schedule(end, self._status(appt.id, "complete"))
            elif appt.start.date() < self.monday:
                # Last week and before: the practitioner generated those items.
                self.schedule(end, self._generate(appt.id))

    def _status(self, appointment_id: int, action: str) -> Callable[[], None]:
        return lambda: getattr(self.calendar, action)(appointment_id)

    def _generate(self, appointment_id: int) -> Callable[[], None]:
        def generate() -> None:
            self.calendar.generate_items(appointment_id)

        return generate

    def _credit(self, note: dict[str, Any]) -> Callable[[], None]:
        def issue() -> None:
            self.credits.add(
                client_id=self.client_ids[note["client"]],
                amount=note["amount"],
                reason=note["reason"],
            )

        return issue

    def _friday_run(self) -> None:
        """One invoice per client with uninvoiced items; couples billed to one partner."""
        self._claims_week()
        grouped: dict[int, list[int]] = {}
        for item in self.items.list(uninvoiced=True):
            payer = self.bill_to.get(item.client_id, item.client_id)
            grouped.setdefault(payer, []).append(item.id)
        methods = self.spec["payment_methods"]
        unpaid = {self.client_ids[k] for k in self.spec["unpaid"]}
        partly = self.partly_paid
        friday = self.clock.today()
        for payer, item_ids in sorted(grouped.items()):
            invoice = self.invoices.create(
                client_id=payer,
                item_ids=item_ids,
                bill_to=payer,
                apply_credit=self.credits.balance(payer) > 0,
            )
            self.counts["invoices"] += 1
            if invoice.amount_due <= 0 or payer in unpaid:
                continue
            paid_on = friday + timedelta(days=3 + payer % 4)
            if payer in partly:
                amount = partly.pop(payer)
            elif friday >= self.monday - timedelta(days=3) and payer % 2:
                continue  # some of last Friday's invoices are still open
            else:
                amount = str(from_minor(invoice.amount_due, invoice.currency))
            method = methods[(payer + invoice.id) % len(methods)]
            self.schedule(
                datetime.combine(paid_on, time(9, 30)), self._pay(invoice.number, amount, method)
            )

    def _claims_week(self) -> None:
        """Submit the claims of sessions old enough; the insurer pays those long submitted."""
        rules = self.spec["insurance"]
        currency = self.spec["practice"]["currency"]
        friday = self.clock.today()
        for claim in self.insurance.claims(status="submitted"):
            assert claim.submitted_on is not None
            if (friday - claim.submitted_on).days >= rules["paid_after_days"]:
                self.insurance.record_payment(claim.id, from_minor(claim.amount, currency))
        due = [
            claim.id
            for claim in self.insurance.claims(status="to_submit")
            if (friday - claim.date_of_service).days >= rules["submit_after_days"]
        ]
        if due:
            self.insurance.submit(due, f"EDI-{friday:%Y%m%d}")

    def _pay(self, number: str, amount: str, method: str) -> Callable[[], None]:
        def pay() -> None:
            self.payments.record(number, amount=amount, method=method)
            self.counts["payments"] += 1

        return pay


def demo_marker(data_dir: Path) -> Path:
    """A file that marks a data folder as holding the demo practice (safe to reset)."""
    return data_dir / "DEMO-PRACTICE"


def mark_as_demo(data_dir: Path) -> None:
    """Write the marker, private like every file of the data folder."""
    marker = demo_marker(data_dir)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("This folder holds the cp-tui demo practice; `cp-tui demo --reset` reloads it.\n")
    os.chmod(marker, 0o600)
