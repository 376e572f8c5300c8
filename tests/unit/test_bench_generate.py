"""The benchmark practice generator keeps cp-tui's rules, so the benchmarks measure a real one.

No timing here: a tiny practice is built and every stored figure recomputed.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path

from bench import actions
from bench.generate import ANCHOR_NOON, build
from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from cp_tui.money import format_money
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.readmodels import ItemRead


def test_a_tiny_generated_practice_keeps_every_rule(tmp_path: Path) -> None:
    built = build(0.004, tmp_path)
    assert built.counts["invoice"] > 100
    assert built.counts["payment"] > 0 and built.counts["credit_entry"] > 0
    assert built.heavy_clients and built.clients_with_uninvoiced

    conn = sqlite3.connect(tmp_path / "practice.db")
    try:
        # Totals are the sums of the lines.
        wrong = conn.execute(
            "SELECT count(*) FROM invoice i JOIN (SELECT invoice_id, sum(net) n, sum(tax) t "
            "FROM invoice_line GROUP BY invoice_id) l ON l.invoice_id = i.id "
            "WHERE i.subtotal != l.n OR i.tax != l.t OR i.total != l.n + l.t"
        ).fetchone()[0]
        assert wrong == 0
        # Numbers are 1..n per series in issue order, and the series continues after n.
        for kind, prefix in (("invoice", "INV-"), ("credit_note", "CN-")):
            numbers = [
                row[0]
                for row in conn.execute(
                    "SELECT number FROM invoice WHERE kind = ? ORDER BY id", (kind,)
                )
            ]
            assert numbers == [f"{prefix}{n:04d}" for n in range(1, len(numbers) + 1)]
            (next_value,) = conn.execute(
                "SELECT next_value FROM number_series WHERE series = ?", (kind,)
            ).fetchone()
            assert next_value == len(numbers) + 1
        # No client's credit balance ever dips below zero.
        running: dict[int, int] = defaultdict(int)
        for client_id, amount in conn.execute(
            "SELECT client_id, amount FROM credit_entry ORDER BY id"
        ):
            running[client_id] += amount
            assert running[client_id] >= 0
    finally:
        conn.close()

    services = build_services(
        resolve_settings(tmp_path, environ={}), clock=FrozenClock(ANCHOR_NOON)
    )
    try:
        report = IntegrityService(services.db, services.clock).check()
        assert report.ok, report.findings[:5]
        heavy = services.items.list(client_id=built.heavy_clients[0], uninvoiced=True)
        assert len(heavy) == 200
        services.invoices.create(client_id=built.clients_with_uninvoiced[0])
        _ticking_totals_match_the_invoice(services, built.heavy_clients[0], heavy)
    finally:
        services.close()


def _ticking_totals_match_the_invoice(
    services: Services, client_id: int, items: list[ItemRead]
) -> None:
    """The bench's tick computes the totals the invoice of the ticked items then has."""
    picker, credit = actions.billing_tab(services, client_id, items)
    assert actions.tick(picker, items[0].id, credit).startswith("199 of 200 ticked")
    line = actions.tick(picker, items[0].id, credit)
    assert line.startswith("200 of 200 ticked")
    totals = picker.totals()
    invoice = services.invoices.create(
        client_id=client_id, item_ids=[i.id for i in items], apply_credit=True
    )
    assert (invoice.subtotal, invoice.tax) == (totals.subtotal, totals.tax)
    currency = services.practice.get().currency
    assert f"Amount due {format_money(invoice.amount_due, currency)}" in line
