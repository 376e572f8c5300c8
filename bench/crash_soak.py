"""Crash soak: the crash-safety test's kill-and-verify loop, many more times.

    .venv/bin/python -m bench.crash_soak                  # 100 kills, two practices side by side
    .venv/bin/python -m bench.crash_soak --kills 400 --seed 7 --max-delay 3

Each run starts the billing workload of tests/integration/workload.py on a
practice that earlier runs left killed, SIGKILLs it after a random moment, and
verifies the practice: PRAGMA integrity_check, foreign_key_check, every
committed number still there, and ``cp-tui check`` (the installed entry point)
finding everything in agreement. Stops at the first problem and prints its seed.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.integration.workload import run_and_kill, verify


def lane(folder: Path, seed: int, kills: int, max_delay: float) -> tuple[int, int, list[str]]:
    rng = random.Random(seed)
    made: list[str] = []
    ops = 0
    for index in range(kills):
        delay = rng.uniform(0.02, max_delay)
        run = run_and_kill(folder, seed * 100_000 + index, delay)
        problems = run.problems or verify(folder, made + run.made)
        if problems:
            return index, ops, [f"seed {seed} run {index} ({delay:.2f} s): {p}" for p in problems]
        made += run.made
        ops += run.ops
    return kills, ops, []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--lanes", type=int, default=2, help="practices worked side by side")
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(1_000_000))
    parser.add_argument("--max-delay", type=float, default=1.5, help="seconds before a kill")
    args = parser.parse_args(argv)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cp-tui-soak-") as tmp:
        folders = [Path(tmp) / f"practice-{n}" for n in range(args.lanes)]
        per_lane = max(args.kills // args.lanes, 1)
        with ThreadPoolExecutor(args.lanes) as pool:
            results = list(
                pool.map(
                    lambda n: lane(folders[n], args.seed + n, per_lane, args.max_delay),
                    range(args.lanes),
                )
            )
        documents = 0
        for folder in folders:
            if (folder / "practice.db").exists():
                conn = sqlite3.connect(folder / "practice.db")
                documents += conn.execute("SELECT count(*) FROM invoice").fetchone()[0]
                conn.close()
    survived = sum(r[0] for r in results)
    ops = sum(r[1] for r in results)
    problems = [p for r in results for p in r[2]]
    print(
        f"seed {args.seed}: {survived} kills survived, {ops} use cases, {documents} invoices "
        f"and credit notes, {time.monotonic() - started:.0f} s"
    )
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
