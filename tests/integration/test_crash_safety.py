"""Crash safety: a billing batch is killed with SIGKILL at random moments, again and again.

Each run starts the workload of ``workload.py`` on a practice that earlier runs
left killed, lets it issue invoices, payments, credit notes, voids and edits for
a random moment (50 ms to 1.2 s), and kills it with SIGKILL. After every kill:
``PRAGMA integrity_check`` is ok, ``foreign_key_check`` is empty, every invoice
and credit-note number the workload saw committed is there, and ``cp-tui check``
(the installed entry point) finds every total, payment, credit balance, balance
due and number in agreement, with no item on two invoices and no invoice
without lines.

Two practices are worked side by side (one per core), 12 kills each.
``bench/crash_soak.py`` runs the same loop many more times.
"""

from __future__ import annotations

import os
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.workload import run_and_kill, verify

KILLS = int(os.environ.get("CP_TUI_CRASH_RUNS", "24"))
LANES = 2


def _lane(data_dir: Path, seed: int, runs: int) -> tuple[list[str], list[str], int]:
    """Kill and verify ``runs`` times; returns (problems, numbers made, use cases run)."""
    rng = random.Random(seed)
    made: list[str] = []
    ops = 0
    for index in range(runs):
        delay = rng.uniform(0.05, 1.2)
        run = run_and_kill(data_dir, seed * 1000 + index, delay)
        if run.problems:
            return [f"seed {seed}, run {index}: {p}" for p in run.problems], made, ops
        made += run.made
        ops += run.ops
        problems = verify(data_dir, made)
        if problems:
            where = f"seed {seed}, run {index} (killed after {delay:.2f} s)"
            return [f"{where}: {p}" for p in problems], made, ops
    return [], made, ops


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_never_breaks_the_practice(tmp_path: Path) -> None:
    seed = random.SystemRandom().randrange(1_000_000)
    folders = [tmp_path / f"practice-{lane}" for lane in range(LANES)]
    with ThreadPoolExecutor(LANES) as pool:
        results = list(
            pool.map(lambda lane: _lane(folders[lane], seed + lane, KILLS // LANES), range(LANES))
        )
    problems = [p for lane_problems, _made, _ops in results for p in lane_problems]
    assert problems == []

    invoices = 0
    for folder in folders:
        conn = sqlite3.connect(folder / "practice.db")
        try:
            invoices += conn.execute("SELECT count(*) FROM invoice").fetchone()[0]
        finally:
            conn.close()
    made = sum(len(m) for _p, m, _o in results)
    ops = sum(o for _p, _m, o in results)
    print(f"\n{KILLS} kills survived: {ops} use cases, {invoices} invoices and credit notes")
    assert invoices >= made > 0
