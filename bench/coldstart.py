"""Cold start and peak memory of the TUI, measured as a person sees it: through tmux.

Each run starts a program in a new ``tmux new-session -d -x 120 -y 40`` and
reads the pane with ``capture-pane -p`` every 10 ms: the moment any text shows
is the first paint; "Week of" (the calendar's heading, written once the week's
appointments are loaded) is the calendar with data. The tmux server runs on a
private socket and is started before the first run, so its own start is not
counted. The bare Textual app (bench/hello_app.py) is measured in the same
runs, alternating with cp-tui, so both see the same machine load.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLL_S = 0.010
TIMEOUT_S = 60.0


@dataclass(slots=True)
class StartRun:
    first_paint_ms: float | None = None
    ready_ms: float | None = None
    saw_data: bool = False
    screens_ms: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float | None = None


class Tmux:
    """A tmux server of our own, on a private socket."""

    def __init__(self) -> None:
        self.socket = f"cp-tui-bench-{os.getpid()}"
        self._count = 0
        self.run("new-session", "-d", "-s", "keepalive", "sleep 86400")

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def start(self, command: str) -> tuple[str, float]:
        self._count += 1
        name = f"run{self._count}"
        started = time.perf_counter()
        self.run("new-session", "-d", "-x", "120", "-y", "40", "-s", name, "-c", str(ROOT), command)
        return name, started

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def pid(self, name: str) -> int | None:
        text = self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip()
        return int(text) if text.isdigit() else None

    def wait(self, name: str, started: float, seen: Callable[[str], bool]) -> float | None:
        polls = 0
        while time.perf_counter() - started < TIMEOUT_S:
            text = self.screen(name)
            if seen(text):
                return (time.perf_counter() - started) * 1000
            polls += 1
            if polls % 50 == 0 and self._gone(name):  # the program exited (an error)
                return None
            time.sleep(POLL_S)
        return None

    def _gone(self, name: str) -> bool:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "has-session", "-t", name],
            capture_output=True,
            check=False,
        )
        return done.returncode != 0

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", name)

    def close(self) -> None:
        self.run("kill-server")


def _python(module: str, *args: str) -> str:
    argv = [sys.executable, "-m", module, *args]
    return "exec " + " ".join(shlex.quote(a) for a in argv)


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the most resident memory the process has had."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_hello(tmux: Tmux) -> StartRun:
    name, started = tmux.start(_python("bench.hello_app"))
    try:
        paint = tmux.wait(name, started, lambda text: "Hello" in text)
        return StartRun(first_paint_ms=paint, ready_ms=paint)
    finally:
        tmux.kill(name)


def run_cp_tui(
    tmux: Tmux, data_dir: Path, names: list[str], *, visit_screens: bool = False
) -> StartRun:
    """One start of cp-tui on ``data_dir``; optionally visit Clients and Invoices after."""
    name, started = tmux.start(_python("cp_tui", "--data-dir", str(data_dir)))
    run = StartRun()
    try:
        run.first_paint_ms = tmux.wait(name, started, lambda text: bool(text.strip()))
        run.ready_ms = tmux.wait(name, started, lambda text: "Week of" in text)
        text = tmux.screen(name)
        run.saw_data = any(n in text for n in names)
        # The week may first come from the read-only preview, whose footer has no
        # calendar keys; a screen key pressed then would wait for the practice to open.
        opened = tmux.wait(
            name,
            started,
            lambda text: "Prev week" in text and "Opening the practice" not in text,
        )
        if visit_screens and run.ready_ms is not None and opened is not None:
            for key, marker, label in (
                ("2", "Balance due", "clients"),
                ("3", "Amount due", "invoices"),
            ):
                at = time.perf_counter()
                tmux.keys(name, key)
                took = tmux.wait(name, at, lambda text, m=marker: m in text)
                if took is not None:
                    run.screens_ms[label] = took
            pid = tmux.pid(name)
            run.peak_rss_mb = peak_rss_mb(pid) if pid else None
        return run
    finally:
        tmux.kill(name)
