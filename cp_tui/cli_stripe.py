"""Command line for Stripe: login, cards, Pay now, links, refunds, sync."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.cli_parts import command, subcommands
from cp_tui.services.errors import NotAllowed

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    def group(name: str, text: str) -> Any:
        return subcommands(sub, name, text)

    def cmd(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
        return command(actions, name, text, common, handler)

    stripe = group("stripe", "connect Stripe")
    cmd(stripe, "login", "keep a Stripe secret key in the OS keyring (read from stdin)", _login)
    cmd(stripe, "status", "say whether and how Stripe is connected", _status)

    cards = group("cards", "cards on file (saved on Stripe's own page)")
    setup = cmd(cards, "setup", "a link where the client saves a card", _setup)
    setup.add_argument("client", type=int, metavar="CLIENT_ID")
    setup.add_argument("--qr", action="store_true", help="also print the link as a QR code")
    setup.add_argument(
        "--wait",
        type=int,
        default=0,
        metavar="SECONDS",
        help="wait this long for the client to finish",
    )
    show = cmd(cards, "show", "the client's saved card (checks an open setup page)", _show)
    show.add_argument("client", type=int, metavar="CLIENT_ID")

    payments = subcommands(sub, "payments", "payments")
    charge = cmd(payments, "charge", "charge the saved card for the amount due", _charge)
    charge.add_argument("number")
    link = cmd(payments, "link", "the payment link of an invoice, with a text for SMS", _link)
    link.add_argument("number")
    link.add_argument("--qr", action="store_true", help="also print the link as a QR code")
    refund = cmd(payments, "refund", "refund (part of) a card payment to the card", _refund)
    refund.add_argument("number")
    refund.add_argument("--amount", required=True, help="e.g. 40.00")
    refund.add_argument("--reason", default="")

    sync = sub.add_parser(
        "sync",
        help="record payments made through links; list what cannot be matched",
        description="Look at Stripe: settle open charges, record link payments, list "
        "payments that match nothing.",
        parents=[common],
    )
    sync.set_defaults(handler=_sync, action=None)


def _login(s: Services, a: argparse.Namespace) -> Any:
    if sys.stdin.isatty():
        key = getpass.getpass("Stripe secret key (restricted keys start with rk_): ")
    else:
        key = sys.stdin.readline()
    status = s.secrets.save_stripe_key(key)
    if status.warning:
        out.note(f"warning: {status.warning}")
    return {"source": status.source, "mode": status.mode}


def _status(s: Services, a: argparse.Namespace) -> Any:
    status = s.secrets.status()
    if status.warning:
        out.note(f"warning: {status.warning}")
    return {"connected": status.source != "none", "source": status.source, "mode": status.mode}


def _setup(s: Services, a: argparse.Namespace) -> Any:
    link = s.cards.setup_link(a.client)
    if a.qr and not (a.json or a.json_global):
        from cp_tui.adapters.qr import qr_text

        out.note(qr_text(link.url))
    out.note(f"Ask the client to open this page and save a card: {link.url}")
    card = None
    deadline = time.monotonic() + a.wait
    while a.wait and card is None and time.monotonic() < deadline:
        time.sleep(2)
        card = s.cards.poll_setup(a.client)
    return {"client_id": a.client, "url": link.url, "card": card.label if card else None}


def _show(s: Services, a: argparse.Namespace) -> Any:
    card = s.cards.card(a.client)
    if card is None:
        try:
            card = s.cards.poll_setup(a.client)
        except NotAllowed:
            card = None
    if card is None:
        raise NotAllowed(f"client {a.client} has no saved card; `cp-tui cards setup {a.client}`")
    return {
        "client_id": a.client,
        "card": card.label,
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
    }


def _charge(s: Services, a: argparse.Namespace) -> Any:
    result = s.charges.charge(a.number)
    out.note(result.message)
    return {"outcome": result.outcome.value, "message": result.message, "invoice": result.invoice}


def _link(s: Services, a: argparse.Namespace) -> Any:
    link = s.links.link(a.number)
    if a.qr and not (a.json or a.json_global):
        from cp_tui.adapters.qr import qr_text

        out.note(qr_text(link.url))
    return link


def _refund(s: Services, a: argparse.Namespace) -> Any:
    result = s.refunds.refund(a.number, a.amount, a.reason)
    out.note(result.message)
    return {
        "outcome": result.outcome.value,
        "message": result.message,
        "invoice": result.invoice,
        "credit_note": result.credit_note,
    }


def _sync(s: Services, a: argparse.Namespace) -> Any:
    report = s.stripe_sync.sync()
    for line in report.recorded:
        out.note(line)
    for problem in report.problems:
        out.note(f"problem: {problem}")
    for stray in report.unmatched:
        out.note(f"unmatched: {stray.remote_ref} {stray.amount} {stray.currency}: {stray.detail}")
    return report
