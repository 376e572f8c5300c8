"""E-mail against a real SMTP server (aiosmtpd) on 127.0.0.1, started per test.

The server keeps what it received; the tests read the headers, the body and the
attached PDF (with pypdf) and check the invoice's state in the database.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from keyring.backend import KeyringBackend
from pypdf import PdfReader
from sqlmodel import col, select

from cp_tui import cli
from cp_tui.adapters.mailer import PASSWORD_ENV, SmtpConfig, password_for, save_password
from cp_tui.bootstrap import Services
from cp_tui.models import AuditEntry, DocumentSend
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.mail import SendFailed
from tests.conftest import Practice

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
DAY = date(2026, 11, 24)
FROM = "Harbour Street Counselling <billing@harbour.example>"


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    inbox: Inbox
    port: int


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"billing"
        and auth_data.password == b"right horse"
    )
    # handled=False: aiosmtpd answers a failure itself (535 5.7.8).
    return AuthResult(success=ok, handled=False)


def _start(**kwargs: Any) -> Iterator[Server]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(inbox, port)
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from _start()


@pytest.fixture
def smtp_auth() -> Iterator[Server]:
    """A server that wants a login (plain text is fine on loopback, as in tests)."""
    yield from _start(auth_required=True, auth_require_tls=False, authenticator=_authenticator)


@pytest.fixture(autouse=True)
def no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def configure(services: Services, server: Server, user: str = "") -> None:
    services.practice.update(name="Harbour Street Counselling")
    services.mail.configure(
        host="127.0.0.1", port=server.port, security="none", user=user, from_addr=FROM
    )


def an_invoice(services: Services, practice: Practice, email: str = "alex@example.com") -> str:
    client = practice.client("Alex Rivera", email)
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    services.items.add(client_id=client, description="Report", price="25.06", on=DAY)
    return services.invoices.create(client_id=client).number


def attachment(message: EmailMessage) -> tuple[str, bytes]:
    parts = [p for p in message.iter_attachments()]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "application/pdf"
    content = part.get_content()
    assert isinstance(content, bytes)
    return part.get_filename() or "", content


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


# -- sending an invoice ------------------------------------------------------------------


def test_send_mails_the_client_the_pdf_of_that_invoice_and_marks_it_sent(
    services: Services, practice: Practice, smtp: Server
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)
    assert services.invoices.get(number).sent is False

    result = services.mail.send_invoice(number)

    assert result.status == "sent" and result.recipient == "alex@example.com"
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["From"] == FROM
    assert message["To"] == "alex@example.com"
    assert message["Subject"] == f"Harbour Street Counselling: invoice {number}"
    assert message["Message-ID"].startswith("<cp-tui.")
    assert smtp.inbox.envelopes[0] == ("billing@harbour.example", ["alex@example.com"])
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Dear Alex Rivera" in text
    assert "Amount due: $175.06, by Dec 9, 2026." in text
    assert "Pay online" not in text  # no payment gateway in these tests
    name, content = attachment(message)
    assert name == f"{number}.pdf"
    # The attachment is the PDF of this invoice, byte for byte.
    assert content == services.documents.render(services.documents.invoice(number))
    assert number in pdf_text(content) and "$175.06" in pdf_text(content)

    inv = services.invoices.get(number)
    assert inv.sent is True
    with services.db.read() as session:
        actions = session.exec(
            select(AuditEntry.detail).where(col(AuditEntry.action) == "invoice.sent")
        ).all()
    assert actions == [f"{number} e-mailed to alex@example.com"]
    [logged] = services.mail.log(document=number)
    assert (logged.status, logged.recipient, logged.error) == ("sent", "alex@example.com", "")


def test_sending_again_never_sends_the_same_version_twice(
    services: Services, practice: Practice, smtp: Server
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)
    first = services.mail.send_invoice(number)
    again = services.mail.send_invoice(number)
    assert again.already_sent and again.id == first.id
    assert len(smtp.inbox.messages) == 1
    assert len(services.mail.log(document=number)) == 1
    # A payment changes what the invoice shows: that is a new version, which may go out.
    services.payments.record(number, amount="75.06", method="cash")
    third = services.mail.send_invoice(number)
    assert not third.already_sent and len(smtp.inbox.messages) == 2
    body = smtp.inbox.messages[1].get_body(("plain",))
    assert body is not None and "Amount due: $100.00" in body.get_content()


def test_the_payment_link_goes_into_the_message_when_a_gateway_gives_one(
    services: Services, practice: Practice, smtp: Server, tmp_path: Path
) -> None:
    from cp_tui.adapters import mailer, pdf
    from cp_tui.services.documents import DocumentService
    from cp_tui.services.mail import MailService

    docs = DocumentService(
        services.db,
        services.clock,
        renderer=pdf.render,
        documents_dir=tmp_path,
        payment_links=lambda number: f"https://pay.example.com/{number}",
    )
    mail = MailService(
        services.db,
        services.clock,
        documents=docs,
        mailer=mailer.SmtpMailer(),
        passwords=mailer.password_for,
    )
    configure(services, smtp)
    number = an_invoice(services, practice)
    mail.send_invoice(number)
    body = smtp.inbox.messages[0].get_body(("plain",))
    assert body is not None
    assert f"Pay online: https://pay.example.com/{number}" in body.get_content()
    assert f"https://pay.example.com/{number}" in pdf_text(attachment(smtp.inbox.messages[0])[1])


def test_a_failed_login_leaves_the_invoice_unsent_with_the_servers_words(
    services: Services, practice: Practice, smtp_auth: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(services, smtp_auth, user="billing")
    number = an_invoice(services, practice)
    monkeypatch.setenv(PASSWORD_ENV, "wrong horse")

    with pytest.raises(SendFailed) as failed:
        services.mail.send_invoice(number)

    message = str(failed.value)
    assert f"{number} was not sent to alex@example.com" in message
    assert "refused the login for billing" in message and "535" in message
    assert smtp_auth.inbox.messages == []
    assert services.invoices.get(number).sent is False
    [logged] = services.mail.log(document=number)
    assert logged.status == "failed" and "535" in logged.error

    # With the right password the retry goes out, once.
    monkeypatch.setenv(PASSWORD_ENV, "right horse")
    assert services.mail.send_invoice(number).status == "sent"
    assert len(smtp_auth.inbox.messages) == 1
    assert services.invoices.get(number).sent is True


def test_no_password_at_all_says_where_to_put_it(
    services: Services, practice: Practice, smtp_auth: Server
) -> None:
    configure(services, smtp_auth, user="billing")
    number = an_invoice(services, practice)
    with pytest.raises(SendFailed, match=f"no SMTP password for billing: set {PASSWORD_ENV}"):
        services.mail.send_invoice(number)
    assert services.invoices.get(number).sent is False


def test_a_refused_recipient_leaves_the_invoice_unsent(
    services: Services, practice: Practice, smtp: Server
) -> None:
    configure(services, smtp)
    smtp.inbox.refuse.add("gone@example.com")
    number = an_invoice(services, practice, email="gone@example.com")

    with pytest.raises(SendFailed) as failed:
        services.mail.send_invoice(number)

    assert "refused the recipient gone@example.com: 550 5.1.1" in str(failed.value)
    assert "mailbox unavailable" in str(failed.value)
    assert smtp.inbox.messages == []
    assert services.invoices.get(number).sent is False
    assert services.mail.log(document=number)[0].status == "failed"


def test_an_unreachable_server_is_named(services: Services, practice: Practice) -> None:
    services.mail.configure(host="127.0.0.1", port=_free_port(), security="none", from_addr=FROM)
    number = an_invoice(services, practice)
    with pytest.raises(SendFailed, match=r"cannot reach 127\.0\.0\.1:\d+"):
        services.mail.send_invoice(number)
    assert services.invoices.get(number).sent is False


def test_an_interrupted_send_is_not_repeated_blindly(
    services: Services, practice: Practice, smtp: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)

    class Crash(BaseException):
        pass

    def crash(*_args: object) -> None:
        raise Crash

    monkeypatch.setattr(services.mail._mailer, "send", crash)
    with pytest.raises(Crash):
        services.mail.send_invoice(number)
    monkeypatch.undo()
    [pending] = services.mail.log(document=number)
    assert pending.status == "pending"
    with pytest.raises(NotAllowed, match="never finished: it may still be under way"):
        services.mail.send_invoice(number)
    assert smtp.inbox.messages == []
    services.mail.forget(pending.id)
    assert services.mail.send_invoice(number).status == "sent"
    assert len(smtp.inbox.messages) == 1


def test_mail_not_set_up_or_no_address_is_refused_before_anything_is_recorded(
    services: Services, practice: Practice, smtp: Server
) -> None:
    number = an_invoice(services, practice, email="")
    with pytest.raises(NotAllowed, match="e-mail is not set up"):
        services.mail.send_invoice(number)
    configure(services, smtp)
    with pytest.raises(InvalidInput, match="Alex Rivera has no e-mail address"):
        services.mail.send_invoice(number)
    assert services.mail.log() == []
    with services.db.read() as session:
        assert session.exec(select(DocumentSend)).all() == []


# -- other documents, templates, settings ---------------------------------------------------------


def test_statement_receipt_and_credit_note_go_out_with_their_own_pdf(
    services: Services, practice: Practice, smtp: Server
) -> None:
    configure(services, smtp)
    number = an_invoice(services, practice)
    inv = services.payments.record(number, amount="50.00", method="card")
    receipt = services.mail.send_receipt(inv.payments[0].id)
    note = services.credits.add(
        client_id=inv.client_id, amount="25.06", reason="No report", invoice_number=number
    )
    services.mail.send_invoice(note.number)
    services.mail.send_statement(inv.client_id, date(2026, 11, 1), date(2026, 11, 30))

    names = [attachment(m)[0] for m in smtp.inbox.messages]
    assert names == [
        "R-0001.pdf",
        f"{note.number}.pdf",
        f"statement-{inv.client_id}-2026-11-01-2026-11-30.pdf",
    ]
    # Python folds a long Subject right after the colon; unfolding keeps that space.
    subjects = [str(m["Subject"]).strip() for m in smtp.inbox.messages]
    assert subjects[0] == f"Harbour Street Counselling: receipt {receipt.document}"
    assert subjects[1] == f"Harbour Street Counselling: credit note {note.number}"
    assert subjects[2].startswith("Harbour Street Counselling: statement of account Nov 1, 2026")
    body = smtp.inbox.messages[2].get_body(("plain",))
    owed = services.clients.get(inv.client_id).balance_due
    assert body is not None and f"Balance due: ${owed / 100:,.2f}." in body.get_content()
    assert "$50.00" in pdf_text(attachment(smtp.inbox.messages[0])[1])


def test_the_wording_is_an_editable_template(
    services: Services, practice: Practice, smtp: Server
) -> None:
    configure(services, smtp)
    services.mail.set_template(
        "invoice",
        subject="Invoice {number} from {practice}",
        body="Hi {client}, {amount_due} is due on {due_date}.\n",
    )
    with pytest.raises(InvalidInput, match=r"unknown placeholder \{amount\}"):
        services.mail.set_template("invoice", body="{amount}")
    number = an_invoice(services, practice)
    services.mail.send_invoice(number)
    message = smtp.inbox.messages[0]
    assert message["Subject"] == f"Invoice {number} from Harbour Street Counselling"
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().strip() == "Hi Alex Rivera, $175.06 is due on Dec 9, 2026."
    services.mail.set_template("invoice", reset=True)
    assert services.mail.templates()["invoice"]["subject"] == "{practice}: invoice {number}"


def test_mail_test_logs_in_and_writes_to_the_practice(
    services: Services, smtp_auth: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(services, smtp_auth, user="billing")
    monkeypatch.setenv(PASSWORD_ENV, "right horse")
    assert "test message sent to" in services.mail.test()
    [message] = smtp_auth.inbox.messages
    assert message["To"] == FROM and "cp-tui test message" in message["Subject"]


def test_settings_keep_no_password_and_refuse_plain_text_logins_to_other_hosts(
    services: Services, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = services.mail.configure(
        host="smtp.example.com", security="ssl", user="billing", from_addr=FROM
    )
    assert (settings.port, settings.security, settings.password) == (465, "ssl", "none")
    with services.db.read() as session:
        from cp_tui.models import PracticeSettings

        row = session.get(PracticeSettings, 1)
        assert row is not None
        assert "horse" not in json.dumps(row.model_dump(), default=str)
    services.mail.configure(security="none", port=25)
    monkeypatch.setenv(PASSWORD_ENV, "right horse")
    number = an_invoice(services, practice)
    with pytest.raises(SendFailed, match=r"refusing to send the password to smtp\.example\.com"):
        services.mail.send_invoice(number)


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def test_password_comes_from_the_environment_then_the_keyring() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        config = SmtpConfig("smtp.example.com", 587, "starttls", "billing", FROM)
        assert password_for(config, {}) is None
        save_password(config, "from the keyring")
        assert password_for(config, {}) == "from the keyring"
        assert password_for(config, {PASSWORD_ENV: "from env"}) == "from env"
    finally:
        keyring.set_keyring(previous)


# -- the command line ---------------------------------------------------------------------


def test_command_line_sets_mail_sends_and_writes_pdfs(
    smtp: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(tmp_path / "practice")

    def run(*args: str) -> Any:
        code = cli.main(["--data-dir", folder, *args, "--json"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)

    client = run("clients", "add", "--name", "Alex Rivera", "--email", "alex@example.com")["id"]
    run("items", "add", "--client", str(client), "--description", "Session", "--price", "150")
    number = run("invoices", "create", "--client", str(client))["number"]
    settings = run(
        "mail", "set", "--host", "127.0.0.1", "--port", str(smtp.port), "--security", "none",
        "--from", FROM,
    )  # fmt: skip
    assert settings["configured"] is True and settings["password"] == "none"

    sent = run("invoices", "send", number)
    assert sent["status"] == "sent" and sent["already_sent"] is False
    assert run("invoices", "send", number)["already_sent"] is True
    assert len(smtp.inbox.messages) == 1
    assert run("invoices", "show", number)["sent"] is True

    out = tmp_path / "out.pdf"
    written = run("invoices", "pdf", number, "-o", str(out))
    assert written["path"] == str(out) and out.read_bytes().startswith(b"%PDF")
    bill = run(
        "superbill", str(client), "--from", "2026-01-01", "--to", "2026-12-31",
        "-o", str(tmp_path / "sb.pdf"),
    )  # fmt: skip
    assert "Superbill" in pdf_text(Path(bill["path"]).read_bytes()) or "SUPERBILL" in pdf_text(
        Path(bill["path"]).read_bytes()
    )
    run("statements", "send", str(client), "--from", "2026-01-01", "--to", "2099-12-31")
    assert len(smtp.inbox.messages) == 2

    code = cli.main(["--data-dir", folder, "invoices", "send", "NOPE-1"])
    assert code == 2 and "no invoice numbered" in capsys.readouterr().err


def test_a_card_charge_e_mails_the_receipt(
    paid_services: Services, stripe_server: Any, smtp: Server
) -> None:
    """Pay now, then the receipt goes to the client by the practice's own mail server."""
    configure(paid_services, smtp)
    client = paid_services.clients.add(name="Alex Rivera", email="alex@example.com").id
    paid_services.items.add(client_id=client, description="Session", price="150.00")
    number = paid_services.invoices.create(client_id=client).number
    link = paid_services.cards.setup_link(client)
    stripe_server.complete_checkout(link.session_ref)
    paid_services.cards.poll_setup(client)
    result = paid_services.charges.charge(number)
    assert result.invoice.status == "paid"
    assert "receipt e-mailed to alex@example.com" in result.message
    [message] = smtp.inbox.messages
    assert message["To"] == "alex@example.com"
    assert "$150.00" in message.get_body(preferencelist=("plain",)).get_content()
