"""Command line for batch runs: ``cp-tui invoices batch --period week|month``.

Meant for cron: a preview with ``--dry-run``, otherwise one invoice per client,
with a rich progress bar on stderr (none with ``--json``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.cli_parts import existing_group

if TYPE_CHECKING:
    from cp_tui.config import Settings
    from cp_tui.services.batch import BatchOutcome, BatchPreview, BatchResult


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    invoices = existing_group(sub, "invoices")
    text = "invoice every client's uninvoiced items of a week or of last month"
    batch: argparse.ArgumentParser = invoices.add_parser(
        "batch",
        help=text,
        description=text + ". Week: Monday to Sunday of --date's week; month: the calendar "
        "month before --date. Running it again creates nothing new.",
        parents=[common],
    )
    batch.add_argument("--period", choices=["week", "month"], required=True)
    batch.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="default: today")
    batch.add_argument("--dry-run", action="store_true", help="show what would be invoiced")
    batch.add_argument("--send", action="store_true", help="e-mail each invoice")
    batch.add_argument("--charge", action="store_true", help="charge saved cards")
    batch.add_argument("--no-credit", action="store_true", help="leave credit balances unapplied")
    batch.add_argument(
        "--include-earlier",
        action="store_true",
        help="also bill uninvoiced items dated before the period (the preview counts them)",
    )
    batch.set_defaults(runner=run_batch)


def run_batch(settings: Settings, a: argparse.Namespace) -> int:
    from cp_tui.bootstrap import build_services

    as_json = bool(a.json or a.json_global)
    services = build_services(settings)
    try:
        preview = services.batch.preview(
            a.period,
            a.date,
            apply_credit=not a.no_credit,
            include_earlier=a.include_earlier,
        )
        if a.dry_run:
            if as_json:
                out.emit_json(preview_json(preview))
            else:
                _print_preview(preview)
            return 0
        if preview.unbilled and not as_json:
            out.note(
                f"{len(preview.unbilled)} recurring session(s) in the period have no items "
                "yet and are not billed; `--dry-run` lists them"
            )
        if preview.earlier_items and not as_json:
            out.note(_earlier_note(preview))
        result = _run(services, preview, a, as_json)
        if as_json:
            out.emit_json({**preview_json(preview), "outcomes": out.jsonable(result.outcomes)})
        else:
            _print_result(result, preview.currency)
        # cron mails whoever runs it when a job fails: an invoice that could not
        # be made, sent or charged is such a failure, though the rest stands.
        return 0 if result.complete else 1
    finally:
        services.close()


def preview_json(preview: BatchPreview) -> dict[str, Any]:
    return {
        "period": preview.period,
        "start": preview.start.isoformat(),
        "end": preview.end.isoformat(),
        "currency": preview.currency,
        "total": preview.total,
        "rows": [{**out.jsonable(row), "items": row.items} for row in preview.rows],
        "unbilled": out.jsonable(preview.unbilled),
        "include_earlier": preview.include_earlier,
        "earlier_items": preview.earlier_items,
        "earlier_clients": preview.earlier_clients,
    }


def _earlier_note(preview: BatchPreview) -> str:
    return (
        f"{preview.earlier_items} uninvoiced item(s) of {preview.earlier_clients} client(s) "
        f"are dated before {preview.start} and are not in this run; "
        "`--include-earlier` bills them too"
    )


def _run(services: Any, preview: BatchPreview, a: argparse.Namespace, quiet: bool) -> BatchResult:
    kwargs = {
        "apply_credit": not a.no_credit,
        "include_earlier": a.include_earlier,
        "send": a.send,
        "charge": a.charge,
    }
    if quiet or not preview.rows:
        result: BatchResult = services.batch.run(preview.rows, **kwargs)
        return result
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("{task.description}", style="progress.description", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bar:
        task = bar.add_task("Invoicing", total=len(preview.rows))

        def step(done: int, total: int, outcome: BatchOutcome) -> None:
            bar.update(task, completed=done, description=f"{outcome.client_name[:30]:<30}")

        result = services.batch.run(preview.rows, progress=step, **kwargs)
    return result


def _print_preview(preview: BatchPreview) -> None:
    money = lambda amount: out.money(amount, preview.currency)  # noqa: E731
    sys.stdout.write(f"Batch {preview.period}: {preview.start} to {preview.end}\n\n")
    out.table(
        ["Client", "Name", "Items", "Total", "Credit", "Card"],
        [
            [r.client_id, r.client_name, r.items, money(r.total), money(r.credit), r.card or "-"]
            for r in preview.rows
        ],
    )
    sys.stdout.write(f"\n{len(preview.rows)} invoice(s), {money(preview.total)} in all\n")
    if preview.earlier_items:
        sys.stdout.write(f"\n{_earlier_note(preview)}\n")
    if preview.unbilled:
        sys.stdout.write(
            "\nRecurring sessions with no items yet (not billed; "
            "`cp-tui appointments generate-items ID` first):\n"
        )
        out.table(
            ["Appointment", "Start", "Clients", "Services"],
            [
                [
                    u.appointment_id,
                    f"{u.start:%a %Y-%m-%d %H:%M}",
                    ", ".join(u.client_names),
                    ", ".join(u.service_names),
                ]
                for u in preview.unbilled
            ],
        )


def _print_result(result: BatchResult, currency: str) -> None:
    out.table(
        ["Client", "Name", "Status", "Invoice", "Total", "Note"],
        [
            [
                o.client_id,
                o.client_name,
                o.status,
                o.invoice or "-",
                out.money(o.total, currency),
                o.message,
            ]
            for o in result.outcomes
        ],
    )
    sys.stdout.write(f"\n{len(result.created)} invoice(s) created\n")
    undelivered = [o.invoice for o in result.outcomes if o.undelivered]
    if undelivered:
        sys.stdout.write(
            f"{len(undelivered)} not sent or not charged ({', '.join(map(str, undelivered))}): "
            "see Note; the invoices stand\n"
        )
