"""``cp-tui`` with only --data-dir/--demo opens the TUI without building every parser."""

from __future__ import annotations

import pytest

from cp_tui.cli import _tui_options


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (None, False)),
        (["--demo"], (None, True)),
        (["--data-dir", "/tmp/p"], ("/tmp/p", False)),
        (["--data-dir=/tmp/p", "--demo"], ("/tmp/p", True)),
        (["--data-dir", "/a", "--data-dir", "/b"], ("/b", False)),  # the last wins, as argparse
    ],
)
def test_tui_only_command_lines(argv: list[str], expected: tuple[str | None, bool]) -> None:
    assert _tui_options(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["clients", "list"],
        ["--data-dir"],
        ["--data-dir="],
        ["--data-dir", "--demo"],
        ["--data", "/tmp/p"],  # an abbreviation: argparse decides
        ["--demo", "demo"],
        ["--json"],
    ],
)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert _tui_options(argv) is None
