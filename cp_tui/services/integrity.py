"""`cp-tui check`: every stored figure recomputed from what it is made of.

Nothing here trusts a stored total. Each invoice's net, tax and total are
recomputed from its lines (and each line from its units, price and rate with the
one rounding rule), each ``amount_paid`` from the payments, each
``credit_applied`` and each client's credit balance from the append-only credit
ledger, each balance due from those; items, lines and numbers are checked for
the rules the services keep (no item on two live invoices, no invoice without
lines, numbers 1..n in each series with no gap, no part of a charge both
invoiced and claimed, no session drawn from a package billed again). On SQLite
the file itself is checked too (``PRAGMA integrity_check`` and
``foreign_key_check``).

A finding names what is wrong, where, and the two figures that disagree. The
check only reads: it runs in one read transaction and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import Session, col

from cp_tui.clock import Clock
from cp_tui.models import (
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSeries,
    Payment,
)
from cp_tui.money import line_amounts
from cp_tui.services.clients import Balances
from cp_tui.services.derived_tables import check_prefixes, check_tally, check_uninvoiced
from cp_tui.services.split_checks import check_covers, check_splits
from cp_tui.store import Database

CREDIT_IN = {CreditKind.CREDIT_NOTE, CreditKind.OVERPAYMENT, CreditKind.RESTORED}
CREDIT_OUT = {CreditKind.APPLIED, CreditKind.REFUND}
# Findings of one kind beyond this many are summed up in one more line.
MAX_PER_CHECK = 50


@dataclass(frozen=True, slots=True)
class Finding:
    """One mismatch: which check, about what (an invoice number, a client), and why."""

    check: str
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    ok: bool
    findings: list[Finding]
    counts: dict[str, int]
    checks: list[str] = field(default_factory=list)


class IntegrityService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def check(self) -> IntegrityReport:
        """Recompute everything; the report is ``ok`` only when nothing disagrees."""
        with self._db.read() as session:
            return check_session(session)


def check_session(session: Session) -> IntegrityReport:
    """Run every check inside the caller's (read) transaction."""
    run = _Checker(session)
    run.all()
    return IntegrityReport(
        ok=not run.findings,
        findings=run.findings,
        counts=run.counts,
        checks=run.checks,
    )


@dataclass(slots=True)
class _InvoiceRow:
    id: int
    number: str
    kind: str
    status: str
    client_id: int
    subtotal: int
    tax: int
    total: int
    credit_applied: int
    amount_paid: int


def _columns(*attributes: Any) -> list[Any]:
    """Model attributes as typed columns, for a select of many of them."""
    return [col(attribute) for attribute in attributes]


