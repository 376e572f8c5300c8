"""Money and ledger invariants over random sequences of billing actions.

A hypothesis state machine books and completes sessions, generates the items of
recurring occurrences, invoices subsets of items (sometimes with credit, sometimes
billed to another attendee), edits, pays (part, exact, over, by hand or by saved
card through the Stripe SDK against the local fake server), refunds card payments
(a credit note paid out), sells session packages (whose sessions are then drawn
by completed sessions) and refunds their unused sessions, issues credit notes,
applies credit and voids (a package's sale invoice is refunded only through the
package, and is not voided once drawn from). After every step the database itself is checked, by
``cp-tui check``'s own IntegrityService and by the invariants below:

- no item is on two live invoices;
- every invoice's subtotal, tax and total are the sums of its lines;
- each client's credit balance is the sum of its ledger, never negative, and
  matches what credit notes, overpayments and applications put in and took out;
- each client's balance due is the sum over live invoices of total minus payments
  applied minus credit applied;
- invoice and credit-note numbers are 1..n in each series, with no gap.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import text
from sqlmodel import select

from cp_tui.adapters.stripe_gateway import StripeGateway
from cp_tui.bootstrap import build_services
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.models import (
    BillingItem,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
)
from cp_tui.money import line_amounts
from cp_tui.services.errors import DomainError, InvalidInput, NotAllowed
from cp_tui.services.gateway import Outcome
from cp_tui.services.integrity import IntegrityService
from cp_tui.services.invoicing import LineChange
from cp_tui.services.package_reads import PackageRead
from cp_tui.services.readmodels import InvoiceRead, ItemRead
from cp_tui.services.secrets import SecretStore
from tests.conftest import FROZEN_NOW
from tests.stripe_fake.control import TEST_KEY, FakeStripe

VOID = "void"
OCCURRENCES = 10  # weekly from 7 Oct 2026: the last two are after the frozen now


def major(minor: int) -> str:
    """Minor units as the text a person would type (USD)."""
    return f"{minor // 100}.{minor % 100:02d}"


def pick(options: list[InvoiceRead], which: int) -> InvoiceRead:
    return options[which % len(options)]


class BillingMachine(RuleBasedStateMachine):
    stripe: FakeStripe  # set by the module's fixture: one local fake Stripe for every run

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="cp-tui-props-"))
        self.clock = FrozenClock(FROZEN_NOW)
        self.s = build_services(
            resolve_settings(self.folder / "practice", environ={}),
            clock=self.clock,
            gateway=StripeGateway(TEST_KEY, api_base=self.stripe.base, timeout=5),
            secrets=SecretStore(environ={}),
        )
        self.clients = [self.s.clients.add(name=name).id for name in ("Ann", "Ben", "Cleo")]
        for client_id in self.clients:  # every client has a saved card
            link = self.s.cards.setup_link(client_id)
            self.stripe.complete_checkout(link.session_ref, "pm_card_visa")
            assert self.s.cards.poll_setup(client_id) is not None
        self.catalogue = [
            self.s.catalogue.add(name="Therapy", price="150.00", tax_rate="15").id,
            self.s.catalogue.add(name="Report", price="25.06", tax_rate="0").id,
            self.s.catalogue.add(name="Group", price="25.61", tax_rate="12.5").id,
        ]
        series = self.s.calendar.add(
            client_ids=[self.clients[0]],
            service_ids=[self.catalogue[0]],
            start=datetime(2026, 10, 7, 9, 0),
            repeat="weekly",
            count=OCCURRENCES,
        )
        self.occurrences = [a.id for a in series]
        self.generated: set[int] = set()
        self.sessions = 0
        self.invoices_issued = 0
        self.notes_issued = 0
        # Something to bill from the first step: a couple's session and a single one.
        for attendees in ([0, 1], [2]):
            self.sessions += 1
            appt = self.s.calendar.add(
                client_ids=[self.clients[i] for i in attendees],
                service_ids=self.catalogue[:2],
                start=datetime(2026, 8, 3, 9, 0) + timedelta(days=self.sessions),
            )[0]
            self.s.calendar.complete(appt.id)
        # A package of Ann's therapy, so that her sessions draw from it.
        self.s.packages.sell(
            client_id=self.clients[0],
            sessions=3,
            service_ids=[self.catalogue[0]],
            price="400.00",
            tax_rate="0",
        )
        self.invoices_issued += 1

    def teardown(self) -> None:
        self.s.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------

    def _rows(self) -> list[str]:
        conn = sqlite3.connect(self.folder / "practice" / DB_FILENAME)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    def _refused(self, error: type[DomainError], action: Callable[[], object]) -> None:
        """The action must fail with ``error`` and leave every row as it was."""
        before = self._rows()
        with pytest.raises(error) as refusal:
            action()
        assert self._rows() == before
        event(f"refused: {refusal.value}"[:40])

    def _credit(self, client_id: int) -> int:
        return self.s.credits.balance(client_id)

    def _all_invoices(self) -> list[InvoiceRead]:
        return self.s.invoices.list()

    def _open(self) -> list[InvoiceRead]:
        return self.s.invoices.list(status="open")

    def _sold(self, number: str | None) -> list[PackageRead]:
        """The packages whose sale is on the (live) invoice ``number``."""
        return [p for p in self.s.packages.list() if p.invoice_number == number]

    def _sale_items(self) -> set[int]:
        """The items that sell a package: a sale may share an invoice once billed anew."""
        with self.s.db.read() as session:
            rows = session.execute(text("SELECT sale_item_id FROM package")).all()
        return {int(row[0]) for row in rows}

    def _over_correction(self, invoice: InvoiceRead, cents: int, rate: str | None) -> bool:
        """A note naming ``invoice`` may not take its corrections past what it billed."""
        amounts = line_amounts(Decimal(1), -cents, Decimal(rate or "0"))
        done = sum(
            -v.total
            for v in self._all_invoices()
            if v.kind == "credit_note" and v.corrects == invoice.number and v.status != VOID
        )
        return -(amounts.net + amounts.tax) > max(invoice.total - done, 0)

    def _credit_barred(self, number: str | None) -> bool:
        """A package sold on it has sessions undrawn (or was refunded): refund the package."""
        return any(p.refunded or p.used < p.sessions for p in self._sold(number))

    def _void_barred(self, number: str | None) -> bool:
        """A package sold on it had sessions drawn, or was refunded."""
        return any(p.used or p.refunded for p in self._sold(number))

    # -- sessions -------------------------------------------------------------------------

    @rule(
        attendees=st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True),
        services=st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True),
        units=st.sampled_from([None, "1.5", "0.25", "2"]),
        twice=st.booleans(),
        invoice_now=st.booleans(),
    )
    def complete_session(
        self,
        attendees: list[int],
        services: list[int],
        units: str | None,
        twice: bool,
        invoice_now: bool,
    ) -> None:
        """Book and complete a session; maybe bill the first attendee's part at once."""
        self.sessions += 1
        client_ids = [self.clients[i] for i in attendees]
        service_ids = [self.catalogue[i] for i in services]
        start = datetime(2026, 9, 1, 8, 0) + timedelta(hours=self.sessions)
        appt = self.s.calendar.add(client_ids=client_ids, service_ids=service_ids, start=start)[0]
        if units is not None:
            self.s.calendar.set_charge(
                appt.id, client_id=client_ids[0], service_id=service_ids[0], units=units
            )
        self.s.calendar.complete(appt.id)
        if twice:
            self.s.calendar.complete(appt.id)
        made = [i for i in self.s.items.list() if i.appointment_id == appt.id]
        assert len(made) == len(client_ids) * len(service_ids)
        assert Counter((i.client_id, i.service_id) for i in made) == Counter(
            (c, v) for c in client_ids for v in service_ids
        )
        assert all(i.invoice_number is None for i in made)
        if any(i.unit_price == 0 for i in made):
            event("a session drawn from a package")
        if invoice_now:
            own = sorted(i.id for i in made if i.client_id == client_ids[0])
            issued = self.s.invoices.create(client_id=client_ids[0], item_ids=own)
            self.invoices_issued += 1
            event("invoice issued at the session")
            assert issued.number == f"INV-{self.invoices_issued:04d}"
            assert sorted(line.item_id or 0 for line in issued.lines) == own

    @rule(index=st.integers(0, OCCURRENCES - 1))
    def generate_occurrence(self, index: int) -> None:
        appt_id = self.occurrences[index]
        appt = self.s.calendar.get(appt_id)
        if appt.start > self.clock.local_now():
            self._refused(NotAllowed, lambda: self.s.calendar.generate_items(appt_id))
            return
        result = self.s.calendar.generate_items(appt_id)
        if appt_id in self.generated:
            assert result.created == []
            assert len(result.existing) == 1
        else:
            assert len(result.created) == 1
            self.generated.add(appt_id)
        made = [i for i in self.s.items.list() if i.appointment_id == appt_id]
        assert len(made) == 1
        if made[0].unit_price == 0:
            event("a session drawn from a package")

    # -- invoices ---------------------------------------------------------------------------

    @rule(
        client=st.integers(0, 2),
        picks=st.lists(st.booleans(), min_size=1, max_size=8),
        scope=st.sampled_from(["everything", "everything", "own", "anyone's"]),
        apply_credit=st.booleans(),
        payer=st.one_of(st.none(), st.integers(0, 2)),
    )
    def invoice(
        self,
        client: int,
        picks: list[bool],
        scope: str,
        apply_credit: bool,
        payer: int | None,
    ) -> None:
        """Invoice a client's items (all, or some), or a mix of attendees' items."""
        client_id = self.clients[client]
        bill_to = self.clients[payer] if payer is not None else None
        payer_id = bill_to if bill_to is not None else client_id
        if scope == "everything":
            chosen, item_ids = self.s.items.list(client_id=client_id, uninvoiced=True), None
        else:
            pool = self.s.items.list(
                client_id=client_id if scope == "own" else None, uninvoiced=True
            )
            chosen = [item for item, wanted in zip(pool, picks, strict=False) if wanted]
            item_ids = [item.id for item in chosen]

        def create() -> InvoiceRead:
            return self.s.invoices.create(
                client_id=client_id, item_ids=item_ids, bill_to=bill_to, apply_credit=apply_credit
            )

        if not chosen:
            self._refused(InvalidInput, create)
            return

        # The client's own and the payer's items may go on the payer's invoice, and
        # so may another attendee's items from a session the payer attended. An item
        # from a session only the client attended is a matter of policy: either
        # answer is accepted, but a refusal must change nothing.
        def attendees(item: ItemRead) -> list[int]:
            if item.appointment_id is None:
                return []
            return self.s.calendar.get(item.appointment_id).client_ids

        def allowed(item: ItemRead) -> bool:
            return item.client_id in (client_id, payer_id) or payer_id in attendees(item)

        def barred(item: ItemRead) -> bool:
            return not allowed(item) and client_id not in attendees(item)

        if any(barred(item) for item in chosen):
            self._refused(InvalidInput, create)
            return
        if not all(allowed(item) for item in chosen):
            before = self._rows()
            try:
                create()
            except InvalidInput:
                assert self._rows() == before
                return
            self.invoices_issued += 1
            return
        credit_before = self._credit(payer_id)
        issued = create()
        self.invoices_issued += 1
        assert issued.number == f"INV-{self.invoices_issued:04d}"
        assert issued.client_id == payer_id
        assert sorted(line.item_id or 0 for line in issued.lines) == sorted(i.id for i in chosen)
        assert issued.total == sum(item.total for item in chosen)
        taken = min(credit_before, issued.total) if apply_credit else 0
        event("invoice issued" + (" with credit" if taken else ""))
        assert issued.credit_applied == taken
        assert self._credit(payer_id) == credit_before - taken
        left = {i.id for i in self.s.items.list(uninvoiced=True)}
        assert left.isdisjoint(i.id for i in chosen)

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(
        which=st.integers(0, 99),
        action=st.sampled_from(["units", "price", "remove", "add"]),
    )
    def edit_invoice(self, which: int, action: str) -> None:
        editable = [v for v in self._open() if v.amount_paid == 0 and not v.sent]
        if not editable:
            target = pick([v for v in self._all_invoices()], which)
            if target.kind == "invoice" and target.status != VOID and target.amount_paid == 0:
                return  # sent invoices are not made here; nothing to refuse
            self._refused(
                NotAllowed,
                lambda: self.s.invoices.edit(target.number, changes={0: LineChange(units="2")}),
            )
            return
        target = pick(editable, which)
        first = target.lines[0].item_id
        assert first is not None
        if first in self._sale_items() and action != "add":
            # The sale line of a package keeps its price: its refund is reckoned from it.
            change = {first: LineChange(units="3")} if action == "units" else None
            self._refused(
                NotAllowed,
                lambda: self.s.invoices.edit(
                    target.number, changes=change, remove=[] if change else [first]
                ),
            )
            return
        if action == "units":
            after = self.s.invoices.edit(target.number, changes={first: LineChange(units="3")})
            assert after.lines[0].units == 3
        elif action == "price" and self.s.packages.covering([first]):
            # A session drawn from a package stays at 0: the package paid for it.
            self._refused(
                NotAllowed,
                lambda: self.s.invoices.edit(
                    target.number, changes={first: LineChange(price="99.99")}
                ),
            )
            return
        elif action == "price":
            after = self.s.invoices.edit(
                target.number, changes={first: LineChange(price="99.99", tax_rate="7.5")}
            )
            assert after.lines[0].unit_price == 9999
        elif action == "remove":
            if len(target.lines) == 1:
                self._refused(
                    NotAllowed, lambda: self.s.invoices.edit(target.number, remove=[first])
                )
                return
            after = self.s.invoices.edit(target.number, remove=[first])
            assert first in {i.id for i in self.s.items.list(uninvoiced=True)}
        else:
            own = self.s.items.list(client_id=target.client_id, uninvoiced=True)
            if not own:
                return
            after = self.s.invoices.edit(target.number, add=[own[0].id])
            assert own[0].id in {line.item_id for line in after.lines}
        event(f"invoice edited: {action}")
        assert after.total == sum(line.total for line in after.lines)
        assert after.credit_applied <= max(after.total, 0)

    @rule(
        client=st.integers(0, 2),
        then=st.sampled_from(["issue", "discard"]),
        apply_credit=st.booleans(),
    )
    def draft(self, client: int, then: str, apply_credit: bool) -> None:
        """A draft holds a client's unbilled items without a number, then is issued or
        thrown away; either way the numbering stays gap-free."""
        client_id = self.clients[client]
        own = self.s.items.list(client_id=client_id, uninvoiced=True)
        if not own:
            self._refused(
                InvalidInput, lambda: self.s.invoices.create(client_id=client_id, draft=True)
            )
            return
        credit_before = self._credit(client_id)
        draft = self.s.invoices.create(client_id=client_id, draft=True)
        assert draft.status == "draft" and draft.number == f"DRAFT-{draft.id}"
        assert draft.credit_applied == 0 and self._credit(client_id) == credit_before
        held = {i.id for i in own}
        on_draft = {i.id: i.invoice_number for i in self.s.items.list(client_id=client_id)}
        assert all(on_draft[item_id] == draft.number for item_id in held)
        if then == "discard":
            self.s.drafts.discard(draft.number)
            event("draft discarded")
            assert held <= {i.id for i in self.s.items.list(uninvoiced=True)}
            assert self._credit(client_id) == credit_before
            return
        issued = self.s.drafts.issue(draft.number, apply_credit=apply_credit)
        self.invoices_issued += 1
        event("draft issued" + (" with credit" if issued.credit_applied else ""))
        assert issued.number == f"INV-{self.invoices_issued:04d}"
        assert issued.total == draft.total
        taken = min(credit_before, max(issued.total, 0)) if apply_credit else 0
        assert issued.credit_applied == taken
        assert self._credit(client_id) == credit_before - taken

    @rule(client=st.integers(0, 2), which=st.integers(0, 99), add=st.booleans())
    def add_or_remove_item(self, client: int, which: int, add: bool) -> None:
        """A fee added by hand; an item removed: only one no invoice, session or drawn
        package needs."""
        if add:
            self.s.items.add(
                client_id=self.clients[client], description="Report", price="25.06", tax_rate="0"
            )
            event("item added by hand")
        items = self.s.items.list()
        if not items:
            return
        target = items[which % len(items)]
        credit_before = {c: self._credit(c) for c in self.clients}
        if target.invoice_number is not None or target.appointment_id is not None:
            self._refused(NotAllowed, lambda: self.s.items.remove(target.id))
            return
        if target.id in self._sale_items():
            before = self._rows()
            try:
                self.s.items.remove(target.id)
            except NotAllowed:  # its package was drawn from or refunded
                assert self._rows() == before
                return
            event("package sale removed")
            assert target.id not in self._sale_items()
        else:
            self.s.items.remove(target.id)
            event("item removed")
        assert target.id not in {i.id for i in self.s.items.list()}
        assert {c: self._credit(c) for c in self.clients} == credit_before

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(which=st.integers(0, 99))
    def void(self, which: int) -> None:
        target = pick(self._all_invoices(), which)
        if (
            target.kind != "invoice"
            or target.status == VOID
            or target.amount_paid > 0
            or self._void_barred(target.number)
        ):
            self._refused(NotAllowed, lambda: self.s.invoices.void(target.number))
            return
        credit_before = self._credit(target.client_id)
        after = self.s.invoices.void(target.number, reason="wrong client")
        assert after.status == VOID
        event("invoice voided" + (" with credit" if target.credit_applied else ""))
        assert after.amount_due == 0
        back = {i.id for i in self.s.items.list(uninvoiced=True)}
        assert {line.item_id for line in target.lines} <= back
        assert self._credit(target.client_id) == credit_before + target.credit_applied

    # -- money in -----------------------------------------------------------------------------

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(
        which=st.integers(0, 99),
        kind=st.sampled_from(["partial", "exact", "over"]),
        percent=st.integers(1, 99),
        extra=st.integers(1, 20_000),
        method=st.sampled_from(["cash", "cheque", "transfer", "card"]),
    )
    def pay(self, which: int, kind: str, percent: int, extra: int, method: str) -> None:
        open_invoices = self._open()
        if not open_invoices:
            target = pick(self._all_invoices(), which)
            self._refused(
                NotAllowed,
                lambda: self.s.payments.record(target.number, amount="1.00", method=method),
            )
            return
        target = pick(open_invoices, which)
        due = target.amount_due
        assert due > 0
        amount = {"partial": max(1, due * percent // 100), "exact": due, "over": due + extra}[kind]
        credit_before = self._credit(target.client_id)
        after = self.s.payments.record(target.number, amount=major(amount), method=method)
        event(f"payment: {kind}")
        assert after.amount_paid == target.amount_paid + min(amount, due)
        assert after.amount_due == max(due - amount, 0)
        assert after.status == ("paid" if amount >= due else "partially paid")
        assert self._credit(target.client_id) == credit_before + max(amount - due, 0)

    @rule(
        client=st.integers(0, 2),
        cents=st.integers(1, 30_000),
        rate=st.sampled_from([None, "0", "15"]),
        correct=st.booleans(),
        which=st.integers(0, 99),
    )
    def credit_note(
        self, client: int, cents: int, rate: str | None, correct: bool, which: int
    ) -> None:
        client_id = self.clients[client]
        corrected: InvoiceRead | None = None
        if correct:
            live = [
                v
                for v in self.s.invoices.list(client_id=client_id)
                if v.kind == "invoice" and v.status != VOID
            ]
            corrected = pick(live, which) if live else None
        if corrected is not None and self._credit_barred(corrected.number):
            self._refused(
                NotAllowed,
                lambda: self.s.credits.add(
                    client_id=client_id,
                    amount=major(cents),
                    reason="Goodwill",
                    invoice_number=corrected.number,
                ),
            )
            return
        if corrected is not None and self._over_correction(corrected, cents, rate):
            self._refused(
                NotAllowed,
                lambda: self.s.credits.add(
                    client_id=client_id,
                    amount=major(cents),
                    reason="Typo",
                    tax_rate=rate,
                    invoice_number=corrected.number,
                ),
            )
            return
        credit_before = self._credit(client_id)
        note = self.s.credits.add(
            client_id=client_id,
            amount=major(cents),
            reason="Goodwill",
            tax_rate=rate,
            invoice_number=corrected.number if corrected else None,
        )
        self.notes_issued += 1
        assert note.number == f"CN-{self.notes_issued:04d}"
        assert note.kind == "credit_note"
        assert note.subtotal == -cents
        assert note.total < 0
        taken = 0
        event("credit note" + (" correcting an invoice" if corrected else ""))
        if corrected is not None:
            taken = min(-note.total, corrected.amount_due)
            after = self.s.invoices.get(corrected.number)
            assert after.credit_applied == corrected.credit_applied + taken
        assert self._credit(client_id) == credit_before - note.total - taken

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(which=st.integers(0, 99))
    def apply_credit(self, which: int) -> None:
        open_invoices = self._open()
        if not open_invoices:
            return
        with_credit = [v for v in open_invoices if self._credit(v.client_id) > 0]
        if not with_credit:
            target = pick(open_invoices, which)
            self._refused(NotAllowed, lambda: self.s.invoices.apply_credit(target.number))
            return
        target = pick(with_credit, which)
        balance = self._credit(target.client_id)
        after = self.s.invoices.apply_credit(target.number)
        event("credit applied")
        taken = min(balance, target.amount_due)
        assert after.credit_applied == target.credit_applied + taken
        assert after.amount_due == target.amount_due - taken
        assert self._credit(target.client_id) == balance - taken

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(which=st.integers(0, 99))
    def charge_card(self, which: int) -> None:
        """Charge an open invoice's amount due to the saved card."""
        open_invoices = self._open()
        if not open_invoices:
            return
        target = pick(open_invoices, which)
        credit_before = self._credit(target.client_id)
        result = self.s.charges.charge(target.number)
        assert result.outcome is Outcome.SUCCEEDED, result
        after = self.s.invoices.get(target.number)
        event("charged to the card")
        assert after.status == "paid"
        assert after.amount_paid == target.amount_paid + target.amount_due
        assert self._credit(target.client_id) == credit_before

    @precondition(lambda self: self.invoices_issued > 0)
    @rule(which=st.integers(0, 99), percent=st.integers(1, 100))
    def refund_card(self, which: int, percent: int) -> None:
        """Refund part of a card payment: a credit note, paid straight out again."""
        invoices = [v for v in self._all_invoices() if v.kind == "invoice"]
        target = pick(invoices, which)
        left = self.s.refunds.refundable(target.number)
        if left <= 0:
            self._refused(
                NotAllowed, lambda: self.s.refunds.refund(target.number, "1.00", "none left")
            )
            return
        amount = max(1, left * percent // 100)
        if self._credit_barred(target.number):
            self._refused(
                NotAllowed, lambda: self.s.refunds.refund(target.number, major(amount), "Sale")
            )
            return
        credit_before = self._credit(target.client_id)
        result = self.s.refunds.refund(target.number, major(amount), "Session shortened")
        assert result.outcome is Outcome.SUCCEEDED, result.message
        assert result.credit_note is not None
        self.notes_issued += 1
        event("card refund")
        assert result.credit_note.number == f"CN-{self.notes_issued:04d}"
        assert result.credit_note.total == -amount
        assert result.credit_note.corrects == target.number
        assert self.s.refunds.refundable(target.number) == left - amount
        # The credit note's credit went back to the card: the balance is unchanged.
        assert self._credit(target.client_id) == credit_before
        assert self.s.invoices.get(target.number).amount_paid == target.amount_paid

    @rule(
        client=st.integers(0, 2),
        service=st.integers(0, 2),
        sessions=st.integers(1, 4),
        cents=st.integers(100, 90_000),
        apply_credit=st.booleans(),
    )
    def sell_package(
        self, client: int, service: int, sessions: int, cents: int, apply_credit: bool
    ) -> None:
        """Sell a package; completed sessions of its service then draw from it."""
        client_id = self.clients[client]
        credit_before = self._credit(client_id)
        sale = self.s.packages.sell(
            client_id=client_id,
            sessions=sessions,
            service_ids=[self.catalogue[service]],
            price=major(cents),
            tax_rate="0",
            apply_credit=apply_credit,
        )
        self.invoices_issued += 1
        event("package sold" + (" with credit" if sale.invoice.credit_applied else ""))
        assert sale.invoice.number == f"INV-{self.invoices_issued:04d}"
        assert sale.invoice.total == cents
        assert sale.package.left == sessions
        taken = min(credit_before, cents) if apply_credit else 0
        assert sale.invoice.credit_applied == taken
        assert self._credit(client_id) == credit_before - taken

    @rule(which=st.integers(0, 99))
    def refund_package(self, which: int) -> None:
        """Refund a package's unused sessions pro rata, as a credit note on its sale."""
        packages = self.s.packages.list()
        if not packages:
            return
        target = pick(packages, which)  # type: ignore[arg-type]
        if target.left <= 0 or target.status == "cancelled":
            self._refused(NotAllowed, lambda: self.s.packages.refund(target.id))
            return
        refunded = self.s.packages.refund(target.id)
        self.notes_issued += 1
        event("package refunded")
        assert refunded.credit_note == f"CN-{self.notes_issued:04d}"
        assert refunded.sessions == target.left
        assert refunded.package.left == 0
        assert 0 < refunded.amount <= target.price

    # -- what must always hold ---------------------------------------------------------------------

    @invariant()
    def integrity_check_is_clean(self) -> None:
        """What `cp-tui check` recomputes agrees with what is stored, after every step."""
        report = IntegrityService(self.s.db, self.clock).check()
        assert report.ok, report.findings

    @invariant()
    def no_item_on_two_live_invoices(self) -> None:
        with self.s.db.read() as session:
            doubles = session.execute(
                text(
                    "SELECT l.item_id, COUNT(*) FROM invoice_line l "
                    "JOIN invoice i ON i.id = l.invoice_id "
                    "WHERE i.status != 'void' AND l.item_id IS NOT NULL "
                    "GROUP BY l.item_id HAVING COUNT(*) > 1"
                )
            ).all()
            assert doubles == []
            rows = session.execute(select(InvoiceLine, Invoice.status).join(Invoice)).all()
            for line, status in rows:
                expected = None if status == VOID else line.item_id
                assert line.active_item_id == expected

    @invariant()
    def totals_are_sums_of_lines(self) -> None:
        with self.s.db.read() as session:
            lines: dict[int, list[InvoiceLine]] = defaultdict(list)
            for line in session.exec(select(InvoiceLine)).all():
                lines[line.invoice_id].append(line)
            for inv in session.exec(select(Invoice)).all():
                own = lines[inv.id or 0]
                assert own, inv.number
                for line in own:
                    amounts = line_amounts(line.units, line.unit_price, line.tax_rate)
                    assert (line.net, line.tax) == (amounts.net, amounts.tax)
                assert inv.subtotal == sum(line.net for line in own)
                assert inv.tax == sum(line.tax for line in own)
                assert inv.total == inv.subtotal + inv.tax
                if inv.kind == "credit_note":
                    assert inv.total < 0

    @invariant()
    def credit_balance_is_the_ledger_sum(self) -> None:
        with self.s.db.read() as session:
            ledger = dict(
                session.execute(
                    text("SELECT client_id, SUM(amount) FROM credit_entry GROUP BY client_id")
                ).all()
            )
            entries = session.exec(select(CreditEntry)).all()
            invoices = session.exec(select(Invoice)).all()
            payments = session.exec(select(Payment)).all()
        listed = {c.id: c for c in self.s.clients.list()}
        for client_id in self.clients:
            total = int(ledger.get(client_id, 0))
            assert total >= 0
            assert total == sum(e.amount for e in entries if e.client_id == client_id)
            assert self.s.clients.get(client_id).credit_balance == total
            assert listed[client_id].credit_balance == total
            assert self._credit(client_id) == total
            # What went in and out, read from the invoices and payments themselves.
            notes_in = sum(
                -v.total for v in invoices if v.client_id == client_id and v.kind == "credit_note"
            )
            overpaid = sum(p.amount - p.applied for p in payments if p.client_id == client_id)
            paid_out = -sum(
                e.amount
                for e in entries
                if e.client_id == client_id and e.kind == CreditKind.REFUND
            )
            applied = sum(
                v.credit_applied
                for v in invoices
                if v.client_id == client_id and v.kind == "invoice" and v.status != VOID
            )
            assert total == notes_in + overpaid - applied - paid_out

    @invariant()
    def balance_due_is_invoices_minus_payments_minus_credit(self) -> None:
        with self.s.db.read() as session:
            invoices = session.exec(select(Invoice)).all()
            payments = session.exec(select(Payment)).all()
            items = session.exec(select(BillingItem)).all()
            held = {
                line.active_item_id
                for line in session.exec(select(InvoiceLine)).all()
                if line.active_item_id is not None
            }
        paid: dict[int, int] = defaultdict(int)
        for payment in payments:
            paid[payment.invoice_id] += payment.applied
        due: dict[int, int] = defaultdict(int)
        for inv in invoices:
            if inv.kind != "invoice" or inv.status == VOID:
                continue
            assert inv.amount_paid == paid[inv.id or 0]
            left = inv.total - paid[inv.id or 0] - inv.credit_applied
            assert left >= 0, inv.number
            if left == 0:
                assert inv.status == "paid"
            else:
                assert inv.status == ("partially paid" if inv.amount_paid else "unpaid")
            due[inv.client_id] += left
        uninvoiced: dict[int, int] = defaultdict(int)
        for item in items:
            if item.id not in held:
                amounts = line_amounts(item.units, item.unit_price, item.tax_rate)
                uninvoiced[item.client_id] += amounts.total
        listed = {c.id: c for c in self.s.clients.list()}
        for client_id in self.clients:
            read = self.s.clients.get(client_id)
            assert read.balance_due == due[client_id]
            assert listed[client_id].balance_due == due[client_id]
            assert read.uninvoiced_total == uninvoiced[client_id]

    @invariant()
    def numbers_are_gap_free(self) -> None:
        with self.s.db.read() as session:
            invoices = session.exec(select(Invoice)).all()
            series = {row.series: row.next_value for row in session.exec(select(NumberSeries))}
        numbers = sorted(v.number or "" for v in invoices if v.kind == "invoice")
        notes = sorted(v.number or "" for v in invoices if v.kind == "credit_note")
        assert numbers == [f"INV-{n:04d}" for n in range(1, self.invoices_issued + 1)]
        assert notes == [f"CN-{n:04d}" for n in range(1, self.notes_issued + 1)]
        if self.invoices_issued:
            assert series["invoice"] == self.invoices_issued + 1
        if self.notes_issued:
            assert series["credit_note"] == self.notes_issued + 1


@pytest.fixture(autouse=True)
def _stripe_for_the_machine(stripe_server: FakeStripe) -> None:
    BillingMachine.stripe = stripe_server


TestBillingInvariants = BillingMachine.TestCase
TestBillingInvariants.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
