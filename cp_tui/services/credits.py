"""Credit notes and the credit ledger.

A credit note is an invoice with a negative total. Its credit goes into the
client's append-only ledger; when it names an invoice that still has money due,
the credit is applied to that invoice straight away.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import (
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from cp_tui.money import line_amounts
from cp_tui.services import audit, ledger, package_guards
from cp_tui.services.catalogue import parse_price, parse_rate
from cp_tui.services.clients import get_client
from cp_tui.services.corrections import refuse_over_correction
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.invoice_reads import get_invoice, invoice_read, snapshot
from cp_tui.services.readmodels import CreditEntryRead, InvoiceRead
from cp_tui.services.textfields import check_length
from cp_tui.store import Database


class CreditService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(
        self,
        *,
        client_id: int,
        amount: str | Decimal | int,
        reason: str,
        tax_rate: str | Decimal | None = None,
        invoice_number: str | None = None,
    ) -> InvoiceRead:
        """Issue a credit note for ``amount`` (before tax) in the client's favour."""
        if not reason.strip():
            raise InvalidInput("a credit note needs a reason, e.g. --reason 'Session cancelled'")
        reason = check_length(reason, "a credit note's reason", 400)
        with self._db.write() as session:
            get_client(session, client_id)
            ledger.lock_client(session, client_id)
            settings = ledger.practice(session)
            net = parse_price(amount, settings.currency)
            if net == 0:
                raise InvalidInput("a credit note's amount must be more than 0")
            rate = parse_rate(tax_rate) if tax_rate is not None else Decimal(0)
            corrected: Invoice | None = None
            if invoice_number:
                corrected = get_invoice(session, invoice_number)
                if corrected.client_id != client_id:
                    raise InvalidInput(
                        f"{corrected.number} is billed to client {corrected.client_id}, "
                        f"not {client_id}"
                    )
                if corrected.kind != InvoiceKind.INVOICE:
                    raise InvalidInput(f"{corrected.number} is itself a credit note")
                if corrected.status == InvoiceStatus.VOID:
                    raise NotAllowed(f"{corrected.number} is void; there is nothing to correct")
                package_guards.refuse_credit_on_sale(session, corrected, "a credit note naming")
                amounts = line_amounts(Decimal(1), -net, rate)
                refuse_over_correction(session, corrected, -(amounts.net + amounts.tax))
            note = issue_credit_note(
                session,
                self._clock,
                client_id=client_id,
                net=net,
                reason=reason,
                rate=rate,
                corrected=corrected,
            )
            return invoice_read(session, note)

    def balance(self, client_id: int) -> int:
        with self._db.read() as session:
            get_client(session, client_id)
            return ledger.credit_balance(session, client_id)

    def ledger(self, client_id: int) -> list[CreditEntryRead]:
        with self._db.read() as session:
            get_client(session, client_id)
            rows = session.execute(
                select(CreditEntry, Invoice.number)
                .outerjoin(Invoice, col(Invoice.id) == CreditEntry.invoice_id)
                .where(col(CreditEntry.client_id) == client_id)
                .order_by(col(CreditEntry.id))
            ).all()
            return [
                CreditEntryRead(
                    id=entry.id or 0,
                    amount=entry.amount,
                    kind=entry.kind,
                    invoice_number=number,
                    note=entry.note,
                    created_at=entry.created_at,
                )
                for entry, number in rows
            ]


def issue_credit_note(
    session: Session,
    clock: Clock,
    *,
    client_id: int,
    net: int,
    reason: str,
    rate: Decimal,
    corrected: Invoice | None,
    apply_to_corrected: bool = True,
) -> Invoice:
    """Issue a credit note inside the caller's transaction (client already locked).

    A refund's credit note names the invoice but is not applied to it: its credit
    is paid out to the card straight away.
    """
    settings = ledger.practice(session)
    number = ledger.format_number(
        settings.credit_note_prefix, ledger.next_number(session, InvoiceKind.CREDIT_NOTE)
    )
    today = clock.today()
    note = Invoice(
        number=number,
        kind=InvoiceKind.CREDIT_NOTE,
        status=InvoiceStatus.PAID,
        client_id=client_id,
        currency=settings.currency,
        issue_date=today,
        due_date=today,
        corrects_invoice_id=corrected.id if corrected else None,
        reason=reason.strip(),
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    amounts = line_amounts(Decimal(1), -net, rate)
    session.add(
        InvoiceLine(
            invoice_id=note.id or 0,
            description=reason.strip(),
            service_date=today,
            units=Decimal(1),
            unit_price=-net,
            tax_rate=rate,
            net=amounts.net,
            tax=amounts.tax,
        )
    )
    ledger.retotal(session, note)
    credit = -note.total
    session.add(
        CreditEntry(
            client_id=client_id,
            amount=credit,
            kind=CreditKind.CREDIT_NOTE,
            invoice_id=note.id,
            note=reason.strip(),
            created_at=clock.now(),
        )
    )
    audit.record(
        session,
        clock,
        "credit_note.issue",
        client_id=client_id,
        invoice_id=note.id,
        detail=f"{number} {reason.strip()}",
        after=snapshot(session, note),
    )
    if apply_to_corrected and corrected is not None and ledger.amount_due(corrected) > 0:
        before = snapshot(session, corrected)
        take = min(credit, ledger.amount_due(corrected))
        corrected.credit_applied += take
        session.add(
            CreditEntry(
                client_id=client_id,
                amount=-take,
                kind=CreditKind.APPLIED,
                invoice_id=corrected.id,
                note=f"{number} applied to {corrected.number}",
                created_at=clock.now(),
            )
        )
        ledger.settle_status(corrected)
        audit.record(
            session,
            clock,
            "invoice.apply_credit",
            client_id=client_id,
            invoice_id=corrected.id,
            detail=f"{number} corrects {corrected.number}",
            before=before,
            after=snapshot(session, corrected),
        )
    return note
