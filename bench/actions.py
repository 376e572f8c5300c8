"""Per-action timings through the services, the month-end batch reference, and PDFs.

Everything runs on a fresh copy of a generated practice (bench/generate.py),
with the practice's own frozen "today", so every run asks the same questions.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.generate import ANCHOR, ANCHOR_NOON, Built, work_copy
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.money import format_money, line_amounts
from cp_tui.services.batch import period_bounds
from cp_tui.services.client_list import ClientFilter
from cp_tui.services.readmodels import ItemRead
from cp_tui.widgets.item_picker import ItemPicker


@dataclass(frozen=True, slots=True)
class Timing:
    label: str
    samples: tuple[float, ...]  # milliseconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def measure(label: str, work: Callable[[int], object], runs: int, warmup: int = 2) -> Timing:
    for n in range(warmup):
        work(-1 - n)
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        work(n)
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(label, tuple(samples))


def open_services(folder: Path) -> Services:
    return build_services(resolve_settings(folder, environ={}), clock=FrozenClock(ANCHOR_NOON))


def open_cost(scale: float, tmp: Path) -> tuple[float, float]:
    """Seconds to open the practice: the first start of a day (daily backup) and a later one."""
    folder, _ = work_copy(scale, tmp / "open")
    times = []
    for _ in range(2):
        started = time.perf_counter()
        open_services(folder).close()
        times.append(time.perf_counter() - started)
    shutil.rmtree(folder)
    return times[0], times[1]


# -- ticking an item in the client's Billing tab ---------------------------------------------

TICK_LABEL = "tick an item (live totals: in-memory arithmetic over 200 items, no service call)"


def billing_tab(
    services: Services, client_id: int, items: list[ItemRead]
) -> tuple[ItemPicker, int]:
    """The Billing tab's item picker with every item ticked (``a``), and the client's credit.

    The picker is the TUI's own widget, not mounted: ticking reads no service.
    The credit balance is read when the tab loads or the payer changes, not on a tick.
    """
    picker = ItemPicker(services.practice.get().currency)
    picker.items = items
    picker.ticked = {item.id for item in items}
    return picker, services.credits.balance(client_id)


def tick(picker: ItemPicker, item_id: int, credit: int) -> str:
    """What one tick (``space``) in the Billing tab computes, all but drawing the cells.

    ``ItemPicker.action_tick`` flips the tick and refreshes the row: finds the item,
    makes its cells, and posts ``Changed`` with the totals of the ticked items; then
    ``BillingPane.show_totals`` reads the totals again, ``credit_to_apply`` a third time
    (the credit switch on), and writes the line: subtotal, tax, credit applied, amount due.
    """
    picker.ticked ^= {item_id}
    item = next(i for i in picker.items if i.id == item_id)
    picker._cells(item)
    picker.totals()  # ItemPicker.Changed
    totals = picker.totals()  # BillingPane.show_totals
    applied = min(credit, max(picker.totals().total, 0))  # BillingPane.credit_to_apply

    def money(amount: int) -> str:
        return format_money(amount, picker.currency)

    return (
        f"{len(picker.ticked)} of {len(picker.items)} ticked   "
        f"Subtotal {money(totals.subtotal)}   Tax {money(totals.tax)}   "
        f"Credit applied −{money(applied)}   Amount due {money(totals.total - applied)}"
    )


# -- the actions a practitioner takes all day ------------------------------------------------


def actions(services: Services, built: Built, runs: int) -> list[Timing]:
    """Target: p95 at most 20 ms each (the first six rows; the rest explain them)."""
    heavy = built.heavy_clients
    opened = services.items.list(client_id=heavy[0], uninvoiced=True)
    assert len(opened) >= 200, f"client {heavy[0]} has {len(opened)} uninvoiced items"
    item_ids = [item.id for item in opened]
    picker, credit = billing_tab(services, heavy[0], opened)
    creating = iter(built.clients_with_uninvoiced)
    creatable = len(built.clients_with_uninvoiced)
    words = built.search_words
    statuses = ("all", "overdue", "paid")
    monday = ANCHOR - timedelta(days=ANCHOR.weekday())

    def open_client(n: int) -> None:
        client = heavy[n % len(heavy)]
        services.clients.get(client)
        services.items.list(client_id=client, uninvoiced=True)

    def tick_item(n: int) -> None:
        # Off, then on again: all but one of the 200 items stay ticked, the longest sum.
        tick(picker, item_ids[(n // 2) % len(item_ids)], credit)

    def edit_item(n: int) -> None:
        services.items.edit(item_ids[n % len(item_ids)], price="155.00" if n % 2 else "150.00")

    def create_invoice(_n: int) -> None:
        services.invoices.create(client_id=next(creating))

    def invoice_page(status: str, search: str = "", offset: int = 0) -> Callable[[int], None]:
        def work(_n: int) -> None:
            services.invoices.page(status=status, search=search, offset=offset)
            services.invoices.summary(status=status, search=search)

        return work

    def client_search(n: int) -> None:
        services.clients.list(search=words[n % len(words)])

    def clients_page(text: str, *, last: bool = False) -> Callable[[int], None]:
        """What the Clients screen reads on a visit or a keystroke: totals and one page."""
        wanted = ClientFilter.of(text)

        def work(_n: int) -> None:
            totals = services.clients.totals(wanted)
            offset = max(0, totals.shown - 200) if last else 0
            services.clients.page(wanted, offset=offset, limit=200)

        return work

    last_page = max(0, services.invoices.summary().count - 200)
    timings = [
        measure("open a client with 200 items", open_client, runs),
        measure(TICK_LABEL, tick_item, runs),
        measure("edit an item", edit_item, runs),
        # A small practice has only so many clients with uninvoiced items to invoice.
        measure("create an invoice", create_invoice, min(runs, creatable - 2)),
        measure("invoice list: a page + totals (all)", invoice_page("all"), runs),
        measure("client search", client_search, runs),
    ]
    timings += [
        measure(f"invoice list: a page + totals ({s})", invoice_page(s), runs) for s in statuses[1:]
    ]
    timings += [
        measure("invoice list: last page (all)", invoice_page("all", offset=last_page), runs),
        measure("invoice list: search 'rivera'", invoice_page("all", search="rivera"), runs),
        measure("clients screen: a page + totals", clients_page(""), runs),
        measure("clients screen: last page + totals", clients_page("", last=True), runs),
        measure("clients screen: filter 'ri' + totals", clients_page("ri"), runs),
        measure(
            "calendar: this week",
            lambda _n: services.calendar.list(start=monday, end=monday + timedelta(days=6)),
            runs,
        ),
    ]
    return timings


# -- the month-end batch: the batch service against one plain-sqlite3 transaction -------------

# ``cp-tui invoices batch --period month --date 2026-12-01`` bills November: the
# practice's last, not yet invoiced month (its "today" is 25 November).
BATCH_ON = date(2026, 12, 1)


def batch_through_services(folder: Path, count: int) -> tuple[float, list[int]]:
    """Seconds for ``BatchService.run`` over the first ``count`` clients of the month.

    The clients are chosen before the clock starts (a preview reads the whole
    month, whatever ``count``); the run itself selects their items of the period,
    as ``run`` does when given client ids, and invoices them.
    """
    services = open_services(folder)  # opened (and backed up) before the clock starts
    try:
        clients = [row.client_id for row in services.batch.preview("month", BATCH_ON).rows]
        clients = clients[:count]
        started = time.perf_counter()
        result = services.batch.run(clients, period="month", on=BATCH_ON)
        took = time.perf_counter() - started
        assert len(result.created) == len(clients), "the batch skipped or failed some clients"
        return took, clients
    finally:
        services.close()


def _scaled(value: int) -> Decimal:
    return (Decimal(value) / 1000).normalize()


def batch_reference(path: Path, clients: list[int]) -> float:
    """The same invoices, lines, credit, numbers, client locks and audit rows, one transaction."""
    start, end = period_bounds("month", BATCH_ON)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        prefix, currency, terms = conn.execute(
            "SELECT invoice_prefix, currency, payment_terms_days FROM practice_settings"
        ).fetchone()
        (next_value,) = conn.execute(
            "SELECT next_value FROM number_series WHERE series = 'invoice'"
        ).fetchone()
        now = datetime.combine(ANCHOR, ANCHOR_NOON.time()).isoformat(" ", "microseconds")
        due = (ANCHOR + timedelta(days=terms)).isoformat()
        for client in clients:
            conn.execute(
                "UPDATE client SET lock_version = lock_version + 1 WHERE id = ?", (client,)
            )
            items = conn.execute(
                "SELECT b.id, b.date, b.description, b.units, b.unit_price, b.tax_rate "
                "FROM billing_item b LEFT JOIN invoice_line l ON l.active_item_id = b.id "
                "WHERE l.id IS NULL AND b.client_id = ? AND b.date BETWEEN ? AND ? "
                "ORDER BY b.date, b.id",
                (client, start.isoformat(), end.isoformat()),
            ).fetchall()
            (balance,) = conn.execute(
                "SELECT coalesce(sum(amount), 0) FROM credit_entry WHERE client_id = ?",
                (client,),
            ).fetchone()
            number = f"{prefix}{next_value:04d}"
            next_value += 1
            cursor = conn.execute(
                "INSERT INTO invoice (number, kind, status, client_id, currency, issue_date, "
                "due_date, subtotal, tax, total, credit_applied, amount_paid, reason, created_at) "
                "VALUES (?, 'invoice', 'unpaid', ?, ?, ?, ?, 0, 0, 0, 0, 0, '', ?)",
                (number, client, currency, ANCHOR.isoformat(), due, now),
            )
            invoice_id = cursor.lastrowid
            lines, net, tax = [], 0, 0
            for position, (item_id, day, desc, units, price, rate) in enumerate(items):
                amounts = line_amounts(_scaled(units), price, _scaled(rate))
                net, tax = net + amounts.net, tax + amounts.tax
                line = (invoice_id, position, item_id, item_id, day, desc, units, price, rate)
                lines.append((*line, amounts.net, amounts.tax))
            conn.executemany(
                "INSERT INTO invoice_line (invoice_id, position, item_id, active_item_id, "
                "service_date, description, units, unit_price, tax_rate, net, tax) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                lines,
            )
            take = max(min(balance, net + tax), 0)
            status = "paid" if net + tax - take <= 0 else "unpaid"
            conn.execute(
                "UPDATE invoice SET subtotal = ?, tax = ?, total = ?, credit_applied = ?, "
                "status = ? WHERE id = ?",
                (net, tax, net + tax, take, status, invoice_id),
            )
            if take:
                conn.execute(
                    "INSERT INTO credit_entry (client_id, amount, kind, invoice_id, note, "
                    "created_at) VALUES (?, ?, 'applied', ?, ?, ?)",
                    (client, -take, invoice_id, f"applied to {number}", now),
                )
            after = json.dumps({"number": number, "total": net + tax, "status": status})
            conn.execute(
                "INSERT INTO audit_entry (at, action, client_id, invoice_id, detail, "
                "\"before\", \"after\") VALUES (?, 'invoice.issue', ?, ?, ?, '', ?)",
                (now, client, invoice_id, number, after),
            )
        conn.execute(
            "UPDATE number_series SET next_value = ? WHERE series = 'invoice'", (next_value,)
        )
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def _made(path: Path, first_id: int) -> tuple[int, int, int, int, int]:
    """Invoices, their total, credit applied and lines, and the last number, past ``first_id``."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT count(*), coalesce(sum(total), 0), coalesce(sum(credit_applied), 0), "
            "(SELECT count(*) FROM invoice_line WHERE invoice_id > ?), "
            "(SELECT next_value FROM number_series WHERE series = 'invoice') "
            "FROM invoice WHERE id > ?",
            (first_id, first_id),
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4])
    finally:
        conn.close()


