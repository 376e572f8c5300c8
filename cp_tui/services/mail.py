"""E-mailing documents from the practice's own address, each version at most once.

A send is recorded before the server is contacted (``pending``), then marked
``sent`` or ``failed`` with the server's words. The record names the document and
a digest of what it shows, so sending the same version again finds the ``sent``
record and sends nothing: a retried batch never mails a client twice. An
invoice is marked sent only once its e-mail went out. SMTP settings live in the
practice settings; the password never does (keyring or environment only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, col, select

from cp_tui.adapters.mailer import Attachment, MailError, OutgoingMail, SmtpConfig, address_ok
from cp_tui.clock import Clock
from cp_tui.documents import (
    Document,
    InvoiceDocument,
    ReceiptDocument,
    StatementDocument,
    SuperbillDocument,
    file_name,
    version,
)
from cp_tui.models import DocumentSend, Invoice, InvoiceStatus
from cp_tui.services import audit, ledger
from cp_tui.services.clients import get_client
from cp_tui.services.documents import DocumentService
from cp_tui.services.errors import DomainError, InvalidInput, NotAllowed
from cp_tui.services.invoice_reads import get_invoice
from cp_tui.services.mail_settings import MailSettings, smtp_config
from cp_tui.services.mail_templates import fill, message_values
from cp_tui.store import Database


class Mailer(Protocol):
    def send(self, config: SmtpConfig, password: str | None, mail: OutgoingMail) -> None: ...

    def check(self, config: SmtpConfig, password: str | None) -> None: ...


PasswordSource = Callable[[SmtpConfig], str | None]


class SendFailed(DomainError):
    """The server did not take the message; the document stays unsent."""


@dataclass(frozen=True, slots=True)
class SendRead:
    id: int
    kind: str
    document: str
    recipient: str
    subject: str
    status: str
    error: str
    started_at: datetime
    finished_at: datetime | None
    already_sent: bool = False


def _send_read(row: DocumentSend, *, already: bool = False) -> SendRead:
    return SendRead(
        id=row.id or 0,
        kind=row.kind,
        document=row.document,
        recipient=row.recipient,
        subject=row.subject,
        status=row.status,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
        already_sent=already,
    )


class MailService(MailSettings):
    """Sends documents; inherits the settings and templates it sends with."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        documents: DocumentService,
        mailer: Mailer,
        passwords: PasswordSource,
        password_source: Callable[[SmtpConfig], str] | None = None,
    ) -> None:
        super().__init__(db, clock, password_source=password_source)
        self._documents = documents
        self._mailer = mailer
        self._passwords = passwords

    def test(self, to: str | None = None) -> str:
        """Log in to the server and send a short test message (to the from address)."""
        with self._db.write() as session:
            row = ledger.practice(session)
            config, practice = smtp_config(row), row.name
        recipient = (to or config.from_addr).strip()
        if not address_ok(recipient):
            raise InvalidInput(f"{recipient!r} is not an e-mail address")
        mail = OutgoingMail(
            to=recipient,
            subject=f"{practice}: cp-tui test message",
            body=(
                f"This message from cp-tui shows that {practice} can send e-mail through "
                f"{config.host}:{config.port} ({config.security}).\n"
            ),
        )
        try:
            self._mailer.send(config, self._passwords(config), mail)
        except MailError as exc:
            raise SendFailed(f"the test message was not sent: {exc}") from None
        return f"test message sent to {recipient} through {config.host}:{config.port}"

    def send_invoice(self, number: str, *, to: str | None = None) -> SendRead:
        """E-mail an invoice or credit note with its PDF; marks it sent on success."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            if invoice.status == InvoiceStatus.VOID:
                raise NotAllowed(f"{invoice.number} is void; it is not sent")
            invoice_id = invoice.id
        document = self._documents.invoice(number)
        return self._send(document, document.bill_to.client_id, invoice_id, to)

    def send_receipt(self, payment_id: int, *, to: str | None = None) -> SendRead:
        document = self._documents.receipt(payment_id)
        with self._db.read() as session:
            invoice_id = get_invoice(session, document.invoice_number).id
        return self._send(document, document.received_from.client_id, invoice_id, to)

    def send_statement(
        self, client_id: int, start: date, end: date, *, to: str | None = None
    ) -> SendRead:
        document = self._documents.statement(client_id, start, end)
        return self._send(document, client_id, None, to)

    def send_superbill(
        self, client_id: int, start: date, end: date, *, to: str | None = None
    ) -> SendRead:
        """E-mail the client their superbill (codes and fees) for a period, to claim."""
        document = self._documents.superbill(client_id, start, end)
        return self._send(document, client_id, None, to)

    def log(
        self, *, document: str | None = None, client_id: int | None = None, limit: int = 100
    ) -> list[SendRead]:
        """The send records, newest first."""
        with self._db.read() as session:
            query = select(DocumentSend).order_by(col(DocumentSend.id).desc()).limit(limit)
            if document:
                query = query.where(func.upper(DocumentSend.document) == document.strip().upper())
            if client_id is not None:
                query = query.where(col(DocumentSend.client_id) == client_id)
            return [_send_read(row) for row in session.exec(query).all()]

    def last_send(self, document: str) -> SendRead | None:
        found = self.log(document=document, limit=1)
        return found[0] if found else None

    # -- internals -------------------------------------------------------------------

    def _send(
        self, document: Document, client_id: int, invoice_id: int | None, to: str | None
    ) -> SendRead:
        kind = _kind(document)
        key = document.reference
        digest = version(document)
        with self._db.read() as session:
            row = ledger.practice(session)
            config = smtp_config(row)
            templates = self._templates(row)[kind]
            client = get_client(session, client_id)
        if not config.configured:
            raise NotAllowed(
                "e-mail is not set up: `cp-tui mail set --host smtp.example.com --user ... "
                "--from ...`"
            )
        recipient = (to or client.email).strip()
        if not recipient:
            raise InvalidInput(
                f"{client.name} has no e-mail address; add one with "
                f"`cp-tui clients edit {client_id} --email ...`"
            )
        if not address_ok(recipient):
            raise InvalidInput(f"{recipient!r} is not an e-mail address")
        values = message_values(document, client.name)
        subject = fill(templates["subject"], values).strip()
        body = fill(templates["body"], values)
        password = self._passwords(config)
        content = self._documents.render(document)  # a drawing error sends nothing
        domain = config.from_addr.rsplit("@", 1)[-1].strip("> ") or "cp-tui.invalid"
        mail = OutgoingMail(
            to=recipient,
            subject=subject,
            body=body,
            message_id=f"<cp-tui.{digest[:32]}@{domain}>",
            attachments=(Attachment(file_name(document), content),),
        )

        with self._db.write() as session:
            ledger.lock_client(session, client_id)  # two terminals queue here
            earlier = session.exec(
                select(DocumentSend)
                .where(col(DocumentSend.document) == key)
                .where(col(DocumentSend.version) == digest)
                .where(col(DocumentSend.status).in_(["sent", "pending"]))
                .order_by(col(DocumentSend.id))
            ).all()
            done = next((r for r in earlier if r.status == "sent"), None)
            if done is not None:
                return _send_read(done, already=True)
            if earlier:
                pending = earlier[0]
                raise NotAllowed(
                    f"a send of {key} to {pending.recipient} began at "
                    f"{pending.started_at:%Y-%m-%d %H:%M} UTC and never finished: it may still "
                    "be under way, or it was interrupted and may have arrived. Check the Sent "
                    f"folder, then `cp-tui mail forget {pending.id}` to allow sending it again"
                )
            record = DocumentSend(
                started_at=self._clock.now(),
                kind=kind,
                document=key,
                version=digest,
                client_id=client_id,
                invoice_id=invoice_id,
                recipient=recipient,
                subject=subject[:300],
                status="pending",
                message_id=mail.message_id,
            )
            session.add(record)
            session.flush()
            record_id = record.id

        try:
            self._mailer.send(config, password, mail)
        except MailError as exc:
            self._finish(record_id, "failed", str(exc))
            raise SendFailed(f"{key} was not sent to {recipient}: {exc}") from None
        except Exception as exc:
            self._finish(record_id, "failed", f"{type(exc).__name__}: {exc}")
            raise
        return self._finish(record_id, "sent", "")

    def _finish(self, record_id: int | None, status: str, error: str) -> SendRead:
        with self._db.write() as session:
            record = session.get(DocumentSend, record_id)
            assert record is not None
            record.status = status
            record.error = error[:1000]
            record.finished_at = self._clock.now()
            if (
                status == "sent"
                and record.invoice_id is not None
                and record.kind
                in (
                    "invoice",
                    "credit_note",
                )
            ):
                self._mark_sent(session, record)
            return _send_read(record)

    def _mark_sent(self, session: Session, record: DocumentSend) -> None:
        invoice = session.get(Invoice, record.invoice_id)
        if invoice is not None and invoice.sent_at is None:
            invoice.sent_at = self._clock.now()
            audit.record(
                session,
                self._clock,
                "invoice.sent",
                client_id=invoice.client_id,
                invoice_id=invoice.id,
                detail=f"{invoice.number} e-mailed to {record.recipient}",
            )

    def forget(self, record_id: int) -> SendRead:
        """Mark an unfinished send as failed, after checking it did not arrive."""
        with self._db.write() as session:
            record = session.get(DocumentSend, record_id)
            if record is None:
                raise InvalidInput(f"no send record {record_id}; `cp-tui mail log` lists them")
            if record.status != "pending":
                raise NotAllowed(f"send {record_id} is {record.status}, not unfinished")
            record.status = "failed"
            record.error = "interrupted; released by hand"
            record.finished_at = self._clock.now()
            return _send_read(record)


def _kind(document: Document) -> str:
    if isinstance(document, InvoiceDocument):
        return document.kind
    if isinstance(document, ReceiptDocument):
        return "receipt"
    if isinstance(document, StatementDocument):
        return "statement"
    if isinstance(document, SuperbillDocument):
        return "superbill"
    raise NotAllowed(f"a {document.title} is not sent by e-mail; save it and hand it over")
