"""What each document's pages say, as text in boxes: no ReportLab here.

``layout(document)`` turns document data into a ``Layout`` (header, parties, one
table, totals, notes) with every amount already written for the practice's
currency and locale; ``pdf.py`` only draws it. Each amount is the stored integer,
formatted once by ``localmoney.format_local``; nothing is added up here except
the statement's running balance, which the service computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cp_tui.documents import (
    Document,
    InvoiceDocument,
    Party,
    PracticeHeader,
    ReceiptDocument,
    ReceiptPackage,
    StatementDocument,
    SuperbillDocument,
)
from cp_tui.localmoney import format_local, format_local_date
from cp_tui.money import decimal_text

# Territories whose paper is US Letter; everyone else gets A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE"})


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    weight: float
    align: str = "left"  # "left" or "right"
    wrap: bool = False  # long text that may run over several lines


@dataclass(frozen=True, slots=True)
class TotalRow:
    label: str
    amount: str
    strong: bool = False


@dataclass(slots=True)
class Layout:
    title: str
    footer: str  # under every page, with the practice's name and the page number
    practice: list[str]
    meta: list[tuple[str, str]]
    parties: list[tuple[str, list[str]]]
    columns: list[Column]
    rows: list[list[str]]
    totals: list[TotalRow]
    notes: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    strong_rows: set[int] = field(default_factory=set)
    link: str | None = None
    signature: bool = False
    letter: bool = False
    stamp: str | None = None
    document_title: str = ""
    author: str = ""
    logo: bytes | None = None


class _Fmt:
    def __init__(self, practice: PracticeHeader, currency: str) -> None:
        self.locale = practice.locale or "en_US"
        self.currency = currency

    def money(self, amount: int) -> str:
        return format_local(amount, self.currency, self.locale)

    def day(self, value: date | None) -> str:
        return format_local_date(value, self.locale) if value else ""


def _letter(locale: str) -> bool:
    territory = locale.replace("-", "_").split("_")[-1].upper() if "_" in locale else ""
    return territory in LETTER_TERRITORIES


def _practice_lines(p: PracticeHeader, *, npi: bool = False) -> list[str]:
    lines = [p.name, *[ln for ln in p.address.splitlines() if ln.strip()]]
    contact = "  ·  ".join(x for x in (p.phone, p.email) if x)
    if contact:
        lines.append(contact)
    if p.tax_id:
        lines.append(f"Tax ID {p.tax_id}")
    if npi and p.npi:
        lines.append(f"NPI {p.npi}")
    return lines


def _party_lines(party: Party, fmt: _Fmt, *, dob: bool = False) -> list[str]:
    lines = [party.name, *[ln for ln in party.address.splitlines() if ln.strip()]]
    if party.email:
        lines.append(party.email)
    if dob:
        born = fmt.day(party.date_of_birth) if party.date_of_birth else "not on file"
        lines.append(f"Date of birth: {born}")
    return lines


def _period(fmt: _Fmt, start: date, end: date) -> str:
    return f"{fmt.day(start)} to {fmt.day(end)}"


def _base(document: Document, fmt: _Fmt, *, whose: str = "", **kw: object) -> Layout:
    """Every page's footer names the document, so that a page that comes loose says
    whose it is: by its number, or (``whose``) by the client and the period."""
    practice = document.practice
    footer = f"{document.title}  ·  {whose}" if whose else f"{document.title} {document.reference}"
    return Layout(
        title=document.title,
        footer=footer,
        practice=_practice_lines(practice, npi=isinstance(document, SuperbillDocument)),
        letter=_letter(fmt.locale),
        author=practice.name,
        logo=practice.logo,
        **kw,  # type: ignore[arg-type]
    )


def invoice_layout(doc: InvoiceDocument) -> Layout:
    fmt = _Fmt(doc.practice, doc.currency)
    credit_note = doc.kind == "credit_note"
    taxed = doc.tax != 0 or any(line.tax_rate for line in doc.lines)
    columns = [
        Column("Date", 1.3),
        Column("Service", 4.0, wrap=True),
        Column("Units", 0.8, "right"),
        Column("Unit price", 1.4, "right"),
    ]
    if taxed:
        columns += [Column("Tax %", 0.9, "right"), Column("Tax", 1.2, "right")]
    columns.append(Column("Amount", 1.5, "right"))
    rows = []
    for line in doc.lines:
        row = [
            fmt.day(line.service_date),
            line.description,
            decimal_text(line.units),
            fmt.money(line.unit_price),
        ]
        if taxed:
            row += [f"{decimal_text(line.tax_rate)}%", fmt.money(line.tax)]
        row.append(fmt.money(line.net))
        rows.append(row)
    totals = [TotalRow("Subtotal", fmt.money(doc.subtotal))]
    if taxed:
        totals += [
            TotalRow(
                f"Tax {decimal_text(t.rate)}% on {fmt.money(t.net)}",
                fmt.money(t.tax),
            )
            for t in doc.tax_by_rate
        ]
    totals.append(TotalRow("Total credit" if credit_note else "Total", fmt.money(doc.total), True))
    if not credit_note:
        if doc.credit_applied:
            totals.append(TotalRow("Credit applied", fmt.money(-doc.credit_applied)))
        for pay in doc.payments:
            method = pay.method + (f", ref {pay.reference}" if pay.reference else "")
            totals.append(
                TotalRow(f"Paid {fmt.day(pay.received_on)} ({method})", fmt.money(-pay.applied))
            )
        totals.append(TotalRow("Amount due", fmt.money(doc.amount_due), True))
    meta = [("Number", doc.number), ("Issued", fmt.day(doc.issue_date))]
    if not credit_note:
        meta.append(("Due", fmt.day(doc.due_date)))
    if doc.corrects:
        meta.append(("Corrects", doc.corrects))
    notes = []
    if credit_note:
        target = f"invoice {doc.corrects}" if doc.corrects else "the client's account"
        notes.append(f"This credit note corrects {target}. Reason: {doc.reason or '-'}")
    elif doc.reason:
        notes.append(doc.reason)
    notes += [
        f"Co-pay for {c.description} on {fmt.day(c.service_date)}: the session's "
        f"{fmt.money(c.charge)} less {fmt.money(c.insurer_amount)} claimed from {c.payer}."
        for c in doc.claims
    ]
    sections = []
    if not credit_note and doc.amount_due > 0:
        if doc.practice.payment_instructions:
            sections.append(("How to pay", doc.practice.payment_instructions))
        if doc.payment_link:
            sections.append(("Pay online", doc.payment_link))
    stamp = {"paid": "PAID", "void": "VOID"}.get(doc.status) if not credit_note else None
    return _base(
        doc,
        fmt,
        meta=meta,
        parties=[("Bill to", _party_lines(doc.bill_to, fmt))],
        columns=columns,
        rows=rows,
        totals=totals,
        notes=notes,
        sections=sections,
        link=doc.payment_link if not credit_note and doc.amount_due > 0 else None,
        stamp=stamp,
        document_title=f"{doc.title} {doc.number}",
    )


def receipt_layout(doc: ReceiptDocument) -> Layout:
    fmt = _Fmt(doc.practice, doc.currency)
    method = doc.method + (f", ref {doc.reference_text}" if doc.reference_text else "")
    rows = [[fmt.day(doc.received_on), f"Payment received ({method})", fmt.money(doc.amount)]]
    totals = [TotalRow("Amount received", fmt.money(doc.amount), True)]
    if doc.to_credit:
        totals += [
            TotalRow(f"Applied to invoice {doc.invoice_number}", fmt.money(doc.applied)),
            TotalRow("Added to your credit balance", fmt.money(doc.to_credit)),
        ]
    totals.append(TotalRow(f"Invoice {doc.invoice_number} total", fmt.money(doc.invoice_total)))
    if doc.credit_applied:
        totals.append(TotalRow("Credit applied", fmt.money(-doc.credit_applied)))
    if doc.paid_before:
        totals.append(TotalRow("Paid before", fmt.money(-doc.paid_before)))
    totals += [
        TotalRow("This payment", fmt.money(-doc.applied)),
        TotalRow(f"Still due on {doc.invoice_number}", fmt.money(doc.amount_due), True),
    ]
    return _base(
        doc,
        fmt,
        meta=[
            ("Receipt", doc.number),
            ("Date", fmt.day(doc.received_on)),
            ("Invoice", doc.invoice_number),
        ],
        parties=[("Received from", _party_lines(doc.received_from, fmt))],
        columns=[
            Column("Date", 1.4),
            Column("Description", 5.0, wrap=True),
            Column("Amount", 1.6, "right"),
        ],
        rows=rows,
        totals=totals,
        notes=[*(_package_note(p, fmt) for p in doc.packages), "Thank you for your payment."],
        document_title=f"Receipt {doc.number}",
    )


def _package_note(package: ReceiptPackage, fmt: _Fmt) -> str:
    left = f"{package.left} of {package.sessions} session{'s' if package.sessions != 1 else ''}"
    until = f", to use by {fmt.day(package.expires_on)}" if package.expires_on else ""
    return f"{package.name}: {left} left{until}."


def statement_layout(doc: StatementDocument) -> Layout:
    fmt = _Fmt(doc.practice, doc.currency)
    rows = [["", "Opening balance", "", "", fmt.money(doc.opening_balance)]]
    for row in doc.rows:
        rows.append(
            [
                fmt.day(row.on),
                row.description,
                fmt.money(row.charge) if row.charge else "",
                fmt.money(row.credit) if row.credit else "",
                fmt.money(row.balance),
            ]
        )
    rows.append(["", "Closing balance", "", "", fmt.money(doc.closing_balance)])
    totals = [
        TotalRow("Opening balance", fmt.money(doc.opening_balance)),
        TotalRow("Charges in the period", fmt.money(doc.charges)),
        TotalRow("Payments and credits in the period", fmt.money(-doc.credits)),
        TotalRow("Closing balance", fmt.money(doc.closing_balance), True),
    ]
    if doc.credit_balance:
        totals.append(TotalRow("Credit balance available", fmt.money(doc.credit_balance)))
    sections = []
    if doc.open_invoices:
        text = "\n".join(
            f"{inv.number}  issued {fmt.day(inv.issue_date)}, due {fmt.day(inv.due_date)}: "
            f"{fmt.money(inv.amount_due)} of {fmt.money(inv.total)}"
            for inv in doc.open_invoices
        )
        sections.append(("Open invoices", text))
    if doc.closing_balance > 0 and doc.practice.payment_instructions:
        sections.append(("How to pay", doc.practice.payment_instructions))
    return _base(
        doc,
        fmt,
        meta=[("From", fmt.day(doc.period_start)), ("To", fmt.day(doc.period_end))],
        parties=[("Account of", _party_lines(doc.client, fmt))],
        whose=f"{doc.client.name}, {_period(fmt, doc.period_start, doc.period_end)}",
        columns=[
            Column("Date", 1.3),
            Column("Description", 4.2, wrap=True),
            Column("Charges", 1.5, "right"),
            Column("Credits", 1.5, "right"),
            Column("Balance", 1.5, "right"),
        ],
        rows=rows,
        strong_rows={0, len(rows) - 1},
        totals=totals,
        sections=sections,
        document_title=f"Statement {doc.client.name} {doc.period_start} to {doc.period_end}",
    )


def superbill_layout(doc: SuperbillDocument) -> Layout:
    fmt = _Fmt(doc.practice, doc.currency)
    rows = [
        [
            fmt.day(line.service_date),
            line.cpt,
            line.description,
            line.place_of_service,
            decimal_text(line.units),
            fmt.money(line.fee),
            fmt.money(line.paid),
        ]
        for line in doc.lines
    ]
    codes = ", ".join(doc.diagnosis_codes) or "none on file"
    provider = [doc.practice.name]
    provider.append(f"NPI {doc.practice.npi}" if doc.practice.npi else "NPI not on file")
    if doc.practice.tax_id:
        provider.append(f"Tax ID {doc.practice.tax_id}")
    return _base(
        doc,
        fmt,
        meta=[("From", fmt.day(doc.period_start)), ("To", fmt.day(doc.period_end))],
        parties=[
            ("Patient", _party_lines(doc.patient, fmt, dob=True)),
            ("Provider", provider),
        ],
        whose=f"{doc.patient.name}, {_period(fmt, doc.period_start, doc.period_end)}",
        notes=[f"Diagnosis (ICD-10): {codes}"],
        columns=[
            Column("Date of service", 1.5),
            Column("CPT", 0.9),
            Column("Service", 3.2, wrap=True),
            Column("POS", 0.6),
            Column("Units", 0.7, "right"),
            Column("Fee", 1.3, "right"),
            Column("Paid", 1.3, "right"),
        ],
        rows=rows,
        totals=[
            TotalRow("Total fees", fmt.money(doc.total_fees), True),
            TotalRow("Total paid", fmt.money(doc.total_paid), True),
            TotalRow("Balance", fmt.money(doc.balance)),
        ],
        sections=[
            (
                "For the insurer",
                "The services above were provided by the provider named on this form. "
                "POS is the CMS place-of-service code; amounts are in "
                f"{doc.currency}.",
            )
        ],
        signature=True,
        document_title=f"Superbill {doc.patient.name} {doc.period_start} to {doc.period_end}",
    )


def layout(document: Document) -> Layout:
    if isinstance(document, InvoiceDocument):
        return invoice_layout(document)
    if isinstance(document, ReceiptDocument):
        return receipt_layout(document)
    if isinstance(document, StatementDocument):
        return statement_layout(document)
    return superbill_layout(document)
