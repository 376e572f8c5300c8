"""Receipts say how many package sessions are left, read back from the PDF with pypdf."""

from __future__ import annotations

from datetime import date, datetime

from cp_tui.bootstrap import Services
from cp_tui.documents import _plain, version
from tests.conftest import Practice
from tests.unit.test_pdf import lines_of

SOLD_ON = date(2026, 11, 2)


def test_receipts_show_sessions_left_on_the_day_of_the_payment(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    therapy = practice.service("150.00")
    talk = practice.service("60.00", name="Talk")
    sale = services.packages.sell(
        client_id=alex,
        sessions=10,
        service_ids=[therapy],
        price="1200",
        expires_on=date(2027, 5, 31),
        name="Ten sessions",
    )
    number = sale.invoice.number or ""
    paid = services.payments.record(number, amount="1200", method="card", received_on=SOLD_ON)
    sale_receipt = services.documents.receipt(paid.payments[0].id)
    before = version(sale_receipt)
    assert "Ten sessions: 10 of 10 sessions left, to use by May 31, 2027." in " ".join(
        lines_of(services.documents.render(sale_receipt))
    )

    # Two sessions drawn from the package and one it does not cover, invoiced and paid.
    practice.session([alex], [therapy], datetime(2026, 11, 10, 10, 0))
    practice.session([alex], [therapy], datetime(2026, 11, 17, 10, 0))
    practice.session([alex], [talk], datetime(2026, 11, 18, 10, 0))
    invoice = services.invoices.create(client_id=alex)
    assert invoice.total == 6000  # the drawn sessions are zero lines
    later = services.payments.record(invoice.number or "", amount="60", method="cash")
    receipt = services.documents.receipt(later.payments[0].id)
    text = " ".join(lines_of(services.documents.render(receipt)))
    assert "Ten sessions: 8 of 10 sessions left, to use by May 31, 2027." in text

    # The sale's receipt still says what was left the day it was paid: same version.
    again = services.documents.receipt(paid.payments[0].id)
    assert again.packages[0].left == 10 and version(again) == before


def test_a_receipt_without_a_package_says_nothing_of_sessions(
    services: Services, practice: Practice
) -> None:
    alex = practice.client()
    services.items.add(client_id=alex, description="Report", price="40.00")
    number = services.invoices.create(client_id=alex).number or ""
    paid = services.payments.record(number, amount="40", method="cash")
    receipt = services.documents.receipt(paid.payments[0].id)
    assert receipt.packages == ()
    assert "session" not in " ".join(lines_of(services.documents.render(receipt))).lower()
    # No packages: the digest is what it was before receipts could name packages.
    assert "packages" not in _plain(receipt)
