"""Documents people can hold: invoices, credit notes, receipts, statements, superbills.

This service reads the database into plain document data (``cp_tui.documents``),
copying every stored amount as it is, and hands it to a renderer (the PDF
adapter, injected by the composition root) for the bytes. The fields documents
need (NPI, payment instructions, locale, logo, a client's date of birth and ICD-10
codes, a service's place of service) it inherits from ``DocumentSettings``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from cp_tui.clock import Clock
from cp_tui.documents import (
    Document,
    InvoiceDocument,
    ReceiptDocument,
    ReceiptPackage,
    StatementDocument,
    SuperbillDocument,
    file_name,
)
from cp_tui.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
)
from cp_tui.services.clients import get_client
from cp_tui.services.document_settings import DocumentSettings, LogoCheck, split_codes
from cp_tui.services.errors import DomainError, InvalidInput, NotFound
from cp_tui.services.invoice_document import invoice_document, party, read_practice_header
from cp_tui.services.package_reads import packages_on_invoice
from cp_tui.services.statements import statement_document
from cp_tui.services.superbills import superbill_document
from cp_tui.store import Database

Renderer = Callable[[Document], bytes]
# Invoice number -> URL where the client can pay it, or None. The hook a payment
# gateway plugs into; without one, documents and e-mails carry no link.
PaymentLinks = Callable[[str], str | None]


class DocumentError(DomainError):
    """A document could not be drawn or saved."""


@dataclass(frozen=True, slots=True)
class SavedDocument:
    path: str
    reference: str
    size: int


def write_private(path: Path, content: bytes) -> Path:
    """Write a file readable by its owner only (0600), atomically."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cp-tui-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class DocumentService(DocumentSettings):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        renderer: Renderer,
        documents_dir: Path,
        payment_links: PaymentLinks | None = None,
        logo_check: LogoCheck | None = None,
    ) -> None:
        super().__init__(db, clock, logo_check=logo_check)
        self._render = renderer
        self.documents_dir = documents_dir
        self._links = payment_links

    # -- building document data ---------------------------------------------------

    def invoice(self, number: str) -> InvoiceDocument:
        """An invoice or credit note, as the client will see it."""
        with self._db.read() as session:
            document = invoice_document(session, number)
        # The link may need the payment gateway (network): asked with no transaction open.
        if self._links and document.kind == InvoiceKind.INVOICE and document.amount_due > 0:
            link = self._links(document.number)
            if link:
                document = replace(document, payment_link=link)
        return document

    def receipt(self, payment_id: int) -> ReceiptDocument:
        """A receipt for one payment: what came in, where it went, what is left due."""
        with self._db.read() as session:
            payment = session.get(Payment, payment_id)
            if payment is None:
                raise NotFound(
                    f"no payment with id {payment_id}; `cp-tui invoices show NUMBER --json` "
                    "lists an invoice's payments with their ids"
                )
            invoice = session.get(Invoice, payment.invoice_id)
            assert invoice is not None
            applied_so_far = sum(
                p.applied
                for p in session.exec(
                    select(Payment)
                    .where(col(Payment.invoice_id) == invoice.id)
                    .where(col(Payment.id) <= payment_id)
                ).all()
            )
            due_after = (
                invoice.total - invoice.credit_applied - applied_so_far
                if invoice.status != InvoiceStatus.VOID
                else 0
            )
            return ReceiptDocument(
                practice=read_practice_header(session),
                received_from=party(get_client(session, payment.client_id)),
                number=f"R-{payment_id:04d}",
                payment_id=payment_id,
                received_on=payment.received_on,
                method=payment.method,
                reference_text=payment.reference,
                currency=invoice.currency,
                amount=payment.amount,
                applied=payment.applied,
                to_credit=payment.amount - payment.applied,
                invoice_number=invoice.number or "",
                invoice_total=invoice.total,
                credit_applied=invoice.credit_applied,
                paid_before=applied_so_far - payment.applied,
                amount_due=max(due_after, 0),
                packages=tuple(
                    ReceiptPackage(
                        name=p.name or f"Package {p.id}",
                        sessions=p.sessions - p.refunded,
                        left=p.left,
                        expires_on=p.expires_on,
                    )
                    for p in packages_on_invoice(session, invoice.id or 0, payment.received_on)
                ),
            )

    def statement(self, client_id: int, start: date, end: date) -> StatementDocument:
        """A client's account from ``start`` to ``end``, both days included."""
        if end < start:
            raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
        with self._db.read() as session:
            client = get_client(session, client_id)
            header = read_practice_header(session)
            return statement_document(session, header, party(client), start, end)

    def superbill(self, client_id: int, start: date, end: date) -> SuperbillDocument:
        """Services a client had from ``start`` to ``end`` with codes, fees and payments."""
        if end < start:
            raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
        with self._db.read() as session:
            client = get_client(session, client_id)
            header = read_practice_header(session)
            return superbill_document(
                session,
                header,
                party(client),
                tuple(split_codes(client.diagnosis_codes)),
                start,
                end,
            )

    # -- rendering and saving -------------------------------------------------------

    def render(self, document: Document) -> bytes:
        try:
            return self._render(document)
        except DomainError:
            raise
        except Exception as exc:
            raise DocumentError(f"{document.title} {document.reference}: {exc}") from exc

    def save(self, document: Document, path: str | os.PathLike[str] | None = None) -> SavedDocument:
        """Write the PDF (0600); by default into the data folder's documents/ folder."""
        content = self.render(document)
        target = Path(path) if path is not None else self.documents_dir / file_name(document)
        if path is None:
            self.documents_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.documents_dir, 0o700)
        try:
            written = write_private(target, content)
        except OSError as exc:
            raise DocumentError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return SavedDocument(path=str(written), reference=document.reference, size=len(content))
