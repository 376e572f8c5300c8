"""The Stripe commands through the real entry point, including a process killed mid-charge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.stripe_fake.control import TEST_KEY, FakeStripe


def _env(data_dir: Path, server: FakeStripe | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "CP_TUI_"))}
    env["CP_TUI_DATA_DIR"] = str(data_dir)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    if server is not None:
        env["STRIPE_API_KEY"] = TEST_KEY
        env["CP_TUI_STRIPE_API_BASE"] = server.base
    return env


def _run(env: dict[str, str], *args: str, code: int = 0) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "cp_tui", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    return json.loads(done.stdout) if code == 0 else done.stderr


def test_card_charge_survives_a_kill_between_stripe_and_the_commit(
    tmp_path: Path, stripe_server: FakeStripe
) -> None:
    stripe_server.reset()
    env = _env(tmp_path / "practice", stripe_server)
    client = _run(env, "clients", "add", "--name", "Alex Rivera")["id"]
    for price in ("150.00", "80.00"):
        _run(
            env,
            "items",
            "add",
            "--client",
            str(client),
            "--description",
            "Session",
            "--price",
            price,
        )
        first = _run(env, "invoices", "create", "--client", str(client))
        assert first["status"] == "unpaid"
    setup = _run(env, "cards", "setup", str(client))
    stripe_server.complete_checkout(setup["url"].rsplit("/", 1)[-1])
    assert _run(env, "cards", "show", str(client))["last4"] == "4242"
    assert _run(env, "stripe", "status")["connected"] is True

    # The charge reaches Stripe, then the process dies before recording it.
    stripe_server.hang("/v1/payment_intents")
    charging = subprocess.Popen(
        [sys.executable, "-m", "cp_tui", "payments", "charge", "INV-0001"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not stripe_server.stats()["payment_intents"]:
        assert time.monotonic() < deadline, "the charge never reached the fake Stripe"
        time.sleep(0.05)
    charging.send_signal(signal.SIGKILL)
    charging.wait()
    assert _run(env, "invoices", "show", "INV-0001")["amount_paid"] == 0

    again = _run(env, "payments", "charge", "INV-0001")
    assert again["outcome"] == "succeeded"
    assert again["invoice"]["status"] == "paid"
    assert len(stripe_server.stats()["payment_intents"]) == 1  # nothing charged twice
    assert "nothing is due" in _run(env, "payments", "charge", "INV-0001", code=2)

    refund = _run(env, "payments", "refund", "INV-0001", "--amount", "40.00")
    assert refund["credit_note"]["total"] == -4000
    assert "at most $110.00" in _run(
        env, "payments", "refund", "INV-0001", "--amount", "120.00", code=2
    )

    link = _run(env, "payments", "link", "INV-0002")
    assert link["amount"] == 8000 and "INV-0002" in link["message"]
    stripe_server.pay_invoice(link["url"].rsplit("/", 1)[-1])
    report = _run(env, "sync")
    assert any("INV-0002" in line for line in report["recorded"])
    assert _run(env, "invoices", "show", "INV-0002")["status"] == "paid"


def test_without_a_key_each_stripe_command_says_how_to_connect(tmp_path: Path) -> None:
    env = _env(tmp_path / "practice", None)
    client = _run(env, "clients", "add", "--name", "Alex Rivera")["id"]
    _run(
        env,
        "items",
        "add",
        "--client",
        str(client),
        "--description",
        "Session",
        "--price",
        "150.00",
    )
    _run(env, "invoices", "create", "--client", str(client))
    for args in (
        ("payments", "charge", "INV-0001"),
        ("payments", "link", "INV-0001"),
        ("cards", "setup", str(client)),
        ("sync",),
    ):
        message = _run(env, *args, code=2)
        assert "STRIPE_API_KEY" in message and message.count("\n") == 1
    assert _run(env, "stripe", "status")["connected"] is False
