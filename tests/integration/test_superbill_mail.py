"""Superbills by e-mail: their own wording, the PDF attached, sent once per version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cp_tui import cli
from cp_tui.adapters.mailer import PASSWORD_ENV
from tests.integration.test_mail import FROM, Server, attachment, pdf_text, smtp  # noqa: F401


@pytest.fixture(autouse=True)
def no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_superbill_send_on_the_command_line_mails_it_once_per_version(
    smtp: Server,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = str(tmp_path / "practice")

    def run(*args: str) -> Any:
        code = cli.main(["--data-dir", folder, *args, "--json"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)

    client = run("clients", "add", "--name", "Alex Rivera", "--email", "alex@example.com")["id"]
    run("items", "add", "--client", str(client), "--description", "Session", "--price", "150")
    run("invoices", "create", "--client", str(client))
    run("mail", "set", "--host", "127.0.0.1", "--port", str(smtp.port), "--security", "none",
        "--from", FROM)  # fmt: skip
    run("mail", "template", "superbill", "--subject", "Superbill for {client}, {period}")
    period = ("--from", "2026-01-01", "--to", "2099-12-31")

    sent = run("superbill", str(client), *period, "--send")
    again = run("superbill", str(client), *period, "--send")

    assert sent["status"] == "sent" and sent["recipient"] == "alex@example.com"
    assert again["already_sent"] is True
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Superbill for Alex Rivera, Jan 1, 2026 to Dec 31, 2099"
    body = message.get_body(("plain",))
    assert body is not None and "Fees: $150.00; paid: $0.00." in body.get_content()
    name, content = attachment(message)
    assert name == f"superbill-{client}-2026-01-01-2099-12-31.pdf"
    assert "SUPERBILL" in pdf_text(content)
    [logged] = run("mail", "log", "--client", str(client))
    assert logged["document"] == f"superbill:{client}:2026-01-01:2099-12-31"
