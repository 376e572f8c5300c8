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
from cp_tui.money import line_amounts
from cp_tui.services.batch import period_bounds
from cp_tui.services.client_list import ClientFilter


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


# -- the actions a practitioner takes all day ------------------------------------------------


def actions(services: Services, built: Built, runs: int) -> list[Timing]:
    """Target: p95 at most 20 ms each (the first five rows; the rest explain them)."""
    heavy = built.heavy_clients
    opened = services.items.list(client_id=heavy[0], uninvoiced=True)
    assert len(opened) >= 200, f"client {heavy[0]} has {len(opened)} uninvoiced items"
    item_ids = [item.id for item in opened]
    creating = iter(built.clients_with_uninvoiced)
    creatable = len(built.clients_with_uninvoiced)
    words = built.search_words
    statuses = ("all", "overdue", "paid")
    monday = ANCHOR - timedelta(days=ANCHOR.weekday())

    def open_client(n: int) -> None:
        client = heavy[n % len(heavy)]
        services.clients.get(client)
        services.items.list(client_id=client, uninvoiced=True)

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


@dataclass(frozen=True, slots=True)
class BatchResult:
    invoices: int
    lines: int
    services_s: float
    reference_s: float

    @property
    def ratio(self) -> float:
        return self.services_s / self.reference_s


def batch(scale: float, count: int, tmp: Path) -> BatchResult:
    """The month-end batch for ``count`` clients, both ways, on two fresh copies."""
    a, built = work_copy(scale, tmp / "batch-services")
    b, _ = work_copy(scale, tmp / "batch-reference")
    first_id = built.counts["invoice"]
    through_services, clients = batch_through_services(a, count)
    reference = batch_reference(b / "practice.db", clients)
    made_a, made_b = _made(a / "practice.db", first_id), _made(b / "practice.db", first_id)
    assert made_a == made_b, f"the reference made {made_b}, the services {made_a}"
    shutil.rmtree(a)
    shutil.rmtree(b)
    return BatchResult(made_a[0], made_a[3], through_services, reference)


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


def pdfs(services: Services, runs: int, batch_count: int) -> PdfResult:
    docs = services.documents
    numbers = [f"INV-{n:04d}" for n in range(1, batch_count + 1)]
    started = time.perf_counter()
    docs.render(docs.invoice(numbers[0]))  # pays ReportLab's import
    first = (time.perf_counter() - started) * 1000
    document = docs.invoice(numbers[1])
    one = measure(
        "one-page invoice: data + PDF", lambda n: docs.render(docs.invoice(numbers[n % 50])), runs
    )
    draw = measure("one-page invoice: PDF only", lambda _n: docs.render(document), runs)
    started = time.perf_counter()
    for number in numbers:
        docs.render(docs.invoice(number))
    return PdfResult(first, one, draw, len(numbers), time.perf_counter() - started)
