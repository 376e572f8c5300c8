"""``cp-tui`` with only --data-dir/--demo opens the TUI without the command line's modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cp_tui.entry import tui_options

ROOT = Path(__file__).resolve().parents[2]

# What the TUI's way in imports, and which of those modules are the command line's.
_PROBE = (
    "import importlib, json, sys\n"
    "for name in ('cp_tui.entry', 'cp_tui.config', 'cp_tui.tui', 'cp_tui.app',"
    " 'cp_tui.userconfig'):\n"
    "    importlib.import_module(name)\n"
    "print(json.dumps(sorted(m for m in sys.modules"
    " if m == 'cp_tui.cli' or m.startswith('cp_tui.cli_'))))\n"
)


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
    assert tui_options(argv) == expected


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
    assert tui_options(argv) is None


def test_the_tui_way_in_imports_no_command_line_module() -> None:
    # Every command's module costs about a quarter of a bare Textual app's start.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
