"""Small parts the command-line modules share: command groups and commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def subcommands(sub: Any, name: str, text: str) -> Any:
    """The actions of group ``name`` (``payments``), made on first need."""
    if name in sub.choices:
        return existing_group(sub, name)
    parser = sub.add_parser(name, help=text, description=text)
    return parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=type(parser)
    )


def command(
    actions: Any,
    name: str,
    text: str,
    common: argparse.ArgumentParser,
    handler: Callable[..., Any],
) -> argparse.ArgumentParser:
    """A command whose ``handler(services, args)`` returns what is printed."""
    parser: argparse.ArgumentParser = actions.add_parser(
        name, help=text, description=text, parents=[common]
    )
    parser.set_defaults(handler=handler)
    return parser


def existing_group(sub: Any, name: str) -> Any:
    """The actions of a group that must exist already (``invoices``)."""
    parser = sub.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def id_list(text: str) -> list[int]:
    """``12,13`` as ids; each must fit the database's 64-bit integer columns."""
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list of ids; use numbers separated by commas, e.g. 12,13"
        ) from None
    if any(abs(value) >= 2**63 for value in ids):
        raise argparse.ArgumentTypeError(f"{text!r} holds too large a number for an id")
    return ids
