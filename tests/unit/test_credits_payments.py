"""Credit notes, the credit ledger, payments by hand, archiving, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import col, select

from cp_tui.bootstrap import Services
from cp_tui.models import AuditEntry, CreditEntry
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from tests.conftest import Practice

TUE = datetime(2026, 11, 24, 10, 0)


def invoiced(practice: Practice, client: int, price: str = "150.00") -> str:
    """A completed session for ``client``, invoiced; returns the invoice number."""
    practice.session([client], [practice.service(price)], TUE)
    return practice.s.invoices.create(client_id=client).number


def ledger_rows(services: Services, client: int) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in services.credits.ledger(client)]


def audit_actions(services: Services) -> list[str]:
    with services.db.read() as session:
        return [
            row.action
            for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        ]


# -- credit notes -------------------------------------------------------------------


def test_credit_note_has_a_negative_total_and_adds_to_the_balance(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()

    note = services.credits.add(client_id=alex, amount="100.00", reason=" Fee waived ")

    assert (note.number, note.kind, note.status) == ("CN-0001", "credit_note", "paid")
    assert (note.subtotal, note.tax, note.total, note.amount_due) == (-10000, 0, -10000, 0)
    assert [(ln.description, ln.total) for ln in note.lines] == [("Fee waived", -10000)]
    assert (note.reason, note.corrects) == ("Fee waived", None)
    assert services.credits.balance(alex) == 10000
    assert ledger_rows(services, alex) == [("credit_note", 10000)]
    assert services.credits.ledger(alex)[0].invoice_number == "CN-0001"
    client = services.clients.get(alex)
    assert (client.credit_balance, client.balance_due) == (10000, 0)


def test_credit_note_with_tax_credits_the_gross(services: Services, practice: Practice) -> None:
    alex = practice.client()

    note = services.credits.add(client_id=alex, amount="25.05", reason="Refit", tax_rate="10")

    # -25.05 at 10 % is -2.505 of tax, rounded half away from zero to -2.51.
    assert (note.subtotal, note.tax, note.total) == (-2505, -251, -2756)
    assert services.credits.balance(alex) == 2756


def test_the_balance_is_the_sum_of_the_ledger(services: Services, practice: Practice) -> None:
    alex = practice.client()
    services.credits.add(client_id=alex, amount="40.00", reason="One")
    services.credits.add(client_id=alex, amount="35.50", reason="Two")
    invoiced(practice, alex, "60.00")
    services.invoices.apply_credit("INV-0001")

    assert ledger_rows(services, alex) == [
        ("credit_note", 4000),
        ("credit_note", 3550),
        ("applied", -6000),
    ]
    with services.db.read() as session:
        rows = session.exec(select(CreditEntry).where(col(CreditEntry.client_id) == alex)).all()
    assert sum(r.amount for r in rows) == services.credits.balance(alex) == 1550


@pytest.mark.parametrize(
    ("amount", "applied", "due", "status", "left"),
    [("50.00", 5000, 10000, "unpaid", 0), ("150.00", 15000, 0, "paid", 0)],
)
def test_credit_note_naming_an_unpaid_invoice_applies_to_it(
    services: Services,
    practice: Practice,
    amount: str,
    applied: int,
    due: int,
    status: str,
    left: int,
) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)

    note = services.credits.add(
        client_id=alex, amount=amount, reason="Overcharged", invoice_number=number.lower()
    )

    assert note.corrects == number
    invoice = services.invoices.get(number)
    assert (invoice.credit_applied, invoice.amount_due, invoice.status) == (applied, due, status)
    assert ledger_rows(services, alex) == [("credit_note", -note.total), ("applied", -applied)]
    assert services.credits.balance(alex) == left
    assert services.clients.get(alex).balance_due == due


def test_credit_note_naming_a_paid_invoice_stays_as_credit(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)
    services.payments.record(number, amount="150.00", method="cash")

    services.credits.add(client_id=alex, amount="30.00", reason="Goodwill", invoice_number=number)

    assert services.invoices.get(number).credit_applied == 0
    assert services.credits.balance(alex) == 3000


def test_credit_note_refusals(services: Services, practice: Practice) -> None:
    alex, zoe = practice.client(), practice.client("Zoe", "zoe@example.com")
    number = invoiced(practice, alex)
    cn = services.credits.add(client_id=alex, amount="1.00", reason="First").number
    add = services.credits.add

    with pytest.raises(InvalidInput, match="reason"):
        add(client_id=alex, amount="10.00", reason="  ")
    with pytest.raises(InvalidInput, match="more than 0"):
        add(client_id=alex, amount="0", reason="Nothing")
    with pytest.raises(InvalidInput, match="negative"):
        add(client_id=alex, amount="-5.00", reason="Backwards")
    with pytest.raises(InvalidInput, match="decimal places"):
        add(client_id=alex, amount="5.005", reason="Too fine")
    with pytest.raises(InvalidInput, match=f"not {zoe}"):
        add(client_id=zoe, amount="10.00", reason="Wrong", invoice_number=number)
    with pytest.raises(InvalidInput, match="itself a credit note"):
        add(client_id=alex, amount="10.00", reason="Twice", invoice_number=cn)
    with pytest.raises(NotFound):
        add(client_id=alex, amount="10.00", reason="Ghost", invoice_number="INV-9999")
    with pytest.raises(NotFound):
        add(client_id=999, amount="10.00", reason="Nobody")
    services.invoices.void(number)
    with pytest.raises(NotAllowed, match="void"):
        add(client_id=alex, amount="10.00", reason="Late", invoice_number=number)

    assert services.credits.balance(alex) == 100
    assert [i.number for i in services.invoices.list(status="credit notes")] == ["CN-0001"]


def test_apply_credit_later_and_with_nothing_to_apply(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)

    with pytest.raises(NotAllowed, match="no credit balance"):
        services.invoices.apply_credit(number)
    services.credits.add(client_id=alex, amount="30.00", reason="Goodwill")
    after = services.invoices.apply_credit(number)

    assert (after.credit_applied, after.amount_due) == (3000, 12000)
    assert services.credits.balance(alex) == 0
    with pytest.raises(NotAllowed):
        services.invoices.apply_credit("CN-0001")


# -- payments by hand ---------------------------------------------------------------


def test_partial_then_full_payment(services: Services, practice: Practice) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)

    part = services.payments.record(number, amount="60.00", method="Cheque", reference=" #102 ")
    assert (part.status, part.amount_paid, part.amount_due) == ("partially paid", 6000, 9000)
    assert services.clients.get(alex).balance_due == 9000

    paid = services.payments.record(
        number, amount="90.00", method="transfer", received_on=date(2026, 11, 20)
    )

    assert (paid.status, paid.amount_paid, paid.amount_due) == ("paid", 15000, 0)
    assert [(p.method, p.amount, p.applied, p.reference, p.received_on) for p in paid.payments] == [
        ("cheque", 6000, 6000, "#102", date(2026, 11, 25)),
        ("transfer", 9000, 9000, "", date(2026, 11, 20)),
    ]
    assert services.clients.get(alex).balance_due == 0
    assert services.credits.balance(alex) == 0


def test_overpayment_goes_to_the_credit_balance(services: Services, practice: Practice) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)

    read = services.payments.record(number, amount="200.00", method="cash")

    assert (read.status, read.amount_paid, read.amount_due) == ("paid", 15000, 0)
    assert [(p.amount, p.applied) for p in read.payments] == [(20000, 15000)]
    assert ledger_rows(services, alex) == [("overpayment", 5000)]
    assert services.clients.get(alex).credit_balance == 5000

    # The credit pays the next invoice.
    practice.session([alex], [practice.service("30.00")], TUE)
    nxt = services.invoices.create(client_id=alex, apply_credit=True)
    assert (nxt.credit_applied, nxt.amount_due, nxt.status) == (3000, 0, "paid")
    assert services.credits.balance(alex) == 2000


def test_payment_refused_on_void_paid_and_credit_notes(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    paid = invoiced(practice, alex)
    services.payments.record(paid, amount="150.00", method="card")
    practice.session([alex], [practice.service()], datetime(2026, 11, 23, 10, 0))
    void = services.invoices.create(client_id=alex).number
    services.invoices.void(void)
    note = services.credits.add(client_id=alex, amount="10.00", reason="Sorry").number

    for number, match in ((paid, "paid in full"), (void, "void"), (note, "credit note")):
        with pytest.raises(NotAllowed, match=match):
            services.payments.record(number, amount="1.00", method="cash")

    assert services.invoices.get(paid).amount_paid == 15000
    assert services.invoices.get(void).amount_paid == 0
    assert services.credits.balance(alex) == 1000


@pytest.mark.parametrize(
    ("amount", "method", "match"),
    [
        ("0", "cash", "more than 0"),
        ("0.00", "cash", "more than 0"),
        ("-10.00", "cash", "negative"),
        ("ten", "cash", "number"),
        ("1.234", "cash", "decimal places"),
        ("10.00", "bitcoin", "--method"),
    ],
)
def test_bad_payments_are_refused(
    services: Services, practice: Practice, amount: str, method: str, match: str
) -> None:
    alex = practice.client()
    number = invoiced(practice, alex)

    with pytest.raises(InvalidInput, match=match):
        services.payments.record(number, amount=amount, method=method)

    read = services.invoices.get(number)
    assert (read.amount_paid, read.status, read.payments) == (0, "unpaid", [])
    assert "payment.record" not in audit_actions(services)


def test_payment_on_an_unknown_invoice(services: Services) -> None:
    with pytest.raises(NotFound, match="INV-0404"):
        services.payments.record("INV-0404", amount="1.00", method="cash")


# -- archiving ----------------------------------------------------------------------


@pytest.mark.parametrize("history", ["invoice", "credit", "item", "session"])
def test_client_with_history_is_archived_not_deleted(
    services: Services, practice: Practice, history: str
) -> None:
    alex = practice.client()
    if history == "invoice":
        invoiced(practice, alex)
    elif history == "credit":
        services.credits.add(client_id=alex, amount="5.00", reason="Goodwill")
    elif history == "item":
        services.items.add(client_id=alex, description="Letter", price="20.00")
    else:
        practice.session([alex], [practice.service()], TUE, complete=False)

    assert services.clients.remove(alex) == "archived"
    assert services.clients.remove(alex) == "archived"

    client = services.clients.get(alex)
    assert client.archived
    assert [c.id for c in services.clients.list()] == []
    assert [c.id for c in services.clients.list(include_archived=True)] == [alex]
    assert audit_actions(services).count("client.archive") == 1
    with pytest.raises(NotAllowed, match="archived"):
        services.calendar.add(client_ids=[alex], service_ids=[practice.service()], start=TUE)
    assert services.clients.restore(alex).archived is False


def test_client_without_history_is_deleted(services: Services, practice: Practice) -> None:
    alex = practice.client()
    keep = practice.client("Keep", "keep@example.com")

    assert services.clients.remove(alex) == "deleted"

    with pytest.raises(NotFound):
        services.clients.get(alex)
    assert [c.id for c in services.clients.list(include_archived=True)] == [keep]
    with pytest.raises(NotFound):
        services.clients.remove(alex)


def test_archived_client_is_not_invoiced(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service()], TUE)
    services.clients.remove(alex)

    with pytest.raises(NotAllowed, match="archived"):
        services.invoices.create(client_id=alex)
    assert services.invoices.list() == []


# -- the audit trail ----------------------------------------------------------------


def test_every_money_change_writes_an_audit_row(services: Services, practice: Practice) -> None:
    alex = practice.client()
    practice.session([alex], [practice.service()], TUE)
    number = services.invoices.create(client_id=alex).number
    item = services.items.list(client_id=alex)[0].id
    extra = services.items.add(client_id=alex, description="Letter", price="20.00").id

    services.invoices.edit(number, add=[extra])
    services.credits.add(client_id=alex, amount="10.00", reason="Sorry")
    services.invoices.apply_credit(number)
    services.invoices.mark_sent(number)
    services.payments.record(number, amount="50.00", method="cash")
    services.credits.add(client_id=alex, amount="20.00", reason="Fix", invoice_number=number)
    practice.session([alex], [practice.service("5.00")], datetime(2026, 11, 23, 9))
    second = services.invoices.create(client_id=alex).number
    services.invoices.void(second, reason="Duplicate")

    assert audit_actions(services) == [
        "invoice.issue",
        "invoice.edit",
        "credit_note.issue",
        "invoice.apply_credit",
        "invoice.sent",
        "payment.record",
        "credit_note.issue",
        "invoice.apply_credit",
        "invoice.issue",
        "invoice.void",
    ]
    with services.db.read() as session:
        pay = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "payment.record")
        ).one()
    assert (pay.client_id, pay.at) == (alex, datetime(2026, 11, 25, 14, 0, tzinfo=pay.at.tzinfo))
    assert '"amount_paid": 0' in pay.before
    assert '"amount_paid": 5000' in pay.after
    assert services.invoices.get(number).amount_due == 17000 - 1000 - 5000 - 2000
    assert services.items.get(item).invoice_number == number
