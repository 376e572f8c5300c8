"""Privacy: a sentinel client and a sentinel Stripe key run the whole workflow.

The key never lands on disk or in the output; the client's name and e-mail never
reach Stripe; the data folder is 0700 and every file in it 0600, whatever the
umask (the commands run under ``umask 002``).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.stripe_fake.control import FakeStripe

KEY = "sk_test_SENTINELKEY123456"
NAME = "Zebulon Sentinelname"
EMAIL = "zebulon.sentinel@example.com"
UMASK_002 = ["sh", "-c", 'umask 002 && exec "$@"', "sh"]


class Cli:
    def __init__(self, data_dir: Path, server: FakeStripe) -> None:
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "CP_TUI_"))}
        self.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        self.env["STRIPE_API_KEY"] = KEY
        self.env["CP_TUI_STRIPE_API_BASE"] = server.base
        self.output: list[str] = []
        self.command = [sys.executable, "-m", "cp_tui", "--data-dir", str(data_dir)]

    def __call__(self, *args: str) -> Any:
        done = subprocess.run(
            # A permissive umask: the app must tighten modes itself.
            [*UMASK_002, *self.command, *args, "--json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.output += [done.stdout, done.stderr]
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None


def test_a_sentinel_workflow_leaks_nothing(tmp_path: Path, stripe_server: FakeStripe) -> None:
    stripe_server.reset()
    data_dir = tmp_path / "practice"
    pdf = tmp_path / "INV-0001.pdf"
    cli = Cli(data_dir, stripe_server)

    client = cli("clients", "add", "--name", NAME, "--email", EMAIL)["id"]
    for price in ("150.00", "80.00"):
        cli("items", "add", "--client", str(client), "--description", "Session", "--price", price)
        cli("invoices", "create", "--client", str(client))
    setup = cli("cards", "setup", str(client))
    stripe_server.complete_checkout(setup["url"].rsplit("/", 1)[-1])
    assert cli("cards", "show", str(client))["last4"] == "4242"  # fetches the saved card
    assert cli("payments", "charge", "INV-0001")["outcome"] == "succeeded"
    cli("payments", "refund", "INV-0001", "--amount", "40.00")
    link = cli("payments", "link", "INV-0002")
    stripe_server.pay_invoice(link["url"].rsplit("/", 1)[-1])
    cli("sync")
    cli("backup")
    cli("invoices", "pdf", "INV-0001", "-o", str(pdf))
    assert cli("invoices", "show", "INV-0002")["status"] == "paid"

    # The key: in no file of the data folder, in no PDF, in no output.
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".db") for p in files)
    assert any("backup" in str(p.relative_to(data_dir)) for p in files), files
    for path in [*files, pdf]:
        assert KEY.encode() not in path.read_bytes(), f"the Stripe key is in {path}"
    assert all(KEY not in text for text in cli.output)
    assert any(NAME in text for text in cli.output)  # the sentinel did run through

    # The client's name and e-mail: never sent to Stripe.
    intents = stripe_server.stats()["payment_intents"]
    assert intents and NAME not in json.dumps(intents) and EMAIL not in json.dumps(intents)
    seen = stripe_server.requests()
    assert any(r["path"].startswith("/v1/payment_intents") for r in seen)
    for request in seen:
        blob = json.dumps(request)
        for secret in (NAME, EMAIL, NAME.split()[0], NAME.split()[1]):
            assert secret not in blob, f"{secret!r} sent to Stripe in {request['path']}"

    # 0700 folders and 0600 files, whatever the umask.
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for path in data_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        assert mode == want, f"{path.relative_to(data_dir)} is {mode:o}, not {want:o}"
