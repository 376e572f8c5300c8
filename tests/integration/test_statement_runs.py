"""Statements e-mailed in a batch, against a real SMTP server (aiosmtpd) on 127.0.0.1.

Who gets one (active clients with activity in the period or a balance), one
client's failure not stopping the others, and a second run sending only what did
not go out: never the same statement twice.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cp_tui import cli
from cp_tui.bootstrap import Services
from cp_tui.services.errors import NotAllowed
from cp_tui.services.statement_runs import ALREADY_SENT, FAILED, SENT
from tests.conftest import Practice
from tests.integration.test_mail import (  # noqa: F401 (fixtures)
    FROM,
    Server,
    attachment,
    configure,
    no_password,
    pdf_text,
    smtp,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOV = (date(2026, 11, 1), date(2026, 11, 30))
DEC = (date(2026, 12, 1), date(2026, 12, 31))


def a_practice(services: Services, practice: Practice) -> dict[str, int]:
    ids = {}
    for name, email in (
        ("Alex Rivera", "alex@example.com"),  # invoiced and paid in full: activity only
        ("Bo Lind", "bo@example.com"),  # invoiced, unpaid: activity and a balance
        ("Cy Park", ""),  # owes, but has no address
        ("Dee Moss", "dee@example.com"),  # nothing at all: no statement
        ("Eve Stone", "eve@example.com"),  # owes, but archived
    ):
        ids[name.split()[0]] = practice.client(name, email)
    for who in ("Alex", "Bo", "Cy", "Eve"):
        services.items.add(client_id=ids[who], description="Session", price="150.00")
        number = services.invoices.create(client_id=ids[who]).number
        if who == "Alex":
            services.payments.record(number, amount="150.00", method="cash")
    services.clients.remove(ids["Eve"])
    return ids


def test_every_active_client_with_activity_or_a_balance_once(
    services: Services,
    practice: Practice,
    smtp: Server,  # noqa: F811
) -> None:
    ids = a_practice(services, practice)
    runs = services.statement_runs
    with pytest.raises(NotAllowed, match="mail set"):
        runs.send(runs.plan(*NOV))  # no mail server yet: nothing is tried
    configure(services, smtp)

    plan = runs.plan(*NOV)
    assert [t.client_name for t in plan.targets] == ["Alex Rivera", "Bo Lind", "Cy Park"]
    assert [t.closing_balance for t in plan.targets] == [0, 15000, 15000]
    # December: no activity, so only those who still owe.
    assert [t.client_id for t in runs.plan(*DEC).targets] == [ids["Bo"], ids["Cy"]]

    smtp.inbox.refuse.add("bo@example.com")
    progress: list[tuple[int, int, str]] = []
    first = runs.send(plan, progress=lambda d, t, o: progress.append((d, t, o.status)))
    assert progress == [(1, 3, SENT), (2, 3, FAILED), (3, 3, FAILED)]
    assert "no e-mail address" in first.outcomes[2].detail
    assert len(smtp.inbox.messages) == 1

    # The retry sends Bo's, and Alex's is not sent again.
    smtp.inbox.refuse.clear()
    second = runs.send(runs.plan(*NOV))
    assert [o.status for o in second.outcomes] == [ALREADY_SENT, SENT, FAILED]
    assert second.summary == "1 sent, 1 already sent before, 1 failed"
    recipients = [to for _, (to,) in smtp.inbox.envelopes]
    assert recipients == ["alex@example.com", "bo@example.com"]
    name, content = attachment(smtp.inbox.messages[1])
    assert name == f"statement-{ids['Bo']}-2026-11-01-2026-11-30.pdf"
    text = pdf_text(content)
    assert "Bo Lind" in text and "150.00" in text
    assert [s.status for s in services.mail.log(client_id=ids["Bo"])] == ["sent", "failed"]


def test_command_line_sends_all_with_a_dry_run_and_an_exit_status(
    smtp: Server,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = str(tmp_path / "practice")

    def run(*args: str, code: int = 0) -> Any:
        got = cli.main(["--data-dir", folder, *args, "--json"])
        captured = capsys.readouterr()
        assert got == code, captured.err
        return json.loads(captured.out) if captured.out else captured.err

    for name, email in (("Alex Rivera", "alex@example.com"), ("Cy Park", "")):
        client = run("clients", "add", "--name", name, "--email", email)["id"]
        run("items", "add", "--client", str(client), "--description", "Session", "--price", "90")
        run("invoices", "create", "--client", str(client))
    run(
        "mail", "set", "--host", "127.0.0.1", "--port", str(smtp.port), "--security", "none",
        "--from", FROM,
    )  # fmt: skip
    period = ["--from", "2026-01-01", "--to", "2099-12-31"]

    dry = run("statements", "send", "--all", "--dry-run", *period)
    assert [t["client_name"] for t in dry["targets"]] == ["Alex Rivera", "Cy Park"]
    assert smtp.inbox.messages == []

    # Cy has no address: the run goes on, and exits 1 so cron can tell.
    sent = run("statements", "send", "--all", *period, code=1)
    assert [o["status"] for o in sent["outcomes"]] == [SENT, FAILED]
    again = run("statements", "send", "--all", *period, code=1)
    assert [o["status"] for o in again["outcomes"]] == [ALREADY_SENT, FAILED]
    assert len(smtp.inbox.messages) == 1

    assert "CLIENT_ID" in run("statements", "send", *period, code=2)
    assert "not both" in run("statements", "send", "1", "--all", *period, code=2)
