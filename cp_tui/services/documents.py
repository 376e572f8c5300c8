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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.documents import (
    ClaimNote,
    DocLine,
    DocPayment,
    Document,
    InvoiceDocument,
    Party,
    PracticeHeader,
    ReceiptDocument,
    ReceiptPackage,
    StatementDocument,
    SuperbillDocument,
    TaxRow,
    file_name,
)
from cp_tui.models import (
    Client,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PracticeSettings,
)
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.services import ledger
from cp_tui.services.clients import get_client
from cp_tui.services.document_settings import DocumentSettings, LogoCheck, split_codes
from cp_tui.services.errors import DomainError, InvalidInput, NotFound
from cp_tui.services.invoice_reads import get_invoice, invoice_reads
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


def practice_header(row: PracticeSettings) -> PracticeHeader:
    return PracticeHeader(
        name=row.name,
        address=row.address,
        tax_id=row.tax_id,
        email=row.email,
        phone=row.phone,
        npi=row.npi,
        payment_instructions=row.payment_instructions,
        currency=row.currency,
        locale=row.locale or "en_US",
        logo=row.logo or None,
    )


def party(row: Client) -> Party:
    return Party(
        client_id=row.id or 0,
        name=row.name,
        address=row.address,
        email=row.email,
        date_of_birth=row.date_of_birth,
    )


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
            document = self._invoice(session, get_invoice(session, number))
        # The link may need the payment gateway (network): asked with no transaction open.
        if self._links and document.kind == InvoiceKind.INVOICE and document.amount_due > 0:
            link = self._links(document.number)
            if link:
                document = replace(document, payment_link=link)
        return document

    def _invoice(self, session: Session, row: Invoice) -> InvoiceDocument:
        client = get_client(session, row.client_id)
        read = invoice_reads(session, [row], names={row.client_id: client.name})[0]
        rates: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
        for line in read.lines:
            if line.tax_rate or line.tax:
                rates[line.tax_rate][0] += line.net
                rates[line.tax_rate][1] += line.tax
        payments = tuple(
            DocPayment(p.received_on, p.method, p.reference, p.applied) for p in read.payments
        )
        if sum(p.applied for p in payments) != read.amount_paid:
            # Refunds changed what was paid: one row with the stored total stays exact.
            payments = (
                (DocPayment(read.issue_date, "payments less refunds", "", read.amount_paid),)
                if read.amount_paid
                else ()
            )
        return InvoiceDocument(
            kind=read.kind,
            practice=practice_header(ledger.practice(session)),
            bill_to=party(client),
            number=read.number,
            status=read.status,
            issue_date=read.issue_date,
            due_date=read.due_date,
            currency=read.currency,
            lines=tuple(
                DocLine(
                    ln.service_date,
                    ln.description,
                    ln.units,
                    ln.unit_price,
                    ln.tax_rate,
                    ln.net,
                    ln.tax,
                    ln.total,
                )
                for ln in read.lines
            ),
            tax_by_rate=tuple(TaxRow(rate, net, tax) for rate, (net, tax) in sorted(rates.items())),
            subtotal=read.subtotal,
            tax=read.tax,
            total=read.total,
            credit_applied=read.credit_applied,
            amount_paid=read.amount_paid,
            amount_due=read.amount_due,
            payments=payments,
            corrects=read.corrects,
            reason=read.reason,
            claims=_claim_notes(session, row),
        )

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
                practice=practice_header(ledger.practice(session)),
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
            header = practice_header(ledger.practice(session))
            return statement_document(session, header, party(client), start, end)

    def superbill(self, client_id: int, start: date, end: date) -> SuperbillDocument:
        """Services a client had from ``start`` to ``end`` with codes, fees and payments."""
        if end < start:
            raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
        with self._db.read() as session:
            client = get_client(session, client_id)
            header = practice_header(ledger.practice(session))
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


def _claim_notes(session: Session, invoice: Invoice) -> tuple[ClaimNote, ...]:
    """The co-pays on the invoice, each with the session's charge and the insurer's part."""
    rows = session.exec(
        select(InvoiceLine, ClaimLine, InsurancePolicy)
        .join(ClaimLine, col(ClaimLine.item_id) == col(InvoiceLine.item_id))
        .join(InsurancePolicy, col(InsurancePolicy.id) == col(ClaimLine.policy_id))
        .where(col(InvoiceLine.invoice_id) == invoice.id)
        .order_by(col(InvoiceLine.position), col(InvoiceLine.id))
    ).all()
    return tuple(
        ClaimNote(
            service_date=line.service_date or invoice.issue_date,
            description=line.description,
            payer=policy.payer,
            charge=claim.charge,
            insurer_amount=claim.amount,
        )
        for line, claim, policy in rows
    )