class _Checker:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.checks: list[str] = []
        self._per_check: dict[str, int] = defaultdict(int)

    def found(self, check: str, subject: str, message: str) -> None:
        self._per_check[check] += 1
        seen = self._per_check[check]
        if seen <= MAX_PER_CHECK:
            self.findings.append(Finding(check, subject, message))
        elif seen == MAX_PER_CHECK + 1:
            self.findings.append(
                Finding(check, "more", f"more than {MAX_PER_CHECK} findings of this kind")
            )

    def all(self) -> None:
        conn = self.session.connection()
        if conn.dialect.name == "sqlite":
            self._sqlite_file(conn)
        invoices = self._invoices()
        self._lines(invoices)
        self._payments(invoices)
        self._credit(invoices)
        self._balances(invoices)
        self._numbers(invoices)
        self.checks += ["invoice_tally", "uninvoiced_item", "invoice_number_prefix"]
        check_tally(self.session, invoices.values(), self.found)
        check_uninvoiced(self.session, self.found)
        check_prefixes(self.session, self.found)
        self.checks += ["claim_split", "package_cover"]
        check_splits(self.session, self.found)
        check_covers(self.session, self.found)

    # -- the file -------------------------------------------------------------------

    def _sqlite_file(self, conn: Connection) -> None:
        self.checks += ["sqlite_integrity", "foreign_keys"]
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        if rows != ["ok"]:
            for row in rows:
                self.found("sqlite_integrity", "database", row)
        for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
            self.found(
                "foreign_keys",
                f"{table} row {rowid}",
                f"refers to a row of {parent} that does not exist",
            )

    # -- invoices and their lines ---------------------------------------------------------

    def _invoices(self) -> dict[int, _InvoiceRow]:
        rows = self.session.execute(
            select(
                *_columns(
                    Invoice.id,
                    Invoice.number,
                    Invoice.kind,
                    Invoice.status,
                    Invoice.client_id,
                    Invoice.subtotal,
                    Invoice.tax,
                    Invoice.total,
                    Invoice.credit_applied,
                    Invoice.amount_paid,
                )
            ).order_by(col(Invoice.id))
        ).all()
        invoices = {
            int(r[0]): _InvoiceRow(
                int(r[0]),
                r[1] or f"invoice id {r[0]}",
                str(r[2]),
                str(r[3]),
                int(r[4]),
                int(r[5]),
                int(r[6]),
                int(r[7]),
                int(r[8]),
                int(r[9]),
            )
            for r in rows
        }
        self.counts["invoices"] = sum(1 for i in invoices.values() if i.kind == "invoice")
        self.counts["credit_notes"] = sum(
            1 for i in invoices.values() if i.kind == InvoiceKind.CREDIT_NOTE
        )
        clients = self.session.execute(select(func.count(col(Client.id)))).scalar()
        self.counts["clients"] = int(clients or 0)
        return invoices

    def _lines(self, invoices: dict[int, _InvoiceRow]) -> None:
        self.checks += ["line_amounts", "invoice_totals", "invoice_has_lines", "item_once"]
        net: dict[int, int] = defaultdict(int)
        tax: dict[int, int] = defaultdict(int)
        count: dict[int, int] = defaultdict(int)
        live_items: dict[int, list[str]] = defaultdict(list)
        rows = self.session.execute(
            select(
                *_columns(
                    InvoiceLine.id,
                    InvoiceLine.invoice_id,
                    InvoiceLine.item_id,
                    InvoiceLine.active_item_id,
                    InvoiceLine.units,
                    InvoiceLine.unit_price,
                    InvoiceLine.tax_rate,
                    InvoiceLine.net,
                    InvoiceLine.tax,
                )
            )
        ).all()
        self.counts["lines"] = len(rows)
        for line_id, invoice_id, item_id, active, units, price, rate, line_net, line_tax in rows:
            invoice = invoices.get(int(invoice_id))
            if invoice is None:  # the foreign key check names it on SQLite
                self.found("invoice_has_lines", f"line {line_id}", "belongs to no invoice")
                continue
            amounts = line_amounts(Decimal(units), int(price), Decimal(rate))
            if (amounts.net, amounts.tax) != (line_net, line_tax):
                self.found(
                    "line_amounts",
                    invoice.number,
                    f"line {line_id} stores net {line_net} tax {line_tax}, but its units, "
                    f"price and rate give net {amounts.net} tax {amounts.tax}",
                )
            net[invoice.id] += int(line_net)
            tax[invoice.id] += int(line_tax)
            count[invoice.id] += 1
            live = invoice.status != InvoiceStatus.VOID
            if item_id is not None:
                if live:
                    live_items[int(item_id)].append(invoice.number)
                expected = item_id if live else None
                if active != expected:
                    self.found(
                        "item_once",
                        invoice.number,
                        f"line {line_id} holds item {item_id} but marks it "
                        f"{'free' if active is None else f'as item {active}'} "
                        f"on a {'live' if live else 'void'} invoice",
                    )
        for item_id, numbers in live_items.items():
            if len(numbers) > 1:
                self.found(
                    "item_once",
                    f"item {item_id}",
                    f"is on {len(numbers)} live invoices: {', '.join(numbers)}",
                )
        for invoice in invoices.values():
            if count[invoice.id] == 0:
                self.found("invoice_has_lines", invoice.number, "has no lines")
                continue
            stored = (invoice.subtotal, invoice.tax, invoice.total)
            summed = (net[invoice.id], tax[invoice.id], net[invoice.id] + tax[invoice.id])
            if stored != summed:
                self.found(
                    "invoice_totals",
                    invoice.number,
                    "stores subtotal/tax/total {}/{}/{}, its lines sum to {}/{}/{}".format(
                        *stored, *summed
                    ),
                )
            if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.total >= 0:
                self.found(
                    "invoice_totals", invoice.number, f"a credit note totals {invoice.total}"
                )

    # -- payments ----------------------------------------------------------------------

    def _payments(self, invoices: dict[int, _InvoiceRow]) -> None:
        self.checks += ["amount_paid"]
        paid: dict[int, int] = defaultdict(int)
        overpaid: dict[int, int] = {}
        rows = self.session.execute(
            select(
                *_columns(
                    Payment.id,
                    Payment.invoice_id,
                    Payment.client_id,
                    Payment.amount,
                    Payment.applied,
                )
            )
        ).all()
        self.counts["payments"] = len(rows)
        for payment_id, invoice_id, client_id, amount, applied in rows:
            invoice = invoices.get(int(invoice_id))
            subject = invoice.number if invoice else f"payment {payment_id}"
            if invoice is None or invoice.kind != InvoiceKind.INVOICE:
                self.found("amount_paid", subject, f"payment {payment_id} is not on an invoice")
                continue
            if not 0 <= applied <= amount or amount <= 0:
                self.found(
                    "amount_paid",
                    subject,
                    f"payment {payment_id} of {amount} applies {applied} to the invoice",
                )
            if client_id != invoice.client_id:
                self.found(
                    "amount_paid",
                    subject,
                    f"payment {payment_id} is from client {client_id}, the invoice is billed "
                    f"to client {invoice.client_id}",
                )
            paid[invoice.id] += int(applied)
            if amount > applied:
                overpaid[int(payment_id)] = int(amount - applied)
        for invoice in invoices.values():
            if invoice.amount_paid != paid[invoice.id]:
                self.found(
                    "amount_paid",
                    invoice.number,
                    f"stores amount paid {invoice.amount_paid}, its payments apply "
                    f"{paid[invoice.id]}",
                )
            if invoice.status == InvoiceStatus.VOID and paid[invoice.id]:
                self.found("amount_paid", invoice.number, "is void but has payments")
        self._overpaid = overpaid

    # -- the credit ledger ------------------------------------------------------------------

    def _credit(self, invoices: dict[int, _InvoiceRow]) -> None:
        self.checks += ["credit_ledger", "credit_applied"]
        rows = self.session.execute(
            select(
                *_columns(
                    CreditEntry.id,
                    CreditEntry.client_id,
                    CreditEntry.amount,
                    CreditEntry.kind,
                    CreditEntry.invoice_id,
                    CreditEntry.payment_id,
                )
            ).order_by(col(CreditEntry.id))
        ).all()
        self.counts["credit_entries"] = len(rows)
        running: dict[int, int] = defaultdict(int)
        dipped: set[int] = set()
        applied: dict[int, int] = defaultdict(int)
        noted: dict[int, int] = defaultdict(int)
        overpayment_entries: dict[int, int] = defaultdict(int)
        for entry_id, client_id, amount, kind, invoice_id, payment_id in rows:
            subject = f"client {client_id}"
            if (kind in CREDIT_IN and amount <= 0) or (kind in CREDIT_OUT and amount >= 0):
                self.found(
                    "credit_ledger", subject, f"entry {entry_id} ({kind}) has amount {amount}"
                )
            elif kind not in CREDIT_IN | CREDIT_OUT:
                self.found("credit_ledger", subject, f"entry {entry_id} has unknown kind {kind}")
            running[client_id] += int(amount)
            if running[client_id] < 0 and client_id not in dipped:
                dipped.add(client_id)
                self.found(
                    "credit_ledger",
                    subject,
                    f"the credit balance falls to {running[client_id]} at entry {entry_id}",
                )
            invoice = invoices.get(int(invoice_id)) if invoice_id is not None else None
            if invoice is not None and invoice.client_id != client_id:
                self.found(
                    "credit_ledger",
                    subject,
                    f"entry {entry_id} names {invoice.number}, billed to client "
                    f"{invoice.client_id}",
                )
            if kind in (CreditKind.APPLIED, CreditKind.RESTORED) and invoice is not None:
                applied[invoice.id] -= int(amount)
            elif kind == CreditKind.CREDIT_NOTE and invoice is not None:
                noted[invoice.id] += int(amount)
            elif kind == CreditKind.OVERPAYMENT and payment_id is not None:
                overpayment_entries[int(payment_id)] += int(amount)
        self._credit_by_client = dict(running)
        for payment_id in set(self._overpaid) | set(overpayment_entries):
            if self._overpaid.get(payment_id, 0) != overpayment_entries.get(payment_id, 0):
                self.found(
                    "credit_ledger",
                    f"payment {payment_id}",
                    f"was overpaid by {self._overpaid.get(payment_id, 0)}, the ledger holds "
                    f"{overpayment_entries.get(payment_id, 0)} for it",
                )
        for invoice in invoices.values():
            if invoice.kind == InvoiceKind.CREDIT_NOTE:
                if noted[invoice.id] != -invoice.total:
                    self.found(
                        "credit_ledger",
                        invoice.number,
                        f"credits {-invoice.total}, the ledger holds {noted[invoice.id]} for it",
                    )
                continue
            # Credit taken by a live invoice stays taken; a void one gave it all back.
            expected = 0 if invoice.status == InvoiceStatus.VOID else invoice.credit_applied
            if applied[invoice.id] != expected:
                self.found(
                    "credit_applied",
                    invoice.number,
                    f"stores credit applied {expected}, the ledger took {applied[invoice.id]} "
                    f"for it",
                )

    # -- balances ------------------------------------------------------------------------

    def _balances(self, invoices: dict[int, _InvoiceRow]) -> None:
        self.checks += ["balance_due", "status"]
        due: dict[int, int] = defaultdict(int)
        for invoice in invoices.values():
            if invoice.kind != InvoiceKind.INVOICE or invoice.status in (
                InvoiceStatus.VOID,
                InvoiceStatus.DRAFT,
            ):
                if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.status != "paid":
                    self.found("status", invoice.number, f"a credit note is {invoice.status}")
                continue
            left = invoice.total - invoice.credit_applied - invoice.amount_paid
            if left < 0:
                self.found(
                    "balance_due",
                    invoice.number,
                    f"total {invoice.total} less credit {invoice.credit_applied} and "
                    f"payments {invoice.amount_paid} leaves {left}",
                )
            due[invoice.client_id] += left
            status = (
                InvoiceStatus.PAID
                if left <= 0
                else InvoiceStatus.PARTIALLY_PAID
                if invoice.amount_paid > 0
                else InvoiceStatus.UNPAID
            )
            if invoice.status != status:
                self.found(
                    "status",
                    invoice.number,
                    f"is marked {invoice.status!r}, its amounts make it {status.value!r}",
                )
        # What the app shows (client list, TUI) against the recomputation.
        shown = Balances(self.session)
        for client_id in set(due) | set(shown.due):
            if shown.due.get(client_id, 0) != due.get(client_id, 0):
                self.found(
                    "balance_due",
                    f"client {client_id}",
                    f"is shown owing {shown.due.get(client_id, 0)}, the invoices add up to "
                    f"{due.get(client_id, 0)}",
                )
        ledger = self._credit_by_client
        for client_id in set(ledger) | set(shown.credit):
            if shown.credit.get(client_id, 0) != ledger.get(client_id, 0):
                self.found(
                    "credit_ledger",
                    f"client {client_id}",
                    f"is shown a credit balance of {shown.credit.get(client_id, 0)}, the "
                    f"ledger sums to {ledger.get(client_id, 0)}",
                )

    # -- numbers -------------------------------------------------------------------------

    def _numbers(self, invoices: dict[int, _InvoiceRow]) -> None:
        """The numbers of each series are exactly 1..n: none missing, none twice.

        A draft has no number until it is issued, so numbers follow the order of
        issue, not of creation; each is read back from its trailing digits
        (``ledger.format_number``: the prefix, then at least four digits).
        """
        self.checks += ["numbers"]
        series = {
            str(name): int(value)
            for name, value in self.session.execute(
                select(*_columns(NumberSeries.series, NumberSeries.next_value))
            ).all()
        }
        for kind in (InvoiceKind.INVOICE, InvoiceKind.CREDIT_NOTE):
            label = "invoice" if kind == InvoiceKind.INVOICE else "credit note"
            issued = [
                i for i in invoices.values() if i.kind == kind and i.status != InvoiceStatus.DRAFT
            ]
            count = len(issued)
            holders: dict[int, list[str]] = defaultdict(list)
            for invoice in issued:
                value = _series_value(invoice.number, count)
                if value is None:
                    self.found(
                        "numbers",
                        invoice.number,
                        f"is not one of the numbers 1..{count} of the {label} series",
                    )
                else:
                    holders[value].append(invoice.number)
            missing = [n for n in range(1, count + 1) if n not in holders]
            if missing:
                shown = ", ".join(str(n) for n in missing[:10])
                self.found(
                    "numbers",
                    f"{label} series",
                    f"{count} {label}s, but number {shown}{' ...' if len(missing) > 10 else ''} "
                    "is missing: a gap",
                )
            for value, numbers in sorted(holders.items()):
                if len(numbers) > 1:
                    self.found("numbers", f"{label} series", f"{value} is taken twice: {numbers}")
            next_value = series.get(kind, 1)
            if next_value != count + 1:
                self.found(
                    "numbers",
                    f"{label} series",
                    f"would issue number {next_value} next, but {count} {label}s exist",
                )


def _series_value(number: str, count: int) -> int | None:
    """The value a number was formatted from, when it lies in 1..count.

    ``INV-0012`` is 12; with a prefix that ends in digits (``INV2026`` + ``0012``)
    the longest run of trailing digits that is a well-formed value in range wins.
    """
    digits = len(number) - len(number.rstrip("0123456789"))
    tail = number[len(number) - digits :]
    for width in range(len(tail), 3, -1):
        text = tail[len(tail) - width :]
        value = int(text)
        if f"{value:04d}" == text and 1 <= value <= count:
            return value
    return None
