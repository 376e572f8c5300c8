"""A big, deterministic practice to measure on, written with bulk inserts.

    .venv/bin/python -m bench.generate                # scale 1: build (once), print counts
    .venv/bin/python -m bench.generate --scale 0.1 --check
    cp -r "$(.venv/bin/python -m bench.generate --print-path)" /tmp/big  # a copy to look at:
    .venv/bin/cp-tui --data-dir /tmp/big        # (never open the cached file itself)

At scale 1: 5,000 clients, 250,000 appointments over five years (with their
attendees and charges), 300,000 billing items and about 150,000 invoices and
credit notes with their lines, payments, credit ledger and audit rows.

The schema is made by ``build_services`` on an empty folder (so it is exactly
the migrated schema), the practice settings and services through the
services; everything else is written with plain ``sqlite3.executemany`` in one
transaction. The rows obey cp-tui's rules, which ``cp-tui check`` (and
tests/unit/test_bench_generate.py) verifies: line amounts by
``cp_tui.money.line_amounts``; totals are sums of lines; ``amount_paid`` is
the sum of the payments applied; credit taken never exceeds the ledger, so no
client's balance dips below zero; numbers 1..n per series in issue order with
``number_series`` set to continue; a void invoice frees its items.

The practice's "today" is ``ANCHOR`` (fixed, so every build is the same file):
its last five years are history, its next four weeks are booked, recent items
are not invoiced yet and recent invoices are still being paid.

Built files are cached in bench/.cache/ under a key of scale, generator version
and schema revision; ``work_copy`` hands a benchmark a fresh copy to change.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cp_tui.money import LineAmounts, format_money, line_amounts

GENERATOR_VERSION = 1
ANCHOR = date(2026, 11, 25)  # the practice's "today": a Wednesday
ANCHOR_NOON = datetime(2026, 11, 25, 12, 0)
FIRST_DAY = ANCHOR - timedelta(days=5 * 365)
BOOKED_AHEAD_DAYS = 28
UNINVOICED_DAYS = 30  # items of the last month are not invoiced yet
HEAVY_ITEMS = 200  # clients "with 200 items" (uninvoiced) for the open-a-client action
CACHE = Path(__file__).parent / ".cache"
SEED = 20261125

FULL = {"clients": 5_000, "appointments": 250_000, "items": 300_000, "invoices": 150_000}

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Robin",
    "Drew",
    "Harper",
    "Rowan",
    "Elliot",
    "Noor",
    "Priya",
    "Mateo",
    "Sofia",
    "Liam",
    "Amara",
    "Kenji",
    "Lucia",
    "Omar",
    "Ines",
    "Tomasz",
    "Freya",
    "Ravi",
    "Chloe",
    "Marcus",
    "Hana",
    "Diego",
    "Zara",
    "Felix",
    "Maya",
    "Ayesha",
    "Jonah",
    "Leila",
    "Oscar",
    "Nadia",
]
LAST_NAMES = [
    "Rivera",
    "Chen",
    "Okafor",
    "Novak",
    "Patel",
    "Kim",
    "Garcia",
    "Smith",
    "Nguyen",
    "Haddad",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Silva",
    "Tanaka",
    "Murphy",
    "Larsen",
    "Dubois",
    "Ahmed",
    "Cohen",
    "Fischer",
    "Moreau",
    "Singh",
    "Walsh",
    "Brooks",
    "Lopez",
    "Bauer",
    "Ito",
    "Evans",
    "Price",
    "Hughes",
    "Ward",
    "Reyes",
    "Kaur",
    "Mensah",
    "Ortiz",
    "Petrov",
    "Yilmaz",
    "Bianchi",
    "Sato",
]

# name, code, minutes, price (minor units), tax rate, attendees
SERVICES = (
    ("Individual therapy", "90837", 50, 15000, "0", 1),
    ("Couples therapy", "90847", 60, 18000, "0", 2),
    ("Group session", "90853", 90, 6000, "0", 4),
    ("Extended session", "90837-22", 80, 15000, "0", 1),
)
# Items no appointment made: (description, units, price, tax rate). The last has
# a tax that rounds, so the one rounding rule is exercised.
EXTRA_ITEMS = (
    ("Progress report", Decimal(1), 8000, Decimal(0)),
    ("Phone consultation", Decimal("0.5"), 15000, Decimal(0)),
    ("Workbook", Decimal(1), 2499, Decimal("7.25")),
)


@dataclass(frozen=True, slots=True)
class Size:
    clients: int
    appointments: int
    items: int
    invoices: int
    heavy_clients: int

    @classmethod
    def at(cls, scale: float) -> Size:
        def n(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            clients=n(FULL["clients"], 12),
            appointments=n(FULL["appointments"], 60),
            items=n(FULL["items"], 72),
            invoices=n(FULL["invoices"], 30),
            heavy_clients=max(1, round(10 * scale)),
        )


@dataclass(slots=True)
class Built:
    """What a build made, and which clients a benchmark can use for what."""

    scale: float
    counts: dict[str, int]
    seconds: float
    heavy_clients: list[int]
    clients_with_uninvoiced: list[int]
    search_words: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "scale": self.scale,
                "counts": self.counts,
                "seconds": self.seconds,
                "heavy_clients": self.heavy_clients,
                "clients_with_uninvoiced": self.clients_with_uninvoiced,
                "search_words": self.search_words,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Built:
        data = json.loads(text)
        return cls(**data)


# -- stored forms, as SQLAlchemy writes them to SQLite ------------------------------------


def _dt(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")  # as strftime("%Y-%m-%d %H:%M:%S.%f")


_SCALED: dict[Decimal, int] = {}


def _scaled(value: Decimal) -> int:
    got = _SCALED.get(value)
    if got is None:
        got = _SCALED[value] = int(value * 1000)
    return got


@dataclass(slots=True)
class _Invoice:
    id: int
    kind: str
    client_id: int
    issue: date
    lines: list[tuple[int, str, date | None, Decimal, int, Decimal, LineAmounts]]
    void: bool = False
    corrects: int | None = None
    reason: str = ""
    number: str = ""
    subtotal: int = 0
    tax: int = 0
    total: int = 0
    credit_applied: int = 0
    amount_paid: int = 0
    status: str = "unpaid"

    def due(self) -> int:
        if self.kind != "invoice" or self.void:
            return 0
        return self.total - self.credit_applied - self.amount_paid

    def settle(self) -> None:
        if self.void:
            self.status = "void"
        elif self.kind == "credit_note" or self.due() <= 0:
            self.status = "paid"
        elif self.amount_paid > 0:
            self.status = "partially paid"
        else:
            self.status = "unpaid"


class _Generator:
    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.size = Size.at(scale)
        self.rng = random.Random(f"{SEED}-{scale}")
        self.amounts: dict[tuple[Decimal, int, Decimal], LineAmounts] = {}
        self.rows: dict[str, list[tuple[object, ...]]] = defaultdict(list)

    def line(self, units: Decimal, price: int, rate: Decimal) -> LineAmounts:
        key = (units, price, rate)
        got = self.amounts.get(key)
        if got is None:
            got = self.amounts[key] = line_amounts(units, price, rate)
        return got

    # -- people and sessions ------------------------------------------------------------

    def clients(self) -> None:
        rng, created = self.rng, _dt(datetime.combine(FIRST_DAY, datetime.min.time()))
        for cid in range(1, self.size.clients + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}.{cid}@example.com".lower()
            phone = f"+1 555 {cid:07d}"
            self.rows["client"].append((cid, f"{first} {last}", email, phone, "", created, None, 0))

    def sessions(self, service_ids: list[int]) -> None:
        """Appointments spread evenly from FIRST_DAY to four weeks ahead, 8:00 to 19:30."""
        rng, size = self.rng, self.size
        days = (ANCHOR - FIRST_DAY).days + BOOKED_AHEAD_DAYS
        regular = range(size.heavy_clients + 1, size.clients + 1)
        attendee_id = charge_id = 0
        self.session_items: list[tuple[object, ...]] = []
        for appt_id in range(1, size.appointments + 1):
            day = FIRST_DAY + timedelta(days=(appt_id - 1) * days // size.appointments)
            start = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=8 * 60 + 30 * rng.randrange(24)
            )
            pick = rng.random()
            kind = 0 if pick < 0.82 else 1 if pick < 0.94 else 2 if pick < 0.97 else 3
            name, code, minutes, price, rate_text, people = SERVICES[kind]
            rate = Decimal(rate_text)
            if start > ANCHOR_NOON:
                status = "scheduled"
            else:
                roll = rng.random()
                status = "cancelled" if roll < 0.04 else "no-show" if roll < 0.06 else "completed"
            units = Decimal(1)
            self.rows["appointment"].append(
                (appt_id, _dt(start), minutes, status, None, "", _dt(start - timedelta(days=14)))
            )
            chosen = [rng.choice(regular)] if people == 1 else rng.sample(regular, people)
            for position, client_id in enumerate(chosen):
                attendee_id += 1
                charge_id += 1
                self.rows["attendee"].append((attendee_id, appt_id, client_id, position))
                self.rows["charge"].append(
                    (
                        charge_id,
                        appt_id,
                        client_id,
                        service_ids[kind],
                        _scaled(units),
                        price,
                        _scaled(rate),
                    )
                )
                if status == "completed":
                    self.session_items.append(
                        (
                            client_id,
                            appt_id,
                            charge_id,
                            service_ids[kind],
                            day,
                            f"{name} ({code})",
                            units,
                            price,
                            rate,
                            start + timedelta(minutes=minutes),
                        )
                    )

    def items(self) -> None:
        """Items of completed sessions, then extras up to the target; heavy clients' 200."""
        rng, size = self.rng, self.size
        extra = size.items - len(self.session_items) - size.heavy_clients * HEAVY_ITEMS
        heavy_rows = []
        for client_id in range(1, size.heavy_clients + 1):
            for week in range(HEAVY_ITEMS):
                day = ANCHOR - timedelta(days=7 * (HEAVY_ITEMS - week))
                units, price, rate = Decimal(1), 15000, Decimal(0)
                heavy_rows.append(
                    (
                        client_id,
                        None,
                        None,
                        None,
                        day,
                        "Weekly session (billed at year end)",
                        units,
                        price,
                        rate,
                        datetime.combine(day, datetime.min.time()),
                    )
                )
        extras = []
        span = (ANCHOR - FIRST_DAY).days
        for _ in range(max(extra, 0)):
            desc, units, price, rate = rng.choice(EXTRA_ITEMS)
            day = FIRST_DAY + timedelta(days=rng.randrange(span))
            client_id = rng.randint(size.heavy_clients + 1, size.clients)
            extras.append(
                (
                    client_id,
                    None,
                    None,
                    None,
                    day,
                    desc,
                    units,
                    price,
                    rate,
                    datetime.combine(day, datetime.min.time()),
                )
            )
        everything = sorted(self.session_items + extras, key=lambda r: (r[4], r[0])) + sorted(
            heavy_rows, key=lambda r: (r[4], r[0])
        )
        # id, client, appointment, charge, service, date, description, units, price, rate
        self.items_by_client: dict[int, list[tuple[int, date, str, Decimal, int, Decimal]]] = (
            defaultdict(list)
        )
        for item_id, row in enumerate(everything, start=1):
            client_id, appt, charge, service, day, desc, units, price, rate, made = row
            assert isinstance(client_id, int) and isinstance(day, date)
            assert isinstance(units, Decimal) and isinstance(rate, Decimal)
            assert isinstance(price, int) and isinstance(desc, str) and isinstance(made, datetime)
            self.rows["billing_item"].append(
                (
                    item_id,
                    client_id,
                    appt,
                    charge,
                    service,
                    day.isoformat(),
                    desc,
                    _scaled(units),
                    price,
                    _scaled(rate),
                    _dt(made),
                )
            )
            if client_id > size.heavy_clients:
                self.items_by_client[client_id].append((item_id, day, desc, units, price, rate))

    # -- invoicing ---------------------------------------------------------------------------

    def invoices(self) -> None:
        rng, size = self.rng, self.size
        cutoff = ANCHOR - timedelta(days=UNINVOICED_DAYS)
        billable = sum(
            1 for items in self.items_by_client.values() for item in items if item[1] < cutoff
        )
        # Chunks of 1-3 items: pick the mix whose mean gives the target invoice count
        # (a few percent of credit notes and voids come on top of the chunks).
        mean = min(max(billable / max(size.invoices * 0.975, 1), 1.0), 3.0)
        p_one = max(0.0, 2.0 - mean) if mean < 2 else 0.0
        p_three = mean - 2.0 if mean >= 2 else 0.0
        made: list[_Invoice] = []
        self.uninvoiced_clients: set[int] = set()
        for client_id in sorted(self.items_by_client):
            items = self.items_by_client[client_id]
            old = [i for i in items if i[1] < cutoff]
            if len(old) < len(items):
                self.uninvoiced_clients.add(client_id)
            at = 0
            while at < len(old):
                roll = rng.random()
                take = 1 if roll < p_one else 3 if roll > 1 - p_three else 2
                chunk = old[at : at + take]
                at += take
                issue = min(chunk[-1][1] + timedelta(days=rng.randrange(7)), ANCHOR)
                lines = [
                    (item_id, desc, day, units, price, rate, self.line(units, price, rate))
                    for item_id, day, desc, units, price, rate in chunk
                ]
                if rng.random() < 0.005:  # issued, voided, issued again the same day
                    made.append(_Invoice(0, "invoice", client_id, issue, lines, void=True))
                made.append(_Invoice(0, "invoice", client_id, issue, lines))
                if rng.random() < 0.02:  # a sliding-scale adjustment a week later
                    net = lines[0][6].net // 2
                    one, zero = Decimal(1), Decimal(0)
                    amounts = self.line(one, -net, zero)
                    note = _Invoice(
                        0,
                        "credit_note",
                        client_id,
                        min(issue + timedelta(days=7), ANCHOR),
                        [(0, "Sliding-scale adjustment", None, one, -net, zero, amounts)],
                        reason="Sliding-scale adjustment",
                    )
                    note.corrects = id(made[-1])
                    made.append(note)
        # Issue order: by day; a credit note after the invoice it corrects (same client).
        order = sorted(range(len(made)), key=lambda n: (made[n].issue, made[n].client_id, n))
        by_identity: dict[int, _Invoice] = {id(inv): inv for inv in made}
        numbers = {"invoice": 0, "credit_note": 0}
        for invoice_id, n in enumerate(order, start=1):
            made[n].id = invoice_id
        self.issued = [made[n] for n in order]
        for invoice in self.issued:
            if invoice.corrects is not None:
                invoice.corrects = by_identity[invoice.corrects].id
        self._simulate(numbers)
        self.next_numbers = {kind: value + 1 for kind, value in numbers.items()}

    def _simulate(self, numbers: dict[str, int]) -> None:
        """Issue, credit and pay in issue order, keeping every running figure honest."""
        rng = self.rng
        credit: dict[int, int] = defaultdict(int)
        by_id = {inv.id: inv for inv in self.issued}
        pay_id = credit_id = line_id = 0
        rows = self.rows

        def audit(at: datetime, action: str, client: int, invoice: int, detail: str) -> None:
            # No id: the empty practice already holds the settings' audit rows.
            rows["audit_entry"].append((_dt(at), action, client, invoice, detail, "", ""))

        def ledger(
            at: datetime, client: int, amount: int, kind: str, invoice: int, payment: int | None
        ) -> None:
            nonlocal credit_id
            credit_id += 1
            credit[client] += amount
            assert credit[client] >= 0, "the credit ledger never dips below zero"
            rows["credit_entry"].append(
                (credit_id, client, amount, kind, invoice, payment, kind.replace("_", " "), _dt(at))
            )

        for inv in self.issued:
            numbers[inv.kind] += 1
            prefix = "INV-" if inv.kind == "invoice" else "CN-"
            inv.number = f"{prefix}{numbers[inv.kind]:04d}"  # ledger.format_number
            moment = datetime.combine(inv.issue, datetime.min.time()) + timedelta(hours=17)
            for position, (item_id, desc, day, units, price, rate, amounts) in enumerate(inv.lines):
                line_id += 1
                live = item_id if item_id and not inv.void else None
                rows["invoice_line"].append(
                    (
                        line_id,
                        inv.id,
                        position,
                        item_id or None,
                        live,
                        day.isoformat() if day else inv.issue.isoformat(),
                        desc,
                        _scaled(units),
                        price,
                        _scaled(rate),
                        amounts.net,
                        amounts.tax,
                    )
                )
                inv.subtotal += amounts.net
                inv.tax += amounts.tax
            inv.total = inv.subtotal + inv.tax
            if inv.kind == "credit_note":
                audit(moment, "credit_note.issue", inv.client_id, inv.id, inv.number)
                ledger(moment, inv.client_id, -inv.total, "credit_note", inv.id, None)
                corrected = by_id[inv.corrects] if inv.corrects else None
                if corrected is not None and corrected.due() > 0:
                    take = min(-inv.total, corrected.due())
                    corrected.credit_applied += take
                    ledger(moment, inv.client_id, -take, "applied", corrected.id, None)
                    corrected.settle()
                    audit(moment, "invoice.apply_credit", inv.client_id, corrected.id, inv.number)
                inv.settle()
                continue
            audit(moment, "invoice.issue", inv.client_id, inv.id, inv.number)
            if inv.void:
                inv.settle()
                audit(moment, "invoice.void", inv.client_id, inv.id, "issued twice")
                continue
            if credit[inv.client_id] > 0:
                take = min(credit[inv.client_id], inv.due())
                inv.credit_applied += take
                ledger(moment, inv.client_id, -take, "applied", inv.id, None)
                audit(moment, "invoice.apply_credit", inv.client_id, inv.id, inv.number)
            age = (ANCHOR - inv.issue).days
            roll = rng.random()
            if age > 60:
                paying = [0] if roll < 0.01 else [inv.due()]
            elif age > 14:
                paying = [] if roll < 0.25 else [inv.due() // 2] if roll < 0.35 else [inv.due()]
            else:
                paying = [] if roll < 0.6 else [inv.due() // 2] if roll < 0.7 else [inv.due()]
            if paying and paying[0] > 0 and rng.random() < 0.01:
                paying[0] += 1000 * rng.randint(1, 5)  # an overpayment becomes credit
            for amount in paying:
                if amount <= 0:
                    continue
                applied = min(amount, inv.due())
                pay_id += 1
                paid_on = min(inv.issue + timedelta(days=rng.randrange(1, 21)), ANCHOR)
                moment = datetime.combine(paid_on, datetime.min.time()) + timedelta(hours=18)
                method = rng.choice(("card", "card", "transfer", "cash", "cheque"))
                rows["payment"].append(
                    (
                        pay_id,
                        inv.id,
                        inv.client_id,
                        method,
                        amount,
                        applied,
                        "",
                        paid_on.isoformat(),
                        _dt(moment),
                    )
                )
                inv.amount_paid += applied
                if amount > applied:
                    ledger(moment, inv.client_id, amount - applied, "overpayment", inv.id, pay_id)
                audit(
                    moment,
                    "payment.record",
                    inv.client_id,
                    inv.id,
                    f"{method} {format_money(amount, 'USD')}",
                )
            inv.settle()
        for inv in self.issued:
            made_at = datetime.combine(inv.issue, datetime.min.time()) + timedelta(hours=17)
            sent = _dt(made_at) if inv.kind == "invoice" and not inv.void else None
            rows["invoice"].append(
                (
                    inv.id,
                    inv.number,
                    inv.kind,
                    inv.status,
                    inv.client_id,
                    "USD",
                    inv.issue.isoformat(),
                    (inv.issue + timedelta(days=14)).isoformat(),
                    inv.subtotal,
                    inv.tax,
                    inv.total,
                    inv.credit_applied,
                    inv.amount_paid,
                    inv.corrects,
                    inv.reason,
                    sent,
                    _dt(made_at) if inv.void else None,
                    _dt(made_at),
                )
            )


COLUMNS = {
    "client": "id, name, email, phone, address, created_at, archived_at, lock_version",
    "appointment": "id, start, duration_min, status, series_id, notes, created_at",
    "attendee": "id, appointment_id, client_id, position",
    "charge": "id, appointment_id, client_id, service_id, units, unit_price, tax_rate",
    "billing_item": "id, client_id, appointment_id, charge_id, service_id, date, description, "
    "units, unit_price, tax_rate, created_at",
    "invoice": "id, number, kind, status, client_id, currency, issue_date, due_date, subtotal, "
    "tax, total, credit_applied, amount_paid, corrects_invoice_id, reason, sent_at, voided_at, "
    "created_at",
    "invoice_line": "id, invoice_id, position, item_id, active_item_id, service_date, "
    "description, units, unit_price, tax_rate, net, tax",
    "payment": "id, invoice_id, client_id, method, amount, applied, reference, received_on, "
    "created_at",
    "credit_entry": "id, client_id, amount, kind, invoice_id, payment_id, note, created_at",
    "audit_entry": 'at, action, client_id, invoice_id, detail, "before", "after"',
}


def _schema(folder: Path) -> list[int]:
    """An empty practice through cp-tui itself: migrated schema, settings, services."""
    from cp_tui.bootstrap import build_services
    from cp_tui.clock import FrozenClock
    from cp_tui.config import resolve_settings

    services = build_services(resolve_settings(folder, environ={}), clock=FrozenClock(ANCHOR_NOON))
    try:
        services.practice.update(name="Bench practice", currency="USD", payment_terms_days=14)
        ids = []
        for name, code, minutes, price, rate, _people in SERVICES:
            made = services.catalogue.add(
                name=name,
                code=code,
                duration_min=minutes,
                price=f"{price / 100:.2f}",
                tax_rate=rate,
            )
            ids.append(made.id)
        return ids
    finally:
        services.close()


def build(scale: float, folder: Path) -> Built:
    """Write the practice of this scale into ``folder`` (which must not hold one)."""
    started = time.perf_counter()
    service_ids = _schema(folder)
    gen = _Generator(scale)
    gen.clients()
    gen.sessions(service_ids)
    gen.items()
    gen.invoices()
    conn = sqlite3.connect(folder / "practice.db", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
        # Secondary indexes are built once at the end: much faster than row by row.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(repr(t) for t in COLUMNS)})"
        ).fetchall()
        conn.execute("BEGIN")
        for name, _sql in indexes:
            conn.execute(f"DROP INDEX {name}")
        for table, columns in COLUMNS.items():
            marks = ", ".join("?" * len(columns.split(",")))
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", gen.rows[table])
        conn.executemany(
            "INSERT OR REPLACE INTO number_series (series, next_value) VALUES (?, ?)",
            sorted(gen.next_numbers.items()),
        )
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    counts = {table: len(gen.rows[table]) for table in COLUMNS}
    uninvoiced = sorted(gen.uninvoiced_clients)
    return Built(
        scale=scale,
        counts=counts,
        seconds=round(time.perf_counter() - started, 2),
        heavy_clients=list(range(1, gen.size.heavy_clients + 1)),
        clients_with_uninvoiced=uninvoiced,
        search_words=["rivera", "chen", "priya", "ok"],
    )


def cache_key(scale: float) -> str:
    from cp_tui.migrations import HEAD

    return f"practice-s{scale:g}-g{GENERATOR_VERSION}-r{HEAD}"


def ensure(scale: float, *, rebuild: bool = False, quiet: bool = False) -> tuple[Path, Built]:
    """The cached practice folder of this scale, built first when missing."""
    folder = CACHE / cache_key(scale)
    info = folder / "built.json"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    if not info.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{cache_key(scale)}-", dir=CACHE))
        try:
            if not quiet:
                print(f"building the scale {scale:g} practice ...", file=sys.stderr, flush=True)
            built = build(scale, staging)
            (staging / "built.json").write_text(built.to_json())
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return folder, Built.from_json(info.read_text())


def work_copy(scale: float, dest: Path) -> tuple[Path, Built]:
    """A fresh copy of the cached practice in ``dest`` (a folder), for a benchmark to change."""
    folder, built = ensure(scale)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "practice.db", dest / "practice.db")
    return dest, built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 5,000 clients (default)")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    parser.add_argument("--check", action="store_true", help="run cp-tui's integrity check")
    parser.add_argument("--print-path", action="store_true", help="print the cached folder")
    args = parser.parse_args(argv)
    folder, built = ensure(args.scale, rebuild=args.rebuild, quiet=args.print_path)
    if args.print_path:
        print(folder)
        return 0
    print(f"{folder}  (built in {built.seconds:.1f} s)")
    for table, count in built.counts.items():
        print(f"  {table:<14} {count:>9,}")
    if args.check:
        return check(folder)
    return 0


def check(folder: Path) -> int:
    """``cp-tui check`` on a copy of the practice: 0 when everything agrees."""
    from cp_tui.bootstrap import build_services
    from cp_tui.clock import FrozenClock
    from cp_tui.config import resolve_settings
    from cp_tui.services.integrity import IntegrityService

    with tempfile.TemporaryDirectory(prefix="cp-tui-bench-check-") as tmp:
        shutil.copyfile(folder / "practice.db", Path(tmp) / "practice.db")
        services = build_services(resolve_settings(tmp, environ={}), clock=FrozenClock(ANCHOR_NOON))
        try:
            started = time.perf_counter()
            report = IntegrityService(services.db, services.clock).check()
            print(
                f"check: {'ok' if report.ok else 'FAILED'} in {time.perf_counter() - started:.1f} s"
            )
            for finding in report.findings[:20]:
                print(f"  {finding.check}: {finding.subject}: {finding.message}")
            return 0 if report.ok else 1
        finally:
            services.close()


if __name__ == "__main__":
    raise SystemExit(main())
