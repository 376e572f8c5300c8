"""Command line for documents and e-mail: PDFs, sending, statements, superbills, SMTP.

```
cp-tui invoices pdf NUMBER [-o FILE]          cp-tui invoices send NUMBER [--email ADDR]
cp-tui receipts pdf PAYMENT_ID [-o FILE]      cp-tui receipts send PAYMENT_ID
cp-tui statements pdf|send CLIENT_ID --from DATE --to DATE
cp-tui statements send --all --from DATE --to DATE [--dry-run]   (see cli_statements)
cp-tui superbill CLIENT_ID --from DATE --to DATE [-o FILE | --send [--email ADDR]]
cp-tui mail set|show|test|password|log|template|forget
cp-tui documents show|set      cp-tui codes client|service
```
Without -o a PDF goes to the data folder's documents/ folder (0600).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui import cli_statements
from cp_tui.cli_parts import command, subcommands
from cp_tui.services.mail_templates import KINDS

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.mail import SendRead


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    def group(name: str, text: str) -> Any:
        return subcommands(sub, name, text)

    def cmd(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
        return command(actions, name, text, common, handler)

    def period(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("client", type=int, metavar="CLIENT_ID")
        parser.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
        parser.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")

    def output(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="where to write the PDF (default: documents/)"
        )

    def email(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--email", metavar="ADDR", help="send here instead of the client")

    invoices = group("invoices", "invoices and credit notes")
    i_pdf = cmd(invoices, "pdf", "write an invoice or credit note as a PDF", _invoice_pdf)
    i_pdf.add_argument("number")
    output(i_pdf)
    send = cmd(invoices, "send", "e-mail an invoice or credit note with its PDF", _invoice_send)
    send.add_argument("number")
    email(send)

    receipts = group("receipts", "receipts for payments")
    r_pdf = cmd(receipts, "pdf", "write the receipt of a payment as a PDF", _receipt_pdf)
    r_pdf.add_argument("payment", type=int, metavar="PAYMENT_ID")
    output(r_pdf)
    r_send = cmd(receipts, "send", "e-mail the receipt of a payment", _receipt_send)
    r_send.add_argument("payment", type=int, metavar="PAYMENT_ID")
    email(r_send)

    statements = group("statements", "statements of account")
    s_pdf = cmd(statements, "pdf", "write a client's statement for a period", _statement_pdf)
    period(s_pdf)
    output(s_pdf)
    s_send = cmd(
        statements, "send", "e-mail a client's (or with --all, every) statement", _statement_send
    )
    s_send.add_argument("client", type=int, metavar="CLIENT_ID", nargs="?")
    s_send.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    s_send.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    email(s_send)
    cli_statements.add_arguments(s_send)

    superbill = sub.add_parser(
        "superbill",
        help="a superbill (CPT, ICD-10, fees, payments) for an insurance claim",
        description="Write a superbill for a client's sessions in a period, for their insurer.",
        parents=[common],
    )
    period(superbill)
    output(superbill)
    superbill.add_argument(
        "--send", action="store_true", help="e-mail it to the client instead of writing a file"
    )
    email(superbill)
    superbill.set_defaults(handler=_superbill, action=None)

    mail = group("mail", "sending e-mail from the practice's address")
    m_set = cmd(mail, "set", "the SMTP server (the password is never stored here)", _mail_set)
    m_set.add_argument("--host")
    m_set.add_argument("--port", type=int)
    m_set.add_argument("--security", choices=["starttls", "ssl", "none"])
    m_set.add_argument("--user")
    m_set.add_argument("--from", dest="from_addr", metavar="ADDR")
    m_set.add_argument(
        "--ca-file",
        metavar="FILE",
        help="PEM of the authority that signed your own server's certificate ('' for none)",
    )
    cmd(mail, "show", "the SMTP settings and where the password comes from", _mail_show)
    m_test = cmd(mail, "test", "log in and send a test message", _mail_test)
    m_test.add_argument("--to", metavar="ADDR", help="default: the from address")
    cmd(mail, "password", "keep the SMTP password in the keyring (read from stdin)", _password)
    m_log = cmd(mail, "log", "what was sent, to whom, and how it went", _mail_log)
    m_log.add_argument("--document", metavar="NUMBER")
    m_log.add_argument("--client", type=int, metavar="ID")
    m_tpl = cmd(mail, "template", "show or change the wording of an e-mail", _template)
    m_tpl.add_argument("kind", choices=list(KINDS))
    m_tpl.add_argument("--subject")
    m_tpl.add_argument("--body-file", metavar="FILE", help="the body's text ('-' for stdin)")
    m_tpl.add_argument("--reset", action="store_true", help="back to the default wording")
    m_forget = cmd(mail, "forget", "release a send that was interrupted", _forget)
    m_forget.add_argument("id", type=int)

    docs = group("documents", "what documents print")
    cmd(docs, "show", "NPI, payment text, locale, logo", lambda s, a: s.documents.settings())
    d_set = cmd(docs, "set", "change what documents print", _documents_set)
    d_set.add_argument("--npi", help="the provider's 10-digit National Provider Identifier")
    d_set.add_argument("--payment-instructions", help="bank details etc.; \\n for a new line")
    d_set.add_argument("--locale", help="how money and dates are written: en_US, en_GB, de_DE")
    logo = d_set.add_mutually_exclusive_group()
    logo.add_argument("--logo", metavar="FILE", help="a PNG or JPEG printed on every document")
    logo.add_argument("--no-logo", action="store_true", help="print documents without a logo")

    codes = group("codes", "insurance codes for superbills")
    c_client = cmd(codes, "client", "a client's date of birth and ICD-10 codes", _client_codes)
    c_client.add_argument("id", type=int)
    born = c_client.add_mutually_exclusive_group()
    born.add_argument("--dob", type=_date, metavar="YYYY-MM-DD")
    born.add_argument("--no-dob", action="store_true", help="forget the date of birth")
    c_client.add_argument("--diagnosis", metavar="CODES", help="ICD-10, e.g. F41.1,F32.0")
    c_service = cmd(codes, "service", "a service's place of service code", _service_codes)
    c_service.add_argument("id", type=int)
    c_service.add_argument("--pos", required=True, help="CMS code: 11 office, 10 telehealth")


# -- handlers ----------------------------------------------------------------------


def _path(a: argparse.Namespace) -> Path | None:
    return Path(a.output) if getattr(a, "output", None) else None


def _saved(s: Services, document: Any, a: argparse.Namespace) -> Any:
    saved = s.documents.save(document, _path(a))
    name = document.title if ":" in saved.reference else f"{document.title} {saved.reference}"
    out.note(f"Wrote {name} to {saved.path}")
    return saved


def _invoice_pdf(s: Services, a: argparse.Namespace) -> Any:
    return _saved(s, s.documents.invoice(a.number), a)


def _receipt_pdf(s: Services, a: argparse.Namespace) -> Any:
    return _saved(s, s.documents.receipt(a.payment), a)


def _statement_pdf(s: Services, a: argparse.Namespace) -> Any:
    return _saved(s, s.documents.statement(a.client, a.start, a.end), a)


def _superbill(s: Services, a: argparse.Namespace) -> Any:
    if a.send:
        return _said(s.mail.send_superbill(a.client, a.start, a.end, to=a.email))
    return _saved(s, s.documents.superbill(a.client, a.start, a.end), a)


def _said(result: SendRead) -> SendRead:
    if result.already_sent:
        out.note(
            f"{result.document} was already sent to {result.recipient} on "
            f"{result.started_at:%Y-%m-%d %H:%M}; nothing was sent again"
        )
    else:
        out.note(f"Sent {result.document} to {result.recipient}")
    return result


def _invoice_send(s: Services, a: argparse.Namespace) -> Any:
    if not s.mail.is_configured() and s.charges.available() and not a.email:
        # No mail server of the practice's own: Stripe e-mails the invoice and its link.
        invoice = s.links.send(a.number)
        out.note(f"Stripe e-mailed {invoice.number} with its payment link.")
        return invoice
    return _said(s.mail.send_invoice(a.number, to=a.email))


def _receipt_send(s: Services, a: argparse.Namespace) -> Any:
    return _said(s.mail.send_receipt(a.payment, to=a.email))


def _statement_send(s: Services, a: argparse.Namespace) -> Any:
    return _said(s.mail.send_statement(a.client, a.start, a.end, to=a.email))


def _mail_set(s: Services, a: argparse.Namespace) -> Any:
    return s.mail.configure(
        host=a.host,
        port=a.port,
        security=a.security,
        user=a.user,
        from_addr=a.from_addr,
        ca_file=a.ca_file,
    )


def _mail_show(s: Services, a: argparse.Namespace) -> Any:
    return s.mail.settings()


def _mail_test(s: Services, a: argparse.Namespace) -> Any:
    message = s.mail.test(a.to)
    out.note(message)
    return {"result": message}


def _password(s: Services, a: argparse.Namespace) -> Any:
    import getpass

    from cp_tui.adapters.mailer import MailError, SmtpConfig, save_password
    from cp_tui.services.errors import NotAllowed

    settings = s.mail.settings()
    if not settings.user:
        raise NotAllowed("set the SMTP user first: `cp-tui mail set --user ...`")
    if sys.stdin.isatty():
        password = getpass.getpass(f"SMTP password for {settings.user}@{settings.host}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise NotAllowed("no password was given")
    config = SmtpConfig(
        settings.host, settings.port, settings.security, settings.user, settings.from_addr
    )
    try:
        save_password(config, password)
    except MailError as exc:
        raise NotAllowed(str(exc)) from None
    out.note(f"The password for {settings.user} is in the keyring.")
    return {"user": settings.user, "host": settings.host, "stored": "keyring"}


def _mail_log(s: Services, a: argparse.Namespace) -> Any:
    return s.mail.log(document=a.document, client_id=a.client)


def _template(s: Services, a: argparse.Namespace) -> Any:
    body = None
    if a.body_file:
        body = sys.stdin.read() if a.body_file == "-" else Path(a.body_file).read_text("utf-8")
    if a.subject is None and body is None and not a.reset:
        return s.mail.templates()[a.kind]
    return s.mail.set_template(a.kind, subject=a.subject, body=body, reset=a.reset)


def _forget(s: Services, a: argparse.Namespace) -> Any:
    return s.mail.forget(a.id)


def _documents_set(s: Services, a: argparse.Namespace) -> Any:
    from cp_tui.services.errors import InvalidInput

    content: bytes | None = None
    if a.logo:
        try:
            content = Path(a.logo).expanduser().read_bytes()
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
            reason = getattr(exc, "strerror", None) or "not a usable file name"
            raise InvalidInput(f"cannot read the logo {str(a.logo)!r}: {reason}") from None
        s.documents.check_logo(content)
    texts = {"npi": a.npi, "payment_instructions": a.payment_instructions, "locale": a.locale}
    given = {name: value for name, value in texts.items() if value is not None}
    # Everything is checked before anything is saved: a refused value changes nothing.
    filled = {"npi": "", "payment_instructions": "", "locale": "en_US", **given}
    problems = s.documents.settings_problems(**filled)
    if problems:
        raise InvalidInput(next(iter(problems.values())))
    result = None
    if content is not None:
        result = s.documents.set_logo(content)
    elif a.no_logo:
        result = s.documents.set_logo(None)
    if result is None or given:
        result = s.documents.update_settings(**given)
    return result


def _client_codes(s: Services, a: argparse.Namespace) -> Any:
    if a.dob is None and a.diagnosis is None and not a.no_dob:
        return s.documents.client_codes(a.id)
    return s.documents.set_client_codes(
        a.id, date_of_birth=a.dob, diagnosis_codes=a.diagnosis, forget_date_of_birth=a.no_dob
    )


def _service_codes(s: Services, a: argparse.Namespace) -> Any:
    return {"service_id": a.id, "place_of_service": s.documents.set_place_of_service(a.id, a.pos)}
