"""A superbill shows credit notes as adjustments, so its balance agrees with the ledger."""

from __future__ import annotations

from datetime import date

from cp_tui.bootstrap import Services
from tests.conftest import Practice
from tests.unit.test_pdf import amounts, line_with, lines_of

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_credit_notes_are_adjustments_and_the_balance_is_what_the_ledger_says(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    therapy = practice.service("150.00")
    practice.session([client], [therapy])
    number = services.invoices.create(client_id=client).number
    services.payments.record(number, amount="100.00", method="card")
    applied = services.credits.add(
        client_id=client, amount="40.00", reason="Session cut short", invoice_number=number
    )
    goodwill = services.credits.add(client_id=client, amount="25.00", reason="Goodwill")

    doc = services.documents.superbill(client, *NOVEMBER)
    owed = services.clients.get(client).balance_due
    in_credit = services.credits.balance(client)
    assert (owed, in_credit) == (1000, 2500)
    assert doc.total_fees == 15000 - 4000 - 2500
    assert doc.total_paid == 10000
    assert doc.balance == owed - in_credit == -1500

    lines = lines_of(services.documents.render(doc))
    # The description wraps: its first line carries the amounts.
    first = line_with(lines, f"Nov 25, 2026 Adjustment: credit note {applied.number} for")
    assert amounts(first) == [-4000, 0]
    assert f"{number} (Session cut short)" in lines
    second = line_with(lines, f"Nov 25, 2026 Adjustment: credit note {goodwill.number}")
    assert amounts(second) == [-2500, 0]
    assert amounts(line_with(lines, "Total fees")) == [8500]
    assert amounts(line_with(lines, "Total paid")) == [10000]
    assert amounts(line_with(lines, "Balance")) == [-1500]


def test_credit_notes_outside_the_period_or_of_others_are_left_out(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    other = practice.client("Sam Lee", "sam@example.com")
    therapy = practice.service("150.00")
    practice.session([client], [therapy])
    services.invoices.create(client_id=client)
    services.credits.add(client_id=other, amount="30.00", reason="Not this client")

    november = services.documents.superbill(client, *NOVEMBER)
    assert [line.fee for line in november.lines] == [15000]
    october = services.documents.superbill(client, date(2026, 10, 1), date(2026, 10, 31))
    assert october.lines == ()
