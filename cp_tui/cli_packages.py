"""Command line for session packages.

```
cp-tui packages sell --client ID --service ID [--service ID] --sessions N --price 900.00
                     [--tax-rate 0] [--expires DATE] [--name TEXT] [--apply-credit] [--charge]
cp-tui packages list [--client ID] [--active]
cp-tui packages show PACKAGE_ID
cp-tui packages refund PACKAGE_ID [--reason TEXT]     (unused sessions, pro rata, as a credit note)
```
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.cli_reports import _date, _runner, _wants_json
from cp_tui.money import format_money

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.package_reads import PackageRead


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    text = "session packages: sold up front, drawn one session at a time"
    parser = sub.add_parser("packages", help=text, description=text)
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )

    def cmd(name: str, help_text: str, body: Any) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text, parents=[common]
        )
        p.set_defaults(runner=_runner(body))
        return p

    sell = cmd("sell", "sell a package and invoice it now", _sell)
    sell.add_argument("--client", type=int, required=True, metavar="ID")
    sell.add_argument(
        "--service", type=int, action="append", required=True, metavar="ID", dest="services"
    )
    sell.add_argument("--sessions", type=_positive, required=True, metavar="N")
    sell.add_argument("--price", required=True, help="the whole package, e.g. 900.00")
    sell.add_argument("--tax-rate", help="percent; the practice's default if left out")
    sell.add_argument("--expires", type=_date, metavar="DATE", help="last day a session counts")
    sell.add_argument("--name", default="")
    sell.add_argument("--apply-credit", action="store_true", help="use the credit balance")
    sell.add_argument("--charge", action="store_true", help="charge the saved card at once")
    lst = cmd("list", "list packages and the sessions left", _list)
    lst.add_argument("--client", type=int, metavar="ID")
    lst.add_argument("--active", action="store_true", help="only those with sessions to draw")
    show = cmd("show", "one package with every session drawn", _show)
    show.add_argument("package", type=int, metavar="PACKAGE_ID")
    refund = cmd("refund", "refund the unused sessions pro rata as a credit note", _refund)
    refund.add_argument("package", type=int, metavar="PACKAGE_ID")
    refund.add_argument("--reason", default="")


def _currency(s: Services) -> str:
    return s.practice.get().currency


def _sell(s: Services, a: argparse.Namespace) -> None:
    sale = s.packages.sell(
        client_id=a.client,
        sessions=a.sessions,
        service_ids=a.services,
        price=a.price,
        tax_rate=a.tax_rate,
        expires_on=a.expires,
        name=a.name,
        apply_credit=a.apply_credit,
        charge_card=a.charge,
    )
    if _wants_json(a):
        out.emit_json(sale)
        return
    out.note(sale.message)
    _print_package(sale.package, _currency(s))


def _list(s: Services, a: argparse.Namespace) -> None:
    packages = s.packages.list(client_id=a.client, active_only=a.active)
    if _wants_json(a):
        out.emit_json(packages)
        return
    currency = _currency(s)
    out.table(
        ["ID", "Client", "Package", "Used", "Left", "Expires", "Status", "Price", "Invoice"],
        [
            [
                p.id,
                p.client_name,
                p.name,
                f"{p.used}/{p.sessions}",
                p.left,
                p.expires_on or "-",
                p.status,
                format_money(p.price, currency),
                p.invoice_number or "-",
            ]
            for p in packages
        ],
    )


def _show(s: Services, a: argparse.Namespace) -> None:
    package = s.packages.get(a.package)
    if _wants_json(a):
        out.emit_json(package)
        return
    _print_package(package, _currency(s))


def _refund(s: Services, a: argparse.Namespace) -> None:
    result = s.packages.refund(a.package, reason=a.reason)
    if _wants_json(a):
        out.emit_json(result)
        return
    currency = _currency(s)
    sys.stdout.write(
        f"Credit note {result.credit_note}: {format_money(result.amount, currency)} for "
        f"{result.sessions} unused session(s) of package {result.package.id}, "
        f"to {result.credited_to}'s credit\n"
    )


def _print_package(p: PackageRead, currency: str) -> None:
    expires = f", expires {p.expires_on}" if p.expires_on else ""
    sys.stdout.write(
        f"Package {p.id}: {p.name}  {p.client_name}  ({p.status})\n"
        f"{p.used} of {p.sessions} used, {p.left} left, {p.refunded} refunded{expires}\n"
        f"Price {format_money(p.price, currency)} on {p.invoice_number or '-'}; covers "
        f"{', '.join(p.service_names)}\n\n"
    )
    out.table(
        ["Session", "Date", "Item", "Appointment", "Would have cost"],
        [
            [
                u.seq,
                u.date,
                u.item_id,
                u.appointment_id or "-",
                format_money(u.covered_price, currency),
            ]
            for u in p.uses
        ],
    )
