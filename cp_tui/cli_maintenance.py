"""Maintenance commands: ``check``, ``backup`` and ``restore``.

They open the store themselves (a ``runner(settings, args)`` returning the exit
status) instead of receiving built services: ``restore`` must work on a
damaged practice that the services refuse to open, and ``check`` reports a
damaged file as a finding and exits 1 instead of 2.

Heavy modules are imported inside the runners, so ``cp-tui`` pays nothing for
these commands until one of them runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out

if TYPE_CHECKING:
    from cp_tui.config import Settings
    from cp_tui.services.integrity import IntegrityReport

EXIT_OK = 0
EXIT_FINDINGS = 1

CHECK_HELP = "recompute every total and balance and report each mismatch"
CHECK_EPILOG = (
    "Recomputes each invoice's totals from its lines, each amount paid from the "
    "payments, each credit balance from the credit ledger (never negative) and each "
    "balance due; checks that no item is on two live invoices, that every invoice has "
    "lines and that numbers run 1..n in each series without a gap; on SQLite also "
    "PRAGMA integrity_check and foreign_key_check. Reads only. Exit status: 0 when "
    "everything agrees, 1 when anything does not (each finding is printed), 2 when "
    "the check could not run."
)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    check = subparsers.add_parser(
        "check", help=CHECK_HELP, description=CHECK_HELP, epilog=CHECK_EPILOG, parents=[common]
    )
    check.set_defaults(runner=run_check)

    backup_help = "back the practice up (SQLite's backup API; checked, 0600)"
    backup = subparsers.add_parser(
        "backup",
        help=backup_help,
        description=backup_help,
        epilog="Without --to the copy goes to DATA_DIR/backups/practice-YYYYmmdd-HHMMSS.db, "
        "where the last 14 are kept (cp-tui also makes one there before every migration "
        "and on the first start of each day). A practice on PostgreSQL is dumped with "
        "pg_dump --format=custom to DATA_DIR/backups/practice-YYYYmmdd-HHMMSS.dump.",
        parents=[common],
    )
    backup.add_argument("--to", metavar="FILE", help="write the backup to FILE (a new file)")
    backup.add_argument("--list", action="store_true", help="list the backups in DATA_DIR")
    backup.set_defaults(runner=run_backup)

    restore_help = "put a backup back in place of the practice"
    restore = subparsers.add_parser(
        "restore",
        help=restore_help,
        description=restore_help,
        epilog="The backup is checked first (integrity, foreign keys, a schema this "
        "cp-tui knows); the current database is kept as "
        "practice.db.before-restore-YYYYmmdd-HHMMSS beside it.",
        parents=[common],
    )
    restore.add_argument("file", metavar="FILE", help="a backup made by cp-tui")
    restore.set_defaults(runner=run_restore)


def _wants_json(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "json", False) or getattr(args, "json_global", False))


def _sqlite_file(settings: Settings, doing: str) -> Path:
    from cp_tui.store import StoreError, sqlite_path

    path = sqlite_path(settings.database_url)
    if path is None:
        raise StoreError(
            f"the practice is on a database server; {doing} it with the server's own "
            "tools (pg_dump and pg_restore; see the README)"
        )
    return path


# -- check ----------------------------------------------------------------------------------


def run_check(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from cp_tui.bootstrap import build_services
    from cp_tui.services.integrity import Finding, IntegrityReport, IntegrityService
    from cp_tui.store import DamagedDatabase

    def unreadable(message: str) -> IntegrityReport:
        return IntegrityReport(
            ok=False,
            findings=[Finding("sqlite_integrity", "database", message)],
            counts={},
            checks=["sqlite_integrity"],
        )

    try:
        services = build_services(settings)
    except DamagedDatabase as exc:
        report = unreadable(str(exc))
    else:
        try:
            report = IntegrityService(services.db, services.clock).check()
        except DBAPIError as exc:  # e.g. "database disk image is malformed"
            report = unreadable(f"the database could not be read: {exc.orig}")
        finally:
            services.close()
    if _wants_json(args):
        out.emit_json(report)
    else:
        _print_report(report)
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _print_report(report: IntegrityReport) -> None:
    names = {
        "invoices": "invoices",
        "credit_notes": "credit notes",
        "lines": "lines",
        "payments": "payments",
        "credit_entries": "credit entries",
        "clients": "clients",
    }
    counted = ", ".join(f"{report.counts[k]} {v}" for k, v in names.items() if k in report.counts)
    if counted:
        sys.stdout.write(f"Checked {counted}.\n")
    if report.ok:
        sys.stdout.write(
            "OK: every total, payment, credit balance, balance due and number agrees.\n"
        )
        return
    count = len(report.findings)
    sys.stdout.write(f"{count} finding{'s' if count != 1 else ''}:\n")
    for finding in report.findings:
        sys.stdout.write(f"  [{finding.check}] {finding.subject}: {finding.message}\n")


# -- backup and restore ------------------------------------------------------------------------


def run_backup(settings: Settings, args: argparse.Namespace) -> int:
    from cp_tui.backup import BackupError, list_backups, make_backup
    from cp_tui.store import StoreError, sqlite_path

    if sqlite_path(settings.database_url) is None:
        return _server_backup(settings, args)
    path = _sqlite_file(settings, "back up")
    if args.list:
        found = [(str(p), p.stat().st_size) for p in reversed(list_backups(path))]
        if _wants_json(args):
            out.emit_json([{"path": name, "size": size} for name, size in found])
        else:
            out.table(["Backup", "Size"], [[name, _size(size)] for name, size in found])
        return EXIT_OK
    try:
        made = make_backup(path, to=Path(args.to) if args.to else None)
    except BackupError as exc:
        raise StoreError(str(exc)) from exc
    if _wants_json(args):
        out.emit_json(made)
    else:
        sys.stdout.write(f"Backed up {path} to {made.path} ({_size(made.size)}).\n")
    return EXIT_OK


def run_restore(settings: Settings, args: argparse.Namespace) -> int:
    from cp_tui.backup import BackupError, restore
    from cp_tui.migrations import REVISIONS
    from cp_tui.store import StoreError, sqlite_path

    try:
        if sqlite_path(settings.database_url) is None:
            from cp_tui import pg_backup

            done = pg_backup.restore(
                settings.database_url,
                settings.data_dir,
                Path(args.file),
                known_revisions=REVISIONS,
            )
        else:
            path = _sqlite_file(settings, "restore")
            done = restore(path, Path(args.file), known_revisions=REVISIONS)
    except BackupError as exc:
        raise StoreError(str(exc)) from exc
    if _wants_json(args):
        out.emit_json(done)
    else:
        sys.stdout.write(f"Restored {done.database} from {done.restored_from}.\n")
        if done.kept_aside:
            sys.stdout.write(f"The practice as it was is kept in {done.kept_aside}.\n")
        sys.stdout.write("`cp-tui check` recomputes every figure of the restored practice.\n")
    return EXIT_OK


def _server_backup(settings: Settings, args: argparse.Namespace) -> int:
    """A PostgreSQL practice: pg_dump's custom format into the data folder's backups/."""
    from cp_tui import pg_backup
    from cp_tui.backup import BackupError
    from cp_tui.store import StoreError

    if args.list:
        found = [
            (str(p), p.stat().st_size) for p in reversed(pg_backup.list_backups(settings.data_dir))
        ]
        if _wants_json(args):
            out.emit_json([{"path": name, "size": size} for name, size in found])
        else:
            out.table(["Backup", "Size"], [[name, _size(size)] for name, size in found])
        return EXIT_OK
    try:
        made = pg_backup.make_backup(
            settings.database_url, settings.data_dir, to=Path(args.to) if args.to else None
        )
    except BackupError as exc:
        raise StoreError(str(exc)) from exc
    if _wants_json(args):
        out.emit_json(made)
    else:
        name = pg_backup.server(settings.database_url).database
        sys.stdout.write(f"Backed up database {name} to {made.path} ({_size(made.size)}).\n")
    return EXIT_OK


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"
