"""Documents people can hold: invoices, credit notes, receipts, statements, superbills.

This service reads the database into plain document data (``cp_tui.documents``),
copying every stored amount as it is, and hands it to a renderer (the PDF
adapter, injected by the composition root) for the bytes. It also keeps the
fields documents need: the practice's NPI, payment instructions and locale, a
client's date of birth and ICD-10 codes, and a service's place of service.
"""

from __future__ import annotations

import os
import re
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
from cp_tui.localmoney import check_locale
from cp_tui.models import (
    Client,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PracticeSettings,
    Service,
)
from cp_tui.services import audit, ledger
from cp_tui.services.clients import get_client
from cp_tui.services.errors import DomainError, InvalidInput, NotFound
from cp_tui.services.invoice_reads import get_invoice, invoice_read
from cp_tui.services.package_reads import packages_on_invoice
from cp_tui.services.statements import statement_document
from cp_tui.services.superbills import superbill_document
from cp_tui.store import Database

Renderer = Callable[[Document], bytes]
# Image bytes -> (MIME type, width, height); raises ValueError-like errors with a
# message a person can act on when the bytes are not a PNG or JPEG it can print.
LogoCheck = Callable[[bytes], tuple[str, int, int]]
# Every PDF embeds the logo: a small one keeps documents light to e-mail.
MAX_LOGO_BYTES = 512 * 1024
# Invoice number -> URL where the client can pay it, or None. The hook a payment
# gateway plugs into; without one, documents and e-mails carry no link.
PaymentLinks = Callable[[str], str | None]

_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_POS = re.compile(r"^[0-9]{2}$")
_NPI = re.compile(r"^[0-9]{10}$")


class DocumentError(DomainError):
    """A document could not be drawn or saved."""


@dataclass(frozen=True, slots=True)
class DocumentSettingsRead:
    npi: str
    payment_instructions: str
    locale: str
    logo: str  # "PNG 600 x 200, 14 KB", or "" with no logo


@dataclass(frozen=True, slots=True)
class ClientCodesRead:
    client_id: int
    name: str
    date_of_birth: date | None
    diagnosis_codes: list[str]


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


def split_codes(text: str) -> list[str]:
    return [code for code in (part.strip() for part in text.split(",")) if code]


def parse_diagnosis_codes(text: str) -> str:
    codes = [code.upper() for code in split_codes(text.replace(";", ","))]
    for code in codes:
        if not _ICD10.match(code):
            raise InvalidInput(
                f"{code!r} is not an ICD-10 code; they look like F41.1 or F43.23 "
                "(letter, two characters, optional dot and up to four more)"
            )
    joined = ", ".join(dict.fromkeys(codes))
    if len(joined) > 200:
        raise InvalidInput("at most 200 characters of diagnosis codes fit on a superbill")
    return joined


def check_place_of_service(text: str) -> str:
    code = text.strip()
    if code and not _POS.match(code):
        raise InvalidInput(
            f"a place of service is a two-digit CMS code (11 office, 02 or 10 "
            f"telehealth), got {code!r}"
        )
    return code


def _checked_npi(text: str) -> str:
    npi = text.strip()
    if npi and not _NPI.match(npi):
        raise InvalidInput(f"an NPI is 10 digits, got {npi!r}")
    return npi


def _checked_instructions(text: str) -> str:
    text = text.replace("\\n", "\n").strip()
    if len(text) > 1000:
        raise InvalidInput("payment instructions are at most 1000 characters")
    return text


def _checked_locale(text: str) -> str:
    locale = text.strip().replace("-", "_")
    problem = check_locale(locale)
    if problem:
        raise InvalidInput(problem)
    return locale


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


