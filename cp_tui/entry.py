"""The ``cp-tui`` entry point: the TUI starts without importing the command line.

Importing every command's module (and what they import) costs about a quarter of
a bare Textual app's start, so ``cp-tui`` with nothing but ``--data-dir`` or
``--demo`` goes straight to the TUI; anything else is the command line's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def tui_options(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """(data dir, demo) when ``argv`` only opens the TUI; None when it needs the full parser."""
    data_dir, demo, rest = None, False, list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--data-dir" and rest and not rest[0].startswith("-"):
            data_dir = rest.pop(0)
        elif arg.startswith("--data-dir=") and len(arg) > len("--data-dir="):
            data_dir = arg.split("=", 1)[1]
        else:
            return None
    return data_dir, demo


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    tui_only = tui_options(argv)
    if tui_only is not None:
        from cp_tui.config import resolve_settings
        from cp_tui.tui import run_tui

        return run_tui(resolve_settings(tui_only[0], demo=tui_only[1]))
    from cp_tui.cli import main as command_line

    return command_line(argv)