BATCH_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class BatchResult:
    invoices: int
    lines: int
    services_runs: tuple[float, ...]  # seconds, one per round
    reference_runs: tuple[float, ...]

    @property
    def services_s(self) -> float:
        return statistics.median(self.services_runs)

    @property
    def reference_s(self) -> float:
        return statistics.median(self.reference_runs)

    @property
    def ratio(self) -> float:
        """The ratio of the medians."""
        return self.services_s / self.reference_s


def batch(scale: float, count: int, tmp: Path, rounds: int = BATCH_ROUNDS) -> BatchResult:
    """The month-end batch for ``count`` clients, both ways, ``rounds`` times each.

    The services and the reference take turns, each run on a fresh copy of the
    practice, so a slow spell of the machine falls on both; every run must make
    the same invoices, lines, credit and numbers.
    """
    services_runs: list[float] = []
    reference_runs: list[float] = []
    made: tuple[int, int, int, int, int] | None = None
    for n in range(rounds):
        a, built = work_copy(scale, tmp / f"batch-services-{n}")
        first_id = built.counts["invoice"]
        try:
            took, clients = batch_through_services(a, count)
            made_a = _made(a / "practice.db", first_id)
        finally:
            shutil.rmtree(a)
        b, _ = work_copy(scale, tmp / f"batch-reference-{n}")
        try:
            reference = batch_reference(b / "practice.db", clients)
            made_b = _made(b / "practice.db", first_id)
        finally:
            shutil.rmtree(b)
        assert made_a == made_b, f"the reference made {made_b}, the services {made_a}"
        assert made in (None, made_a), f"round {n + 1} made {made_a}, round 1 {made}"
        made = made_a
        services_runs.append(took)
        reference_runs.append(reference)
    assert made is not None, "no rounds"
    return BatchResult(made[0], made[3], tuple(services_runs), tuple(reference_runs))


