"""The heart of cp-tui, driven in a real terminal as a person would.

`cp-tui --demo` runs in tmux; the test books a session for a client with a few
keystrokes, bills it with `i` and `enter`, reads the new invoice's number off
the screen, records the payment with `m` and `enter`, then checks the database
through the command line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

# A tmux server of the test's own (one socket per test process, no config file):
# a person's tmux, or one the machine runs the suite in, can neither resize the
# terminal nor share it.
SERVER = ["tmux", "-L", f"cp-tui-e2e-{os.getpid()}", "-f", os.devnull]
SESSION = "cp-tui"


def _tmux(*args: str) -> str:
    result = subprocess.run([*SERVER, *args], capture_output=True, text=True, check=True)
    return result.stdout


def _screen() -> str:
    return _tmux("capture-pane", "-p", "-t", SESSION)


def _wait_for(predicate: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen()
        if predicate(screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{screen}")


def _keys(*keys: str, pause: float = 0.3) -> None:
    for key in keys:
        _tmux("send-keys", "-t", SESSION, key)
        time.sleep(pause)


# A roomy terminal, and the classic 80x24 where dialogs scroll.
@pytest.fixture(params=[(120, 40), (80, 24)], ids=["120x40", "80x24"])
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    width, height = request.param
    data_dir = tmp_path / "demo-practice"
    cp_tui = Path(sys.executable).with_name("cp-tui")
    env = f"CP_TUI_DATA_DIR={data_dir} XDG_CONFIG_HOME={tmp_path / 'config'}"
    subprocess.run([*SERVER, "kill-server"], capture_output=True)
    command = f"env {env} {cp_tui} --demo; sleep 5"
    _tmux("new-session", "-d", "-s", SESSION, "-x", str(width), "-y", str(height), command)
    try:
        _tmux("set-option", "-g", "window-size", "manual")
        _tmux("resize-window", "-t", SESSION, "-x", str(width), "-y", str(height))
        size = _tmux("display-message", "-p", "-t", SESSION, "#{window_width}x#{window_height}")
        assert size.strip() == f"{width}x{height}", f"the terminal is {size.strip()}"
        yield data_dir
    finally:
        subprocess.run([*SERVER, "kill-server"], capture_output=True)


def _cli(data_dir: Path, *args: str) -> object:
    out = subprocess.run(
        [sys.executable, "-m", "cp_tui", "--data-dir", str(data_dir), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    return json.loads(out.stdout)


def test_end_of_session_billing_by_keystrokes(terminal: Path) -> None:
    _wait_for(lambda s: "Week of" in s and "Harbour Street" in s, "the calendar")
    # Book a session for Kim Nguyen on the selected day at 09:00.
    _keys("n")
    _wait_for(lambda s: "New appointment" in s, "the booking form")
    _keys("Kim", pause=0.1)
    # Enter ticks the highlighted client: wait until the filter has left Kim alone.
    _wait_for(
        lambda s: "kim.nguyen@example.com" in s and s.count("@example.com") == 1,
        "the client list filtered to Kim",
    )
    _keys("Enter", "C-s")
    _wait_for(lambda s: "Booked" in s, "the booking to be confirmed")
    # End of session: i completes it and opens the invoice dialog, enter creates it.
    _keys("i")
    _wait_for(lambda s: "New invoice · Kim Nguyen" in s, "the invoice dialog")
    _keys("Enter")
    screen = _wait_for(lambda s: re.search(r"INV-\d{4} created", s) is not None, "the invoice")
    match = re.search(r"(INV-\d{4}) created for Kim Nguyen", screen)
    assert match, screen
    number = match.group(1)
    # Paid by card taken in the room: m opens the payment form, enter records it.
    _keys("m")
    _wait_for(lambda s: f"Payment for {number}" in s, "the payment form")
    _keys("Enter")
    _wait_for(lambda s: "paid" in s and "Payment recorded" in s, "the payment")
    _keys("Escape", "q")
    invoice = _cli(terminal, "invoices", "show", number)
    assert isinstance(invoice, dict)
    assert invoice["status"] == "paid"
    assert invoice["amount_due"] == 0
    services = _cli(terminal, "services", "list")
    assert isinstance(services, list)
    # The booking form ticks the first service of the catalogue by default.
    assert invoice["total"] == services[0]["unit_price"]
    assert [line["description"] for line in invoice["lines"]] == [
        f"{services[0]['name']} ({services[0]['code']})"
    ]
