"""Plain data of the documents cp-tui prints: what a PDF shows, nothing more.

The services build these from the database (every amount an integer in minor
units, copied, never recomputed); the PDF adapter lays them out. No ReportLab,
no database here, so both sides can import it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# A dataclass field's metadata key: the field is left out of ``version`` when empty.
OMIT_IF_EMPTY = "omit_if_empty"


@dataclass(frozen=True, slots=True)
class PracticeHeader:
    name: str
    address: str
    tax_id: str
    email: str
    phone: str
    npi: str
    payment_instructions: str
    currency: str
    locale: str
    logo: bytes | None = None  # PNG or JPEG, drawn at the top of every page one


@dataclass(frozen=True, slots=True)
class Party:
    """Who a document is addressed to (bill-to, patient)."""

    client_id: int
    name: str
    address: str
    email: str
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class DocLine:
    service_date: date | None
    description: str
    units: Decimal
    unit_price: int
    tax_rate: Decimal
    net: int
    tax: int
    total: int


@dataclass(frozen=True, slots=True)
class TaxRow:
    """Tax of all lines at one rate: the sum of those lines' rounded tax."""

    rate: Decimal
    net: int
    tax: int


@dataclass(frozen=True, slots=True)
class DocPayment:
    received_on: date
    method: str
    reference: str
    applied: int


@dataclass(frozen=True, slots=True)
class ClaimNote:
    """An invoiced co-pay: the session's whole charge and the insurer's portion of it."""

    service_date: date
    description: str
    payer: str
    charge: int
    insurer_amount: int


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An invoice, or a credit note (``kind == "credit_note"``) naming what it corrects."""

    kind: str
    practice: PracticeHeader
    bill_to: Party
    number: str
    status: str
    issue_date: date
    due_date: date
    currency: str
    lines: tuple[DocLine, ...]
    tax_by_rate: tuple[TaxRow, ...]
    subtotal: int
    tax: int
    total: int
    credit_applied: int
    amount_paid: int
    amount_due: int
    payments: tuple[DocPayment, ...]
    corrects: str | None
    reason: str
    payment_link: str | None = None
    # Lines that are co-pays: the rest of each session is claimed from an insurer.
    claims: tuple[ClaimNote, ...] = field(default=(), metadata={OMIT_IF_EMPTY: True})

    @property
    def title(self) -> str:
        return "Credit note" if self.kind == "credit_note" else "Invoice"

    @property
    def reference(self) -> str:
        return self.number


@dataclass(frozen=True, slots=True)
class ReceiptPackage:
    """A package the paid invoice sold or drew from, with the sessions left that day."""

    name: str
    sessions: int
    left: int
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    practice: PracticeHeader
    received_from: Party
    number: str
    payment_id: int
    received_on: date
    method: str
    reference_text: str
    currency: str
    amount: int
    applied: int
    to_credit: int
    invoice_number: str
    invoice_total: int
    credit_applied: int
    paid_before: int  # applied to the invoice by earlier payments
    amount_due: int  # left due on the invoice right after this payment
    # Left out of the digest when empty, so receipts without packages keep their versions.
    packages: tuple[ReceiptPackage, ...] = field(default=(), metadata={OMIT_IF_EMPTY: True})

    title = "Receipt"

    @property
    def reference(self) -> str:
        return self.number


@dataclass(frozen=True, slots=True)
class StatementRow:
    on: date
    description: str
    charge: int
    credit: int
    balance: int


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    number: str
    issue_date: date
    due_date: date
    total: int
    amount_due: int


@dataclass(frozen=True, slots=True)
class StatementDocument:
    """A client's account over a period: opening balance, what happened, closing balance."""

    practice: PracticeHeader
    client: Party
    period_start: date
    period_end: date
    currency: str
    opening_balance: int
    rows: tuple[StatementRow, ...]
    charges: int
    credits: int
    closing_balance: int
    credit_balance: int
    open_invoices: tuple[OpenInvoice, ...]

    title = "Statement of account"

    @property
    def reference(self) -> str:
        return f"statement:{self.client.client_id}:{self.period_start}:{self.period_end}"


@dataclass(frozen=True, slots=True)
class SuperbillLine:
    service_date: date
    cpt: str
    description: str
    place_of_service: str
    units: Decimal
    fee: int
    paid: int
    invoice_number: str


@dataclass(frozen=True, slots=True)
class SuperbillDocument:
    """What a US client hands to an insurer to claim back what they paid."""

    practice: PracticeHeader
    patient: Party
    period_start: date
    period_end: date
    currency: str
    diagnosis_codes: tuple[str, ...]
    lines: tuple[SuperbillLine, ...]
    total_fees: int
    total_paid: int
    balance: int

    title = "Superbill"

    @property
    def reference(self) -> str:
        return f"superbill:{self.patient.client_id}:{self.period_start}:{self.period_end}"


Document = InvoiceDocument | ReceiptDocument | StatementDocument | SuperbillDocument


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get(OMIT_IF_EMPTY) and not getattr(value, f.name))
        }
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bytes):  # the logo: a new logo is a new version of the document
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def version(document: Document) -> str:
    """A digest of everything the document shows: same digest, same document."""
    text = json.dumps(
        {"type": type(document).__name__, "data": _plain(document)},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_name(document: Document) -> str:
    """A safe file name: ``INV-0007.pdf``, ``statement-4-2026-10-01-2026-10-31.pdf``."""
    stem = document.reference.replace(":", "-")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    return f"{safe}.pdf"
