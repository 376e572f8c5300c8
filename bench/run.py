"""Every benchmark of issue 8 in one run: prints a table and writes bench/results.md.

    make bench                                   # .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --quick        # fewer repetitions, no growth table
    .venv/bin/python -m bench.run --scale 0.1    # a smaller "big" practice

The practices come from bench/generate.py (built once, cached in bench/.cache/);
each measurement works on a fresh copy. Timings are wall-clock on a shared
machine: every figure is a median (or p95) over repeated runs, and start-up is
a ratio to a bare Textual app measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from bench import actions as act
from bench import coldstart
from bench.generate import FIRST_NAMES, FULL, Size, ensure, work_copy

RESULTS = Path(__file__).parent / "results.md"
ACTION_TARGET_MS = 20.0
PAINT_TARGET = 1.2
CALENDAR_TARGET = 2.0
BATCH_TARGET = 3.0
PDF_TARGET_MS = 5.0
MEMORY_TARGET_MB = 150.0
MAIN_ACTIONS = 6  # the first six rows of act.actions carry the 20 ms target


class Report:
    """Lines for the terminal and for results.md at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.add("| " + " | ".join(header) + " |")
        self.add("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add()


def verdict(ok: bool) -> str:
    return "ok" if ok else "**MISSED**"


def med(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def cold_start(report: Report, scale: float, runs: int, tmp: Path) -> None:
    folder, _built = work_copy(scale, tmp / "tui")
    tmux = coldstart.Tmux()
    try:
        coldstart.run_hello(tmux)  # warm the disk cache for both
        first_of_day = coldstart.run_cp_tui(tmux, folder, FIRST_NAMES)  # takes the daily backup
        hello, cp = [], []
        for _ in range(runs):
            hello.append(coldstart.run_hello(tmux))
            cp.append(coldstart.run_cp_tui(tmux, folder, FIRST_NAMES))
        visit = coldstart.run_cp_tui(tmux, folder, FIRST_NAMES, visit_screens=True)
    finally:
        tmux.close()
        shutil.rmtree(folder)
    bare = med([r.first_paint_ms for r in hello])
    paint = med([r.first_paint_ms for r in cp])
    ready = med([r.ready_ms for r in cp])
    report.add(f"## Cold start (tmux, 120x40, median of {runs})")
    report.add()
    rows = [["bare Textual app: first paint", f"{fmt(bare)} ms", "1.00x", "reference", ""]]
    for label, value, target in (
        ("cp-tui: first paint (splash)", paint, PAINT_TARGET),
        ("cp-tui: week calendar with data", ready, CALENDAR_TARGET),
    ):
        ratio = value / bare if value and bare else None
        ok = ratio is not None and ratio <= target
        rows.append([label, f"{fmt(value)} ms", f"{fmt(ratio, 2)}x", f"<= {target}x", verdict(ok)])
    rows.append(
        [
            "cp-tui: first start of the day (backup once the calendar shows)",
            f"{fmt(first_of_day.ready_ms)} ms",
            f"{fmt((first_of_day.ready_ms or 0) / bare if bare else None, 2)}x",
            "(not a target)",
            "",
        ]
    )
    report.table(["what", "median", "vs bare", "target", ""], rows)
    seen = sum(r.saw_data for r in cp)
    report.add(f"Client names visible in the week: {seen} of {len(cp)} runs.")
    for label, took in visit.screens_ms.items():
        report.add(f"Key press to the {label} screen with its data: {took:,.0f} ms (one run).")
    report.add()
    report.add("## Peak memory of the TUI")
    report.add()
    peak = visit.peak_rss_mb
    ok = peak is not None and peak <= MEMORY_TARGET_MB
    report.table(
        ["what", "VmHWM", "target", ""],
        [
            [
                "calendar, then Clients, then Invoices",
                f"{fmt(peak)} MB",
                f"<= {MEMORY_TARGET_MB:.0f} MB",
                verdict(ok),
            ]
        ],
    )


def per_action(scale: float, runs: int, tmp: Path) -> list[act.Timing]:
    return _actions_and_pdf(scale, runs, tmp, pdf=False)[0]


def _actions_and_pdf(
    scale: float, runs: int, tmp: Path, *, pdf: bool
) -> tuple[list[act.Timing], act.Timing | None]:
    """The actions, then (with ``pdf``, when built) one-page PDFs, on one fresh copy."""
    folder, built = work_copy(scale, tmp / f"actions-{scale:g}")
    services = act.open_services(folder)
    try:
        timings = act.actions(services, built, runs)
        one = act.pdf_one(services, runs) if pdf and act.pdf_available() else None
        return timings, one
    finally:
        services.close()
        shutil.rmtree(folder)


def report_actions(report: Report, timings: list[act.Timing], runs: int) -> None:
    report.add(f"## Per action, through the services ({runs} runs each)")
    report.add()
    rows = []
    for n, t in enumerate(timings):
        target = f"p95 <= {ACTION_TARGET_MS:.0f} ms" if n < MAIN_ACTIONS else "(context)"
        ok = verdict(t.p95 <= ACTION_TARGET_MS) if n < MAIN_ACTIONS else ""
        rows.append([t.label, f"{t.median:.1f}", f"{t.p95:.1f}", target, ok])
    report.table(["action", "median ms", "p95 ms", "target", ""], rows)


def _seconds(runs: tuple[float, ...]) -> str:
    return ", ".join(f"{s:.2f}" for s in runs)


def report_batch(report: Report, result: act.BatchResult) -> None:
    rounds = len(result.services_runs)
    report.add(f"## Month-end batch (median of {rounds} runs each)")
    report.add()
    report.add(
        "The month-end batch service (`BatchService.run`, a chunk of invoices per "
        "transaction) for the first clients of November, by client id, against "
        "a plain-sqlite3 reference in the bench that writes the same invoices, lines, "
        "credit, totals, numbers, client locks and audit rows in one transaction. Both "
        "make identical invoices, lines, credit and numbers. The two take turns, "
        f"{rounds} runs each, every run on a fresh copy of the practice; the ratio is "
        "of the medians."
    )
    report.add()
    report.table(
        ["what", "invoices", "lines", "median s", "ms/invoice", "vs reference", "target", ""],
        [
            [
                "batch service (run)",
                f"{result.invoices:,}",
                f"{result.lines:,}",
                f"{result.services_s:.2f}",
                f"{result.services_s * 1000 / result.invoices:.2f}",
                f"{result.ratio:.1f}x",
                f"<= {BATCH_TARGET:.0f}x",
                verdict(result.ratio <= BATCH_TARGET),
            ],
            [
                "plain sqlite3, one transaction",
                f"{result.invoices:,}",
                f"{result.lines:,}",
                f"{result.reference_s:.2f}",
                f"{result.reference_s * 1000 / result.invoices:.2f}",
                "1.0x",
                "reference",
                "",
            ],
        ],
    )
    report.add(
        f"Every run, in seconds: services {_seconds(result.services_runs)}; "
        f"reference {_seconds(result.reference_runs)}."
    )
    report.add()


def report_pdf(report: Report, scale: float, runs: int, count: int, tmp: Path) -> None:
    report.add("## PDF")
    report.add()
    if not act.pdf_available():
        report.add("cp_tui/adapters/pdf.py: not built yet.")
        report.add()
        return
    folder, _ = work_copy(scale, tmp / "pdf")
    services = act.open_services(folder)
    try:
        result = act.pdfs(services, runs, count)
    finally:
        services.close()
        shutil.rmtree(folder)
    report.table(
        ["what", "median ms", "p95 ms", "target", ""],
        [
            [
                result.one.label,
                f"{result.one.median:.1f}",
                f"{result.one.p95:.1f}",
                f"median <= {PDF_TARGET_MS:.0f} ms",
                verdict(result.one.median <= PDF_TARGET_MS),
            ],
            [result.draw_only.label, f"{result.draw_only.median:.1f}", "", "(context)", ""],
        ],
    )
    report.add(
        f"{result.batch_count} invoices, data + PDF, one process: {result.batch_s:.2f} s "
        f"({result.batch_s * 1000 / result.batch_count:.1f} ms each). The first PDF of a "
        f"process also imports ReportLab: {result.first_ms:.0f} ms."
    )
    report.add()


# The demo practice's size: its twelve clients, as a share of the big practice's.
DEMO_SCALE = 12 / FULL["clients"]


def growth_batch_count(scale: float) -> int:
    return max(20, round(2000 * scale))


def growth(
    report: Report,
    scales: list[float],
    big: float,
    runs: int,
    tmp: Path,
    big_batch: tuple[int, act.BatchResult] | None = None,
) -> None:
    """The growth table; ``big_batch`` (count, result) is reused for the big practice's batch."""
    report.add("## How cost grows (per-action p95 ms; PDF median ms; batch ms per invoice)")
    report.add()
    report.add(
        "The same practice generator at 1x, 10x and 100x the demo practice's size (its 12 "
        "clients), and the big practice. Per-action and per-document cost should stay flat "
        "and the batch's cost per invoice too (its total growing linearly with the invoices "
        "made); batch figures are medians of "
        f"{act.BATCH_ROUNDS} runs each way. The calendar row reads one week, which holds more "
        "sessions as the practice grows (about 960 a week in the big practice), so it grows "
        "with it. Cold start and peak memory are measured on the big practice only: each "
        "needs the TUI started in tmux several times, and the big practice is the worst "
        "case for both."
    )
    report.add()
    columns: dict[float, list[act.Timing]] = {}
    documents: dict[float, act.Timing | None] = {}
    batches: dict[float, act.BatchResult] = {}
    for scale in scales:
        columns[scale], documents[scale] = _actions_and_pdf(scale, runs, tmp, pdf=True)
        count = growth_batch_count(scale)
        if scale == big and big_batch is not None and big_batch[0] == count:
            batches[scale] = big_batch[1]  # the same batch the section above just ran
        else:
            batches[scale] = act.batch(scale, count, tmp)
    first = columns[scales[0]]
    header = ["action"] + [_size_label(scale, big) for scale in scales]
    rows = [[t.label] + [f"{columns[s][n].p95:.1f}" for s in scales] for n, t in enumerate(first)]
    if all(documents[s] is not None for s in scales):
        rows.append(
            [f"PDF: {act.PDF_ONE_LABEL} (median)"]
            + [f"{one.median:.1f}" for s in scales if (one := documents[s]) is not None]
        )
    rows.append(
        ["batch: ms per invoice (services)"]
        + [f"{batches[s].services_s * 1000 / batches[s].invoices:.2f}" for s in scales]
    )
    rows.append(
        ["batch: seconds (services / reference)"]
        + [f"{batches[s].services_s:.2f} / {batches[s].reference_s:.2f}" for s in scales]
    )
    report.table(header, rows)


def _size_label(scale: float, big: float) -> str:
    size = Size.at(scale)
    name = "big practice" if scale == big else f"{scale / DEMO_SCALE:,.0f}x demo"
    return f"{name} ({size.clients:,} clients, {size.invoices:,} invoices)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="the big practice (1 = 5,000 clients)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs, no growth table")
    parser.add_argument("--no-tui", action="store_true", help="skip cold start and memory")
    args = parser.parse_args(argv)
    quick = args.quick
    runs, cold_runs = (10, 3) if quick else (40, 7)
    batch_count = round(2000 * args.scale) if not quick else max(20, round(200 * args.scale))
    if shutil.which("tmux") is None:
        args.no_tui = True
    report = Report()
    load = os.getloadavg()
    report.add("# cp-tui benchmarks")
    report.add()
    report.add(
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} cores (load average "
        f"{load[0]:.1f} at the start), Python {platform.python_version()}; big practice at "
        f"scale {args.scale:g}{' (--quick)' if quick else ''}. Command: `make bench`."
    )
    report.add()
    _folder, built = ensure(args.scale)
    counts = ", ".join(f"{n:,} {table}" for table, n in built.counts.items())
    report.add(f"The practice (bench/generate.py, built in {built.seconds:.0f} s): {counts}.")
    report.add()
    with tempfile.TemporaryDirectory(prefix="cp-tui-bench-") as name:
        tmp = Path(name)
        first, later = act.open_cost(args.scale, tmp)
        report.add(
            f"Opening the practice (build_services, as the command line does): "
            f"{first * 1000:,.0f} ms on the first start of a day (daily backup and check of "
            f"the file), {later * 1000:,.0f} ms after. The TUI takes that backup once the "
            "calendar is on screen."
        )
        report.add()
        if not args.no_tui:
            cold_start(report, args.scale, cold_runs, tmp)
        timings = per_action(args.scale, runs, tmp)
        report_actions(report, timings, runs)
        big_batch = act.batch(args.scale, batch_count, tmp)
        report_batch(report, big_batch)
        report_pdf(report, args.scale, runs, 50 if quick else 500, tmp)
        if not quick:
            scales = sorted({DEMO_SCALE, 10 * DEMO_SCALE, 100 * DEMO_SCALE, args.scale})
            growth(report, scales, args.scale, 30, tmp, (batch_count, big_batch))
    report.add(f"Load average at the end: {os.getloadavg()[0]:.1f}.")
    RESULTS.write_text("\n".join(report.lines) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
