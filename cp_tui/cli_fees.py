"""Command line for fees and the end-of-session charge.

Adds options to existing commands, wrapping their handlers:
``services add|edit --no-show-fee 40.00 --late-cancel-fee 40.00``,
``settings set --late-cancel-hours 24`` and ``clients edit ID --charge-at-end yes|no``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.cli_parts import existing_group

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


def _yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "y", "on", "true"):
        return True
    if value in ("no", "n", "off", "false"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not yes or no")


def _parser(sub: Any, group: str, action: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = existing_group(sub, group).choices[action]
    return parser


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    for action in ("add", "edit"):
        parser = _parser(sub, "services", action)
        parser.add_argument("--no-show-fee", help="fee for a missed session, e.g. 40.00; none")
        parser.add_argument(
            "--late-cancel-fee", help="fee for a late cancellation, e.g. 40.00; none"
        )
        parser.set_defaults(handler=_service_with_fees)
    _parser(sub, "settings", "set").add_argument(
        "--late-cancel-hours",
        type=int,
        metavar="HOURS",
        help="a cancellation this close to the start is late (0: no late fees)",
    )
    _parser(sub, "settings", "set").set_defaults(handler=_settings_with_window)
    edit = _parser(sub, "clients", "edit")
    edit.add_argument(
        "--charge-at-end",
        type=_yes_no,
        metavar="yes|no",
        help="offer to charge the saved card when a session is invoiced",
    )
    edit.set_defaults(handler=_client_with_preference)


def _core(command: str, action: str) -> Any:
    from cp_tui.commands import HANDLERS

    return HANDLERS[(command, action)]


def _service_with_fees(s: Services, a: argparse.Namespace) -> Any:
    from cp_tui.services.fees import parse_fee

    currency = s.practice.get().currency
    for text in (a.no_show_fee, a.late_cancel_fee):
        parse_fee(text, currency)  # refuse a bad fee before anything changes
    read = _core("services", a.action)(s, a)
    fees = s.fees.set_service_fees(
        read.id, no_show_fee=a.no_show_fee, late_cancel_fee=a.late_cancel_fee
    )
    if not (a.json or a.json_global):
        return read
    return {
        **out.jsonable(read),
        "no_show_fee": fees.no_show_fee,
        "late_cancel_fee": fees.late_cancel_fee,
    }


def _settings_with_window(s: Services, a: argparse.Namespace) -> Any:
    from cp_tui.services.fees import check_window

    # The window is saved only once the other settings were taken, so a refused
    # setting leaves everything as it was.
    if a.late_cancel_hours is not None:
        check_window(a.late_cancel_hours)
    read = _core("settings", "set")(s, a)
    if a.late_cancel_hours is not None:
        s.fees.set_late_cancel_hours(a.late_cancel_hours)
    if not (a.json or a.json_global):
        return read
    return {**out.jsonable(read), "late_cancel_hours": s.fees.late_cancel_hours()}


def _client_with_preference(s: Services, a: argparse.Namespace) -> Any:
    if a.charge_at_end is not None:
        s.clients.get(a.id)  # a missing client is refused before anything changes
    read = _core("clients", "edit")(s, a)
    if a.charge_at_end is not None:
        s.session_charge.set_charge_at_end(a.id, a.charge_at_end)
    if not (a.json or a.json_global):
        return read
    return {**out.jsonable(read), "charge_at_end": s.session_charge.charge_at_end(a.id)}