class DocumentService:
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
        self._db = db
        self._logo_check = logo_check
        self._clock = clock
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
        read = invoice_read(session, row)
        client = get_client(session, row.client_id)
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

    # -- the fields documents need ------------------------------------------------------

    def settings(self) -> DocumentSettingsRead:
        with self._db.write() as session:
            return self._settings_read(ledger.practice(session))

    def _settings_read(self, row: PracticeSettings) -> DocumentSettingsRead:
        return DocumentSettingsRead(
            row.npi, row.payment_instructions, row.locale, self._describe_logo(row.logo)
        )

    def _describe_logo(self, content: bytes | None) -> str:
        if not content:
            return ""
        size = f"{max(len(content) // 1024, 1)} KB"
        if self._logo_check is None:
            return size
        try:
            kind, width, height = self._logo_check(content)
        except Exception:
            return f"unreadable, {size}"
        return f"{kind.split('/')[-1].upper()} {width} x {height}, {size}"

    def check_logo(self, content: bytes) -> None:
        """Raise InvalidInput saying why these bytes cannot be the logo."""
        if not content:
            raise InvalidInput("the logo file is empty; choose a PNG or JPEG image")
        if len(content) > MAX_LOGO_BYTES:
            raise InvalidInput(
                f"the logo is {len(content) // 1024} KB; at most {MAX_LOGO_BYTES // 1024} KB "
                "fits, since every PDF carries it: save it smaller (e.g. 600 pixels wide)"
            )
        if self._logo_check is not None:
            try:
                self._logo_check(content)
            except Exception as exc:
                raise InvalidInput(str(exc)) from None

    def set_logo(self, content: bytes | None) -> DocumentSettingsRead:
        """Print this PNG or JPEG at the top of every document; None removes the logo."""
        if content is not None:
            self.check_logo(content)
        with self._db.write() as session:
            row = ledger.practice(session)
            had = bool(row.logo)
            row.logo = content
            audit.record(
                session,
                self._clock,
                "settings.logo",
                before={"logo": had},
                after={"logo": content is not None, "bytes": len(content or b"")},
            )
            return self._settings_read(row)

    def update_settings(
        self,
        *,
        npi: str | None = None,
        payment_instructions: str | None = None,
        locale: str | None = None,
    ) -> DocumentSettingsRead:
        with self._db.write() as session:
            row = ledger.practice(session)
            before = {"npi": row.npi, "locale": row.locale}
            if npi is not None:
                row.npi = _checked_npi(npi)
            if payment_instructions is not None:
                row.payment_instructions = _checked_instructions(payment_instructions)
            if locale is not None:
                row.locale = _checked_locale(locale)
            audit.record(
                session,
                self._clock,
                "settings.documents",
                before=before,
                after={"npi": row.npi, "locale": row.locale},
            )
            return self._settings_read(row)

    @staticmethod
    def settings_problems(*, npi: str, payment_instructions: str, locale: str) -> dict[str, str]:
        """What is wrong with each value, by name ("npi", ...); empty when all can be saved."""
        problems = {}
        for name, check, value in (
            ("npi", _checked_npi, npi),
            ("payment_instructions", _checked_instructions, payment_instructions),
            ("locale", _checked_locale, locale),
        ):
            try:
                check(value)
            except InvalidInput as exc:
                problems[name] = str(exc)
        return problems

    def client_codes(self, client_id: int) -> ClientCodesRead:
        with self._db.read() as session:
            row = get_client(session, client_id)
            return ClientCodesRead(
                client_id, row.name, row.date_of_birth, split_codes(row.diagnosis_codes)
            )

    def set_client_codes(
        self,
        client_id: int,
        *,
        date_of_birth: date | None = None,
        diagnosis_codes: str | None = None,
    ) -> ClientCodesRead:
        with self._db.write() as session:
            row = get_client(session, client_id)
            if date_of_birth is not None:
                if not date(1900, 1, 1) <= date_of_birth <= self._clock.today():
                    raise InvalidInput(f"{date_of_birth} is not a plausible date of birth")
                row.date_of_birth = date_of_birth
            if diagnosis_codes is not None:
                row.diagnosis_codes = parse_diagnosis_codes(diagnosis_codes)
            return ClientCodesRead(
                client_id, row.name, row.date_of_birth, split_codes(row.diagnosis_codes)
            )

    def client_codes_problems(self, *, date_of_birth: str, diagnosis_codes: str) -> dict[str, str]:
        """What is wrong with a typed date of birth or codes, by name; empty when fine."""
        problems = {}
        if date_of_birth.strip():
            try:
                born = date.fromisoformat(date_of_birth.strip())
            except ValueError:
                problems["date_of_birth"] = f"{date_of_birth!r} is not a date; use YYYY-MM-DD"
            else:
                if not date(1900, 1, 1) <= born <= self._clock.today():
                    problems["date_of_birth"] = f"{born} is not a plausible date of birth"
        try:
            parse_diagnosis_codes(diagnosis_codes)
        except InvalidInput as exc:
            problems["diagnosis_codes"] = str(exc)
        return problems

    def place_of_service(self, service_id: int) -> str:
        with self._db.read() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
            return row.place_of_service

    def set_place_of_service(self, service_id: int, code: str) -> str:
        code = check_place_of_service(code)
        with self._db.write() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
            row.place_of_service = code
            return code
