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