# -- PDFs ----------------------------------------------------------------------------------


def pdf_available() -> bool:
    return (Path(__file__).resolve().parent.parent / "cp_tui" / "adapters" / "pdf.py").exists()


@dataclass(frozen=True, slots=True)
class PdfResult:
    first_ms: float
    one: Timing
    draw_only: Timing
    batch_count: int
    batch_s: float


PDF_ONE_LABEL = "one-page invoice: data + PDF"


def pdf_one(services: Services, runs: int) -> Timing:
    """Data + PDF of one one-page invoice, the first 50 invoices in turn."""
    docs = services.documents
    numbers = [f"INV-{n:04d}" for n in range(1, 51)]
    return measure(PDF_ONE_LABEL, lambda n: docs.render(docs.invoice(numbers[n % 50])), runs)


def pdfs(services: Services, runs: int, batch_count: int) -> PdfResult:
    docs = services.documents
    numbers = [f"INV-{n:04d}" for n in range(1, batch_count + 1)]
    started = time.perf_counter()
    docs.render(docs.invoice(numbers[0]))  # pays ReportLab's import
    first = (time.perf_counter() - started) * 1000
    document = docs.invoice(numbers[1])
    one = pdf_one(services, runs)
    draw = measure("one-page invoice: PDF only", lambda _n: docs.render(document), runs)
    started = time.perf_counter()
    for number in numbers:
        docs.render(docs.invoice(number))
    return PdfResult(first, one, draw, len(numbers), time.perf_counter() - started)
