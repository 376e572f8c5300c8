"""Two terminals at once: two cp-tui processes write to one practice concurrently.

Both open the same (new) practice at the same moment, so they also race to
create its schema, then each adds clients, items, invoices and payments in a
loop. Writes serialize (BEGIN IMMEDIATE and a busy timeout on SQLite, row locks
on PostgreSQL): both finish every use case, neither meets "database is
locked", each sees the other's clients, the invoice numbers of the two
together run 1..n without a gap or a double, and ``cp-tui check`` agrees.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.workload import ROOT, clean_environ, entry_point

if TYPE_CHECKING:
    from tests.postgres import PostgresServer

PER_TERMINAL = 30


def _two_terminals(data_dir: Path, env: dict[str, str]) -> list[dict[str, object]]:
    go = data_dir.parent / "go"
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "tests.integration.workload", "writer"),
                *(str(data_dir), name, str(PER_TERMINAL), str(go)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
            text=True,
        )
        for name in ("Left", "Right")
    ]
    for proc in procs:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        if not ready or proc.stdout.readline().strip() != "ready":
            for other in procs:
                other.kill()
            pytest.fail(f"a terminal did not start: {proc.communicate(timeout=30)[1]}")
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert "database is locked" not in out + err
        assert proc.returncode == 0, out + err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _assert_shared_fairly(results: list[dict[str, object]]) -> None:
    numbers: list[str] = []
    for result in results:
        assert result["errors"] == []
        made = result["invoices"]
        assert isinstance(made, list) and len(made) == PER_TERMINAL
        numbers += made
        # Each terminal saw clients the other one added.
        assert isinstance(result["seen_others"], int) and result["seen_others"] > 0
    expected = [f"INV-{n:04d}" for n in range(1, 2 * PER_TERMINAL + 1)]
    assert sorted(numbers) == expected  # together gap-free, no number twice


def _check(data_dir: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [*entry_point(), "--data-dir", str(data_dir), "check", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["counts"]["invoices"] == 2 * PER_TERMINAL


@pytest.mark.slow
def test_two_terminals_on_one_sqlite_practice(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    env = clean_environ()
    results = _two_terminals(data_dir, env)
    _assert_shared_fairly(results)
    _check(data_dir, env)
    print(f"\n2 concurrent writers on SQLite: {[r['seconds'] for r in results]} s")


@pytest.mark.slow
def test_two_terminals_on_one_postgresql_practice(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tests.postgres import unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no PostgreSQL: {reason}")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database(empty=True)
    try:
        env = clean_environ(CP_TUI_DATABASE_URL=url)
        results = _two_terminals(tmp_path / "practice", env)
        _assert_shared_fairly(results)
        _check(tmp_path / "practice", env)
    finally:
        server.drop_database(url)
