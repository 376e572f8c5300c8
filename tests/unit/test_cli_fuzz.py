"""Every command of the command line, every option, hostile values.

The argparse tree (cp_tui/cli.py and the cli_* modules) is walked, so a command
added later is fuzzed too. Each argument gets either a plausible value (ids
that exist, a real invoice number) or a hostile one (huge, negative, NaN,
unicode, overlong, SQL-like, far dates). Whatever comes in: no traceback, exit
status 0, 1 or 2, a failure is one line on stderr, a failed command leaves the
database byte-for-byte as it was (its SQL dump), and at the end ``cp-tui check``
finds every figure consistent.

Commands run in-process through ``cli.main(argv)``. File options only ever name
places inside the test's own folder.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import string
from collections.abc import Iterator
from contextlib import closing, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cp_tui.bootstrap import build_services
from cp_tui.cli import build_parser, main
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.services.integrity import IntegrityService
from tests.conftest import FROZEN_NOW
from tests.unit.test_backup import _fill
from tests.unit.test_hostile_input import NASTY_NUMBERS, NASTY_TEXT

pytestmark = pytest.mark.sqlite_only

# A few per command keeps the run near a minute; CP_TUI_FUZZ_EXAMPLES=200 digs deeper.
EXAMPLES = int(os.environ.get("CP_TUI_FUZZ_EXAMPLES", "6"))
# The demo command loads a whole practice of its own: it has its own tests.
SKIPPED = {("demo",)}
PATH_DESTS = {"output", "to", "file", "body_file"}
MONEY_WORDS = ("price", "amount", "fee", "copay", "tax_rate", "units", "percent")


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


COMMANDS = [path for path, _ in _leaves(build_parser()) if path not in SKIPPED]


def _leaf(path: tuple[str, ...]) -> argparse.ArgumentParser:
    return dict(_leaves(build_parser()))[path]


hostile_ints = st.one_of(
    st.sampled_from(
        ["0", "-1", str(2**63), str(-(2**63) - 1), "9" * 400, "NaN", "1e3", "", " 5", "٣", "0x10"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=20),
)
hostile_dates = st.one_of(
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "", "today", "2026-13-01"]),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=20),
)
hostile_numbers = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
hostile_text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=200))


def _path_values(root: Path) -> st.SearchStrategy[str]:
    """Hostile file names, all inside ``root`` (a fuzzer must not write elsewhere)."""
    safe = st.text(alphabet=string.ascii_letters + string.digits + "é🦓 '._-", max_size=40)
    return st.one_of(
        st.sampled_from(
            ["", ".", "..", str(root), str(root / "missing" / "deep" / "x.pdf"), "x" * 5000]
        ),
        safe.filter(lambda n: n not in {"", ".", ".."}).map(lambda n: str(root / n)),
    )


def _value(draw: Any, action: argparse.Action, root: Path) -> str:
    kind = getattr(action.type, "__name__", None)
    plausible: st.SearchStrategy[str]
    if action.dest in PATH_DESTS:
        return str(draw(_path_values(root)))
    if action.choices:
        plausible = st.sampled_from([str(c) for c in action.choices])
        return str(draw(st.one_of(plausible, hostile_text)))
    if kind in {"int", "_int", "_positive_int", "_positive"}:
        plausible = st.integers(min_value=1, max_value=6).map(str)
        return str(draw(st.one_of(plausible, hostile_ints)))
    if kind in {"_date", "_datetime"}:
        plausible = st.sampled_from(["2026-11-01", "2026-11-30", "2026-11-24T10:00"])
        return str(draw(st.one_of(plausible, hostile_dates)))
    if kind == "_ids":
        plausible = st.sampled_from(["1", "1,2", "3,4,5"])
        return str(draw(st.one_of(plausible, hostile_text, hostile_ints)))
    if kind == "_yes_no":
        return str(draw(st.one_of(st.sampled_from(["yes", "no"]), hostile_text)))
    if action.dest == "number":
        plausible = st.sampled_from(["INV-0001", "INV-0002", "CN-0001", "1"])
        return str(draw(st.one_of(plausible, hostile_text)))
    if any(word in action.dest for word in MONEY_WORDS):
        plausible = st.sampled_from(["150.00", "20", "0.01", "15"])
        return str(draw(st.one_of(plausible, hostile_numbers)))
    return str(draw(st.one_of(st.sampled_from(["Ann", "cash", "x@example.com"]), hostile_text)))


def _argv(
    draw: Any, path: tuple[str, ...], parser: argparse.ArgumentParser, root: Path
) -> list[str]:
    options: list[str] = []
    positionals: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest == "json":
            continue
        if not action.option_strings:
            positionals.append(_value(draw, action, root))
            continue
        if not action.required and not draw(st.booleans()):
            continue
        flag = action.option_strings[-1]
        if action.nargs == 0:
            options.append(flag)
            continue
        repeats = draw(st.integers(1, 3)) if isinstance(action, argparse._AppendAction) else 1
        # --flag=value, so a value that starts with "-" is still a value.
        options += [f"{flag}={_value(draw, action, root)}" for _ in range(repeats)]
    return [*path, *options, *(["--", *positionals] if positionals else [])]


def _dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli-fuzz") / "practice"
    services = build_services(resolve_settings(data_dir, environ={}), clock=FrozenClock(FROZEN_NOW))
    _fill(services)
    services.close()
    return data_dir


@pytest.fixture
def quiet_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Stripe key, no database key, no keyring, no terminal: nothing outside the test."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    for name in ("STRIPE_API_KEY", "CP_TUI_DB_KEY", "CP_TUI_DATABASE_URL", "CP_TUI_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    monkeypatch.chdir(tmp_path)
    yield
    keyring.set_keyring(previous)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_hostile_arguments(
    path: tuple[str, ...],
    template: Path,
    tmp_path: Path,
    quiet_world: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "practice"
    shutil.copytree(template, data_dir)
    db = data_dir / DB_FILENAME
    files = tmp_path / "files"
    files.mkdir()
    parser = _leaf(path)

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        # Shrinking a failure of a whole command line can take minutes; the
        # failing argv is printed as it is.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data(), st.text(max_size=50))
    def attempt(data: st.DataObject, stdin: str) -> None:
        argv = ["--data-dir", str(data_dir), *_argv(data.draw, path, parser, files)]
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))  # for the commands that read it
        before = _dump(db)
        code, _, err = _run(argv)
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err
        if code == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "error" in lines[0], (argv, err)
            assert _dump(db) == before, f"a refused command changed the database: {argv}"

    attempt()
    services = build_services(resolve_settings(data_dir, environ={}), clock=FrozenClock(FROZEN_NOW))
    try:
        report = IntegrityService(services.db, services.clock).check()
    finally:
        services.close()
    assert report.ok, report.findings
