"""An invoice or credit note as document data, read with a few prepared Core selects.

Drawing one invoice is something people wait for, one after another in a batch;
reading its rows through the ORM (the invoice, the client, lines, payments, the
practice, co-pays: six statements built and six sets of objects loaded) cost as
much as drawing the PDF. These statements are built once, with the client beside
the invoice and the co-pays beside the lines, and their rows are plain tuples.
What the document says is the same as the read models would have said: the same
lookup (``get_invoice`` for a draft or another spelling of the number), the same
amounts copied as stored.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import FromClause, bindparam, inspect, select
from sqlmodel import Session, SQLModel

from cp_tui.documents import (
    ClaimNote,
    DocLine,
    DocPayment,
    InvoiceDocument,
    Party,
    PracticeHeader,
    TaxRow,
)
from cp_tui.models import Client, Invoice, InvoiceLine, Payment, PracticeSettings
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.services import ledger
from cp_tui.services.clients import get_client
from cp_tui.services.invoice_reads import get_invoice, is_draft_reference, reference


def _table(model: type[SQLModel]) -> FromClause:
    return inspect(model).local_table


_INVOICE = _table(Invoice).c
_CLIENT = _table(Client).c
_LINE = _table(InvoiceLine).c
_CLAIM = _table(ClaimLine).c
_POLICY = _table(InsurancePolicy).c
_PAYMENT = _table(Payment).c
_PRACTICE = _table(PracticeSettings).c

_HEAD = select(
    *_INVOICE,
    _CLIENT.id.label("client_row"),
    _CLIENT.name.label("client_name"),
    _CLIENT.address.label("client_address"),
    _CLIENT.email.label("client_email"),
    _CLIENT.date_of_birth.label("client_date_of_birth"),
).select_from(_table(Invoice).outerjoin(_table(Client), _CLIENT.id == _INVOICE.client_id))
_BY_NUMBER = _HEAD.where(_INVOICE.number == bindparam("number"))
_BY_ID = _HEAD.where(_INVOICE.id == bindparam("id"))
_NUMBER = select(_INVOICE.number).where(_INVOICE.id == bindparam("id"))
# ``claim_line.item_id`` is unique: at most one co-pay per line, so no line repeats.
_LINES = (
    select(
        _LINE.service_date,
        _LINE.description,
        _LINE.units,
        _LINE.unit_price,
        _LINE.tax_rate,
        _LINE.net,
        _LINE.tax,
        _CLAIM.id.label("claim_id"),
        _CLAIM.charge.label("claim_charge"),
        _CLAIM.amount.label("claim_amount"),
        _POLICY.id.label("policy_id"),
        _POLICY.payer.label("payer"),
    )
    .select_from(
        _table(InvoiceLine)
        .outerjoin(_table(ClaimLine), _CLAIM.item_id == _LINE.item_id)
        .outerjoin(_table(InsurancePolicy), _POLICY.id == _CLAIM.policy_id)
    )
    .where(_LINE.invoice_id == bindparam("id"))
    .order_by(_LINE.position, _LINE.id)
)
_PAYMENTS = (
    select(_PAYMENT.received_on, _PAYMENT.method, _PAYMENT.reference, _PAYMENT.applied)
    .where(_PAYMENT.invoice_id == bindparam("id"))
    .order_by(_PAYMENT.id)
)
_HEADER = select(
    _PRACTICE.name,
    _PRACTICE.address,
    _PRACTICE.tax_id,
    _PRACTICE.email,
    _PRACTICE.phone,
    _PRACTICE.npi,
    _PRACTICE.payment_instructions,
    _PRACTICE.currency,
    _PRACTICE.locale,
    _PRACTICE.logo,
).where(_PRACTICE.id == 1)


def practice_header(row: PracticeSettings | ledger.Columns) -> PracticeHeader:
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


def read_practice_header(session: Session) -> PracticeHeader:
    row = session.connection().execute(_HEADER).first()
    # None only before the practice's settings were ever saved: ledger creates them.
    return practice_header(row if row is not None else ledger.practice(session))


def invoice_document(session: Session, number: str) -> InvoiceDocument:
    """The invoice or credit note numbered ``number`` (or DRAFT-<id>), without a payment link."""
    connection = session.connection()
    wanted = number.strip()
    head = (
        None
        if is_draft_reference(wanted)
        else connection.execute(_BY_NUMBER, {"number": wanted}).first()
    )
    if head is None:
        head = connection.execute(_BY_ID, {"id": get_invoice(session, number).id}).first()
        assert head is not None
    if head.client_row is None:
        get_client(session, head.client_id)  # says which client is missing
    invoice_id = head.id
    lines: list[DocLine] = []
    claims: list[ClaimNote] = []
    rates: dict[Decimal, list[int]] = defaultdict(lambda: [0, 0])
    for ln in connection.execute(_LINES, {"id": invoice_id}):
        lines.append(
            DocLine(
                ln.service_date,
                ln.description,
                ln.units,
                ln.unit_price,
                ln.tax_rate,
                ln.net,
                ln.tax,
                ln.net + ln.tax,
            )
        )
        if ln.tax_rate or ln.tax:
            rates[ln.tax_rate][0] += ln.net
            rates[ln.tax_rate][1] += ln.tax
        if ln.claim_id is not None and ln.policy_id is not None:
            claims.append(
                ClaimNote(
                    service_date=ln.service_date or head.issue_date,
                    description=ln.description,
                    payer=ln.payer,
                    charge=ln.claim_charge,
                    insurer_amount=ln.claim_amount,
                )
            )
    payments = tuple(
        DocPayment(p.received_on, p.method, p.reference, p.applied)
        for p in connection.execute(_PAYMENTS, {"id": invoice_id})
    )
    if sum(p.applied for p in payments) != head.amount_paid:
        # Refunds changed what was paid: one row with the stored total stays exact.
        payments = (
            (DocPayment(head.issue_date, "payments less refunds", "", head.amount_paid),)
            if head.amount_paid
            else ()
        )
    corrects = (
        connection.execute(_NUMBER, {"id": head.corrects_invoice_id}).scalar()
        if head.corrects_invoice_id
        else None
    )
    return InvoiceDocument(
        kind=head.kind,
        practice=read_practice_header(session),
        bill_to=Party(
            client_id=head.client_row or 0,
            name=head.client_name,
            address=head.client_address,
            email=head.client_email,
            date_of_birth=head.client_date_of_birth,
        ),
        number=reference(head),
        status=head.status,
        issue_date=head.issue_date,
        due_date=head.due_date,
        currency=head.currency,
        lines=tuple(lines),
        tax_by_rate=tuple(TaxRow(rate, net, tax) for rate, (net, tax) in sorted(rates.items())),
        subtotal=head.subtotal,
        tax=head.tax,
        total=head.total,
        credit_applied=head.credit_applied,
        amount_paid=head.amount_paid,
        amount_due=ledger.amount_due(head),
        payments=payments,
        corrects=corrects,
        reason=head.reason,
        claims=tuple(claims),
    )
