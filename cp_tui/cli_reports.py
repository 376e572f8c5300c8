"""Command line for what is owed: aging, billed versus received, the accountant's CSV.

```
cp-tui reports aging [--as-of DATE] [--json]
cp-tui reports monthly [--from DATE --to DATE] [--json]     (a bar chart in text mode)
cp-tui reports export --from DATE --to DATE -o FILE.csv
```
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.money import format_money

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.config import Settings
    from cp_tui.services.reports import AgingReport, MonthlyReport

BAR_WIDTH = 40


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False) or getattr(args, "json_global", False))


def _runner(body: Callable[[Services, argparse.Namespace], None]) -> Any:
    """Build the services, run ``body``, which prints its own result, and exit 0."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        from cp_tui.bootstrap import build_services

        services = build_services(settings)
        try:
            body(services, args)
        finally:
            services.close()
        return 0

    return run


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    text = "what is owed: aging, billed versus received, CSV for the accountant"
    parser = sub.add_parser("reports", help=text, description=text)
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )

    def cmd(name: str, help_text: str, body: Any) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text, parents=[common]
        )
        p.set_defaults(runner=_runner(body))
        return p

    aging = cmd("aging", "balances due by client in aging buckets as of a day", _aging)
    aging.add_argument("--as-of", type=_date, metavar="DATE", help="default: today")
    monthly = cmd("monthly", "invoices issued versus payments received, by month", _monthly)
    monthly.add_argument("--from", dest="start", type=_date, metavar="DATE")
    monthly.add_argument("--to", dest="end", type=_date, metavar="DATE")
    export = cmd("export", "invoices, credit notes and payments of a period as CSV", _export)
    export.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    export.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv")


def _aging(s: Services, a: argparse.Namespace) -> None:
    report = s.reports.aging(a.as_of)
    if _wants_json(a):
        out.emit_json(report)
        return
    print_aging(report)


def print_aging(report: AgingReport) -> None:
    def money(amount: int) -> str:
        return format_money(amount, report.currency) if amount else "-"

    sys.stdout.write(f"Balances due as of {report.as_of} (days past due)\n\n")
    out.table(
        ["ID", "Client", *report.buckets, "Total"],
        [
            [r.client_id, r.client_name, *(money(b) for b in r.buckets), money(r.total)]
            for r in report.rows
        ],
    )
    if report.rows:
        sys.stdout.write(
            "\nTotal  "
            + "  ".join(
                f"{name}: {money(amount)}"
                for name, amount in zip(report.buckets, report.totals, strict=True)
            )
            + f"  = {format_money(report.total, report.currency)}\n"
        )


def _monthly(s: Services, a: argparse.Namespace) -> None:
    report = s.reports.monthly(a.start, a.end)
    if _wants_json(a):
        out.emit_json(report)
        return
    print_monthly(report)


def print_monthly(report: MonthlyReport) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Bars count the insurers' part too: what the practice billed and got in all.
    top = max(
        [m.billed_in_all for m in report.months] + [m.received_in_all for m in report.months] + [1]
    )
    insured = bool(report.claimed or report.insurer_paid)

    def bar(amount: int, style: str) -> Text:
        width = max(0, round(amount * BAR_WIDTH / top))
        return Text("█" * width or ("▏" if amount else ""), style=style)

    table = Table(
        title=f"Billed versus received, {report.start} to {report.end}",
        show_edge=False,
        box=None,
        padding=(0, 1),
    )
    table.add_column("Month")
    table.add_column("", no_wrap=True)
    table.add_column("Billed", justify="right")
    table.add_column("Received", justify="right")
    if insured:
        table.add_column("Claimed", justify="right")
        table.add_column("From insurers", justify="right")
    for m in report.months:
        chart = Text.assemble(bar(m.billed_in_all, "cyan"), "\n", bar(m.received_in_all, "green"))
        cells = [m.billed, m.received] + ([m.claimed, m.insurer_paid] if insured else [])
        table.add_row(m.month, chart, *(format_money(c, report.currency) for c in cells))
    console = Console(file=sys.stdout, width=max(100, BAR_WIDTH + 50))
    console.print(table)
    console.print(
        f"Billed {format_money(report.billed, report.currency)} "
        f"(credit notes {format_money(report.credited, report.currency)}), "
        f"received {format_money(report.received, report.currency)}"
        + (
            f"; claimed from insurers {format_money(report.claimed, report.currency)}, "
            f"paid by them {format_money(report.insurer_paid, report.currency)}"
            if insured
            else ""
        )
        + ". Top bar billed, bottom bar received"
        + (", insurers included." if insured else ".")
    )


def _export(s: Services, a: argparse.Namespace) -> None:
    result = s.reports.export_csv(a.start, a.end, Path(a.output))
    if _wants_json(a):
        out.emit_json(result)
        return
    sys.stdout.write(
        f"Wrote {result.invoices} invoices, {result.credit_notes} credit notes and "
        f"{result.payments} payments from {result.start} to {result.end} to {result.path}\n"
    )
