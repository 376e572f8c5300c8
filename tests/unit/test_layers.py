"""The layer rules: nothing below the screens pulls in Textual, Stripe or ReportLab."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import cp_tui.services

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("textual", "stripe", "reportlab")

_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(
    m for m in sys.modules
    if m.split(".")[0] in {"textual", "stripe", "reportlab"}
)))
"""


def _service_modules() -> list[str]:
    found = [
        info.name
        for info in pkgutil.walk_packages(cp_tui.services.__path__, prefix="cp_tui.services.")
    ]
    return ["cp_tui.services", *sorted(found)]


def _imported_heavy(modules: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: list[str] = json.loads(done.stdout)
    return result


def test_service_modules_are_found() -> None:
    modules = _service_modules()
    expected = {
        "cp_tui.services.calendar",
        "cp_tui.services.clients",
        "cp_tui.services.credits",
        "cp_tui.services.invoicing",
        "cp_tui.services.payments",
    }
    assert expected <= set(modules)
    on_disk = {
        f"cp_tui.services.{p.stem}"
        for p in (ROOT / "cp_tui" / "services").glob("*.py")
        if p.stem != "__init__"
    }
    assert on_disk <= set(modules)


def test_services_and_bootstrap_import_no_textual_stripe_or_reportlab() -> None:
    modules = [*_service_modules(), "cp_tui.bootstrap"]
    assert _imported_heavy(modules) == []


def test_lower_layers_and_command_line_import_none_of_them_either() -> None:
    modules = [
        "cp_tui.models",
        "cp_tui.money",
        "cp_tui.store",
        "cp_tui.config",
        "cp_tui.clock",
        "cp_tui.migrations",
        # A one-off command (cron, scripts) must not pay for the TUI.
        "cp_tui.cli",
        "cp_tui.commands",
        "cp_tui.cli_output",
    ]
    assert _imported_heavy(modules) == []


def test_the_probe_does_see_a_forbidden_import() -> None:
    # Guards the probe itself: it reports what it is meant to catch.
    assert "textual" in _imported_heavy(["cp_tui.services", "textual"])


_DB_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] in {"sqlalchemy", "sqlmodel", "pydantic"}
)))
"""


def test_what_the_tui_imports_before_its_first_paint_leaves_out_the_database_layer() -> None:
    # SQLAlchemy, SQLModel and pydantic take longer to import than Textual itself:
    # the splash screen paints first, and the practice opens right after.
    done = subprocess.run(
        [sys.executable, "-c", _DB_PROBE, "cp_tui.cli", "cp_tui.tui", "cp_tui.app"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    probe_works = subprocess.run(
        [sys.executable, "-c", _DB_PROBE, "cp_tui.bootstrap"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert "sqlalchemy" in json.loads(probe_works.stdout)
