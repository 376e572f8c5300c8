"""Command line for statements e-mailed in a batch (meant for cron).

```
cp-tui statements send --all --from DATE --to DATE [--dry-run] [--json]
```
Every active client with activity in the period or a balance gets their
statement; a rich progress bar goes to stderr (none with ``--json``). Running it
again sends only what has not gone out: a statement is never sent twice. The
exit status is 1 when any statement failed, so cron can tell.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cp_tui import cli_output as out
from cp_tui.cli_reports import _wants_json
from cp_tui.services.errors import InvalidInput

# The run's module is imported inside the functions: the command line is built
# before the TUI's first paint, which must not wait for the database layer.
if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.config import Settings
    from cp_tui.services.statement_runs import (
        StatementOutcome,
        StatementPlan,
        StatementRunResult,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all",
        action="store_true",
        help="every active client with activity in the period or a balance",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="with --all: list who would get one, send nothing"
    )
    parser.set_defaults(runner=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if not args.all:
        if args.client is None:
            raise InvalidInput("say which client (CLIENT_ID), or --all for every client")
        if args.dry_run:
            raise InvalidInput("--dry-run goes with --all")
        from cp_tui.commands import dispatch

        args.runner = None  # one client: the ordinary command
        return dispatch(args, settings)
    if args.client is not None:
        raise InvalidInput("give a CLIENT_ID or --all, not both")
    if args.email:
        raise InvalidInput("--email sends one statement elsewhere; it does not go with --all")
    from cp_tui.bootstrap import build_services

    services = build_services(settings)
    try:
        plan = services.statement_runs.plan(args.start, args.end)
        if args.dry_run:
            _show_plan(plan, args)
            return 0
        result = _send(services, plan, quiet=_wants_json(args))
    finally:
        services.close()
    if _wants_json(args):
        out.emit_json(result)
    else:
        _show_result(result)
    from cp_tui.services.statement_runs import FAILED

    return 1 if result.count(FAILED) else 0


def _send(services: Services, plan: StatementPlan, *, quiet: bool) -> StatementRunResult:
    if quiet or not plan.targets:
        return services.statement_runs.send(plan)
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
        task = bar.add_task("Statements", total=len(plan.targets))

        def step(done: int, total: int, outcome: StatementOutcome) -> None:
            bar.update(task, completed=done, description=f"{outcome.client_name[:30]:<30}")

        return services.statement_runs.send(plan, progress=step)


def _show_plan(plan: StatementPlan, args: argparse.Namespace) -> None:
    if _wants_json(args):
        out.emit_json(plan)
        return
    sys.stdout.write(f"Statements {plan.start} to {plan.end}: {len(plan.targets)} client(s)\n\n")
    out.table(
        ["Client", "Name", "E-mail", "Events", "Balance due", "Credit"],
        [
            [
                t.client_id,
                t.client_name,
                t.email or "(none)",
                t.rows,
                out.money(t.closing_balance, plan.currency),
                out.money(t.credit_balance, plan.currency),
            ]
            for t in plan.targets
        ],
    )


def _show_result(result: StatementRunResult) -> None:
    from cp_tui.services.statement_runs import failed_first

    out.table(
        ["Client", "Name", "Status", "To / what to do"],
        [[o.client_id, o.client_name, o.status, o.detail] for o in failed_first(result.outcomes)],
    )
    sys.stdout.write(f"\nStatements {result.start} to {result.end}: {result.summary}\n")
