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

The month-end rhythm is killed too: a practice of 150 clients is billed week
after week by ``BatchService.run`` (100 invoices a transaction), killed at
random moments; after every kill the same checks hold, and at the end one
uninterrupted run of each week's batch leaves no item uninvoiced and no client
billed twice for one week.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.workload import ROOT, clean_environ, run_and_kill, verify

KILLS = int(os.environ.get("CP_TUI_CRASH_RUNS", "24"))
BATCH_KILLS = int(os.environ.get("CP_TUI_BATCH_CRASH_RUNS", "12"))
LANES = 2


def _lane(
    data_dir: Path, seed: int, runs: int, workload: str = "crash", longest: float = 1.2
) -> tuple[list[str], list[str], int]:
    """Kill and verify ``runs`` times; returns (problems, numbers made, use cases run).

    For the batch workload the last figure is how many runs found a batch cut short.
    """
    rng = random.Random(seed)
    made: list[str] = []
    ops = 0
    for index in range(runs):
        delay = rng.uniform(0.05, longest)
        run = run_and_kill(data_dir, seed * 1000 + index, delay, workload=workload)
        if run.problems:
            return [f"seed {seed}, run {index}: {p}" for p in run.problems], made, ops
        made += run.made
        ops += run.ops if workload == "crash" else int(run.resumed > 0)
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


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_batch_runs_killed_at_random_moments_leave_whole_invoices_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    seed = random.SystemRandom().randrange(1_000_000)
    folder = tmp_path / "practice"
    # A run bills 150 invoices in about a second here: kills land before, inside
    # and between its transactions.
    problems, made, resumed = _lane(folder, seed, BATCH_KILLS, workload="batch", longest=2.5)
    assert problems == [], f"seed {seed}"

    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.workload", "finish-batches", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_environ(),
        timeout=300,
        check=True,
    )
    finished = json.loads(done.stdout.strip().splitlines()[-1])
    assert finished["left"] == 0 and finished["twice"] == [], finished
    assert verify(folder, made + finished["made"]) == []
    conn = sqlite3.connect(folder / "practice.db")
    try:
        invoices = conn.execute("SELECT count(*) FROM invoice").fetchone()[0]
    finally:
        conn.close()
    print(
        f"\n{BATCH_KILLS} batch kills survived: {invoices} invoices; "
        f"{resumed} runs finished a batch the kill before them had cut"
    )
    assert invoices >= len(made) > 0
