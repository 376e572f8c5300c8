"""How long a PDF takes: build the document data, draw it, and both together.

    .venv/bin/python -m bench.documents

Prints the best of several rounds, in milliseconds per document, for a 10-line
invoice, a 60-line invoice (several pages), a statement and a superbill, in
Helvetica (Latin-1 text) and in DejaVu Sans (a name outside Latin-1, when the
system has the font). The first PDF of a process also pays ReportLab's import.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from cp_tui.bootstrap import Services, build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings

DAY = date(2026, 11, 24)


def best_ms(work: Callable[[], object], rounds: int = 5, repeat: int = 10) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        best = min(best, (time.perf_counter() - started) / repeat)
    return best * 1000


def invoice(services: Services, name: str, lines: int) -> str:
    client = services.clients.add(name=name, email="c@example.com").id
    for n in range(lines):
        services.items.add(
            client_id=client,
            description=f"Session {n + 1}",
            price=f"{100 + n}.50",
            tax_rate="15" if n % 3 == 0 else "0",
            on=DAY,
        )
    number = services.invoices.create(client_id=client).number
    services.payments.record(number, amount="50.00", method="cash")
    return number


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cp-tui-bench-docs-"))
    services = build_services(
        resolve_settings(folder, environ={}), clock=FrozenClock(datetime(2026, 11, 25, 14))
    )
    docs = services.documents
    first = invoice(services, "Alex Rivera", 10)
    started = time.perf_counter()
    docs.render(docs.invoice(first))
    first_ms = (time.perf_counter() - started) * 1000
    print(f"first PDF of the process (imports ReportLab): {first_ms:.0f} ms")
    cases: dict[str, Callable[[], object]] = {}
    long = invoice(services, "Sam Lee", 60)
    wide = invoice(services, "Łukasz Żółkiewski", 10)
    client = services.invoices.get(first).client_id
    statement = docs.statement(client, date(2026, 11, 1), date(2026, 11, 30))
    superbill = docs.superbill(client, date(2026, 11, 1), date(2026, 11, 30))
    ten = docs.invoice(first)
    sixty = docs.invoice(long)
    unicode = docs.invoice(wide)
    cases["invoice, 10 lines: data only"] = lambda: docs.invoice(first)
    cases["invoice, 10 lines: draw only"] = lambda: docs.render(ten)
    cases["invoice, 10 lines: data + draw"] = lambda: docs.render(docs.invoice(first))
    cases["invoice, 60 lines (pages): draw"] = lambda: docs.render(sixty)
    cases["invoice, 10 lines, DejaVu: draw"] = lambda: docs.render(unicode)
    cases["statement: draw"] = lambda: docs.render(statement)
    cases["superbill: draw"] = lambda: docs.render(superbill)
    for label, work in cases.items():
        print(f"{label:<36} {best_ms(work):7.1f} ms")
    sizes = {
        "10 lines": len(docs.render(ten)),
        "60 lines": len(docs.render(sixty)),
        "DejaVu": len(docs.render(unicode)),
    }
    print("PDF bytes:", ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    services.close()


if __name__ == "__main__":
    main()
    sys.exit(0)
