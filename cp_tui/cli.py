"""The command line: every core action without the TUI, for scripts, cron and tests.

``cp-tui`` alone opens the TUI; ``cp-tui COMMAND ...`` runs one command. Bad
input exits 2 with one line on stderr and changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NoReturn

from cp_tui import (
    cli_batch,
    cli_documents,
    cli_encryption,
    cli_fees,
    cli_insurance,
    cli_maintenance,
    cli_packages,
    cli_reports,
    cli_stripe,
)
from cp_tui import cli_output as out
from cp_tui.cli_parts import id_list
from cp_tui.config import resolve_settings

EXIT_USAGE = 2

# Command groups that live in modules of their own (cp_tui/cli_*.py). Each
# ``register(subparsers, common)`` adds its parsers and sets ``handler`` on them
# with ``set_defaults``: handler(services, args) returns what is printed.
EXTENSIONS: list[Callable[[Any, argparse.ArgumentParser], None]] = [
    cli_maintenance.register,
    cli_encryption.register,
    cli_stripe.register,
    cli_documents.register,
    cli_reports.register,
    cli_packages.register,
    cli_batch.register,
    cli_fees.register,
    cli_insurance.register,
]


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr that says where help is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every ``type=int`` argument (ids, minutes, days) must fit a 64-bit column.
        self.register("type", int, _int)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USAGE)


def _int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) >= 2**63:
        raise argparse.ArgumentTypeError(f"{text} is too large a number")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time; use YYYY-MM-DDTHH:MM, e.g. 2026-11-20T10:00"
        ) from None


def _ids(text: str) -> list[int]:
    return id_list(text)


ADDRESS_HELP = "postal address as printed on documents; \\n for a new line"


def _lines(text: str) -> str:
    """A typed ``\\n`` (backslash, n) is a line break, as in ``documents set``."""
    return text.replace("\\n", "\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")

    parser = Parser(
        prog="cp-tui",
        description="Billing for solo practitioners. Without a command, opens the TUI.",
        epilog="Money is typed in major units (150.00); --json prints minor units (15000).",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="folder of the practice's data")
    parser.add_argument("--demo", action="store_true", help="use the demo practice")
    parser.add_argument("--json", dest="json_global", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def group(name: str, help_text: str) -> Any:
        p = sub.add_parser(name, help=help_text, description=help_text)
        return p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)

    def cmd(actions: Any, name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=help_text, description=help_text, parents=[common])

    demo = sub.add_parser(
        "demo",
        help="load the demo practice from data/",
        parents=[common],
        description="Load the demo practice (into its own folder unless --data-dir is given).",
    )
    demo.add_argument(
        "--reset", action="store_true", help="delete the demo practice and load it afresh"
    )

    settings = group("settings", "the practice's settings")
    cmd(settings, "show", "show the practice's settings")
    s_set = cmd(settings, "set", "change the practice's settings")
    s_set.add_argument("--practice-name")
    s_set.add_argument("--address", type=_lines, help=ADDRESS_HELP)
    s_set.add_argument("--tax-id")
    s_set.add_argument("--email")
    s_set.add_argument("--phone")
    s_set.add_argument("--currency", help="ISO code: USD, EUR, GBP, AUD, NZD, CAD, JPY, ...")
    s_set.add_argument("--tax-rate", help="default tax rate in percent, e.g. 15")
    s_set.add_argument("--payment-terms", type=int, metavar="DAYS")
    s_set.add_argument("--invoice-prefix")
    s_set.add_argument("--credit-note-prefix")

    clients = group("clients", "clients of the practice")
    c_add = cmd(clients, "add", "add a client")
    c_add.add_argument("--name", required=True)
    c_add.add_argument("--email", default="")
    c_add.add_argument("--phone", default="")
    c_add.add_argument("--address", default="", type=_lines, help=ADDRESS_HELP)
    c_list = cmd(clients, "list", "list clients")
    c_list.add_argument("--search", default="", help="part of a name or e-mail")
    c_list.add_argument("--archived", action="store_true", help="include archived clients")
    c_show = cmd(clients, "show", "show one client")
    c_show.add_argument("id", type=int)
    c_edit = cmd(clients, "edit", "change a client's details")
    c_edit.add_argument("id", type=int)
    for flag in ("--name", "--email", "--phone"):
        c_edit.add_argument(flag)
    c_edit.add_argument("--address", type=_lines, help=ADDRESS_HELP)
    c_rm = cmd(clients, "remove", "delete a client, or archive one with history")
    c_rm.add_argument("id", type=int)
    c_credit = cmd(clients, "credit", "a client's credit ledger")
    c_credit.add_argument("id", type=int)

    services = group("services", "the services catalogue")
    sv_add = cmd(services, "add", "add a service")
    sv_add.add_argument("--name", required=True)
    sv_add.add_argument("--price", required=True, help="unit price, e.g. 150.00")
    sv_add.add_argument("--tax-rate", help="percent; the practice's default if left out")
    sv_add.add_argument("--duration", type=int, default=50, help="minutes (default 50)")
    sv_add.add_argument("--code", default="", help="e.g. CPT 90837")
    cmd(services, "list", "list services")
    sv_edit = cmd(services, "edit", "change a service (existing items keep their price)")
    sv_edit.add_argument("id", type=int)
    for flag in ("--name", "--price", "--tax-rate", "--code"):
        sv_edit.add_argument(flag)
    sv_edit.add_argument("--duration", type=int)

    appts = group("appointments", "the calendar")
    a_add = cmd(appts, "add", "book an appointment or a recurring series")
    a_add.add_argument("--client", type=int, action="append", required=True, metavar="ID")
    a_add.add_argument("--service", type=int, action="append", required=True, metavar="ID")
    a_add.add_argument("--start", type=_datetime, required=True, metavar="YYYY-MM-DDTHH:MM")
    a_add.add_argument("--duration", type=int, metavar="MINUTES")
    a_add.add_argument("--repeat", choices=["weekly", "fortnightly", "monthly"])
    a_add.add_argument("--count", type=_positive_int, metavar="N")
    a_add.add_argument("--until", type=_date, metavar="YYYY-MM-DD")
    a_add.add_argument("--notes", default="")
    a_list = cmd(appts, "list", "list appointments")
    a_list.add_argument("--from", dest="start", type=_date, metavar="DATE")
    a_list.add_argument("--to", dest="end", type=_date, metavar="DATE")
    a_show = cmd(appts, "show", "show an appointment with its billing details")
    a_show.add_argument("id", type=int)
    for name, text in (
        ("complete", "mark completed (a single appointment gets its billing items)"),
        ("cancel", "mark cancelled"),
        ("no-show", "mark as a no-show"),
        ("reopen", "back to scheduled (removes uninvoiced items)"),
        ("generate-items", "create the items of a session that took place (recurring)"),
        ("delete", "delete an appointment booked by mistake"),
    ):
        cmd(appts, name, text).add_argument("id", type=int)
    a_move = cmd(appts, "edit", "move an appointment, or every scheduled one of its series")
    a_move.add_argument("id", type=int)
    a_move.add_argument("--start", type=_datetime, metavar="YYYY-MM-DDTHH:MM")
    a_move.add_argument("--duration", type=int)
    a_move.add_argument("--series", action="store_true", help="apply to the whole series")
    a_bill = cmd(appts, "bill", "change what an attendee is billed for a service")
    a_bill.add_argument("id", type=int)
    a_bill.add_argument("--client", type=int, required=True)
    a_bill.add_argument("--service", type=int, required=True)
    a_bill.add_argument("--units")
    a_bill.add_argument("--price")
    a_bill.add_argument("--tax-rate")

    items = group("items", "billing items")
    i_list = cmd(items, "list", "list billing items")
    i_list.add_argument("--client", type=int)
    i_list.add_argument("--uninvoiced", action="store_true")
    i_edit = cmd(items, "edit", "change an uninvoiced item")
    i_edit.add_argument("id", type=int)
    i_edit.add_argument("--units")
    i_edit.add_argument("--price")
    i_edit.add_argument("--tax-rate")
    i_edit.add_argument("--description")
    i_add = cmd(items, "add", "add an item no appointment made")
    i_add.add_argument("--client", type=int, required=True)
    i_add.add_argument("--description", required=True)
    i_add.add_argument("--price", required=True)
    i_add.add_argument("--units", default="1")
    i_add.add_argument("--tax-rate")
    i_add.add_argument("--date", type=_date)
    i_remove = cmd(
        items, "remove", "delete an uninvoiced item (added by mistake, a fee waived, a sale)"
    )
    i_remove.add_argument("id", type=int)

    invoices = group("invoices", "invoices and credit notes")
    v_create = cmd(invoices, "create", "invoice a client's uninvoiced items")
    v_create.add_argument("--client", type=int, required=True)
    v_create.add_argument("--items", type=_ids, metavar="ID,ID", help="default: all uninvoiced")
    v_create.add_argument("--bill-to", type=int, metavar="ID", help="client who pays")
    v_create.add_argument("--apply-credit", action="store_true", help="use the credit balance")
    v_create.add_argument(
        "--draft", action="store_true", help="keep it as a draft (DRAFT-n): no number yet"
    )
    v_issue = cmd(invoices, "issue", "issue a draft: it takes the next number")
    v_issue.add_argument("number", metavar="DRAFT")
    v_issue.add_argument("--apply-credit", action="store_true", help="use the credit balance")
    v_discard = cmd(invoices, "discard", "throw a draft away; its items are uninvoiced again")
    v_discard.add_argument("number", metavar="DRAFT")
    v_list = cmd(invoices, "list", "list invoices")
    v_list.add_argument("--client", type=int)
    v_list.add_argument(
        "--status",
        default="all",
        help="all, open, unpaid, partially-paid, overdue, paid, void, credit-notes",
    )
    v_show = cmd(invoices, "show", "show one invoice")
    v_show.add_argument("number")
    v_void = cmd(invoices, "void", "void an invoice without payments")
    v_void.add_argument("number")
    v_void.add_argument("--reason", default="")
    v_sent = cmd(invoices, "mark-sent", "record that the invoice was sent (it is then frozen)")
    v_sent.add_argument("number")
    v_credit = cmd(invoices, "apply-credit", "use the client's credit balance on an invoice")
    v_credit.add_argument("number")
    v_edit = cmd(invoices, "edit", "change an invoice that is neither sent nor paid")
    v_edit.add_argument("number")
    v_edit.add_argument("--line", type=int, action="append", default=[], metavar="ITEM_ID")
    v_edit.add_argument("--units", action="append", default=[])
    v_edit.add_argument("--price", action="append", default=[])
    v_edit.add_argument("--tax-rate", action="append", default=[])
    v_edit.add_argument("--remove", type=_ids, action="append", default=[], metavar="ITEM_ID")
    v_edit.add_argument("--add", type=_ids, action="append", default=[], metavar="ITEM_ID,ITEM_ID")

    credits = group("credits", "credit notes")
    cr_add = cmd(credits, "add", "issue a credit note (adds to the client's credit balance)")
    cr_add.add_argument("--client", type=int, required=True)
    cr_add.add_argument("--amount", required=True, help="e.g. 50.00")
    cr_add.add_argument("--reason", required=True)
    cr_add.add_argument("--tax-rate")
    cr_add.add_argument("--invoice", metavar="NUMBER", help="the invoice it corrects")

    payments = group("payments", "payments")
    p_rec = cmd(payments, "record", "record a payment received by hand")
    p_rec.add_argument("number")
    p_rec.add_argument("--amount", required=True, help="e.g. 80.00")
    p_rec.add_argument("--method", required=True, help="cash, cheque, transfer or card")
    p_rec.add_argument("--reference", default="")
    p_rec.add_argument("--date", type=_date)
    for register in EXTENSIONS:
        register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; ``cp_tui.entry.main`` opens the TUI without coming here."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = resolve_settings(args.data_dir, demo=args.demo or args.command == "demo")
    if args.command is None:
        from cp_tui.tui import run_tui

        return run_tui(settings)
    from cp_tui.commands import dispatch
    from cp_tui.services.errors import DomainError
    from cp_tui.store import StoreError

    try:
        return dispatch(args, settings)
    except (DomainError, StoreError, UsageError) as exc:
        out.fail(str(exc))
        return EXIT_USAGE
    except OSError as exc:  # a file named on the command line cannot be written or read
        where = f"{exc.filename}: " if exc.filename else ""
        out.fail(f"{where}{exc.strerror or exc}; name another file or fix its folder's permissions")
        return EXIT_USAGE
    except ValueError as exc:
        if "null byte" not in str(exc):
            raise
        # The OS refuses a path with a NUL in it before any file is touched.
        out.fail("a file name cannot contain a NUL character; name another file")
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
