"""PDFs read back with pypdf: every amount printed equals the database to the cent.

Amounts are parsed back out of the PDF's text by a parser of their own (symbol,
thousands separators, the currency's decimals), not by the formatter that wrote
them, and compared with the integers the services return.
"""

from __future__ import annotations

import io
import re
import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from cp_tui.bootstrap import Services
from cp_tui.clock import FrozenClock
from cp_tui.money import exponent
from tests.conftest import FROZEN_NOW, Practice

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 24)
MONEY = re.compile(r"(-?)([$€£¥])(\d{1,3}(?:,\d{3})*(?:\.\d+)?)")


def pages(data: bytes) -> list[str]:
    """Each page's text laid out as on paper (a table row is one line), spaces collapsed."""
    return [
        re.sub(r"[ \t]+", " ", page.extract_text(extraction_mode="layout") or "")
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def lines_of(data: bytes) -> list[str]:
    return [line.strip() for text in pages(data) for line in text.splitlines() if line.strip()]


def amounts(text: str, currency: str = "USD") -> list[int]:
    """Every money amount in ``text``, in minor units, in reading order."""
    exp = exponent(currency)
    found = []
    for sign, _symbol, number in MONEY.findall(text):
        value = Decimal(number.replace(",", ""))
        if exp == 0:
            assert "." not in number, f"{number} has decimals in a zero-decimal currency"
        else:
            assert len(number.split(".")[1]) == exp, f"{number} is not to the cent"
        minor = int(value.scaleb(exp))
        found.append(-minor if sign else minor)
    return found


def line_with(lines: list[str], start: str) -> str:
    matches = [line for line in lines if line.startswith(start)]
    assert matches, f"no line starts with {start!r} in:\n" + "\n".join(lines)
    return matches[0]


def all_amounts(data: bytes, currency: str = "USD") -> list[int]:
    return [a for line in lines_of(data) for a in amounts(line, currency)]


# -- invoices ------------------------------------------------------------------------


def test_invoice_with_tax_lines_prints_every_amount_of_the_database(
    services: Services, practice: Practice
) -> None:
    services.practice.update(name="Harbour Street Counselling", address="14 Harbour St\nPortland")
    services.documents.update_settings(payment_instructions="Bank: 12-3456-7890123-00")
    client = practice.client()
    # Xero's published example: per-line tax 3.76 + 3.84 + 3.84 = 11.44, not 11.43.
    for description, price in (("Report", "25.06"), ("Letter", "25.61"), ("Phone call", "25.63")):
        services.items.add(
            client_id=client, description=description, price=price, tax_rate="15", on=DAY
        )
    services.items.add(
        client_id=client, description="Session", price="150.00", units="1.5", tax_rate="0", on=DAY
    )
    number = services.invoices.create(client_id=client).number
    services.credits.add(
        client_id=client, amount="10.00", reason="Late start", invoice_number=number
    )
    services.payments.record(number, amount="100.00", method="cash", reference="R1")
    inv = services.invoices.get(number)
    assert inv.tax == 1144  # the rounding rule, per line

    data = services.documents.render(services.documents.invoice(number))
    lines = lines_of(data)

    for db_line in inv.lines:
        row = line_with(lines, f"Nov 24, 2026 {db_line.description}")
        assert amounts(row) == [db_line.unit_price, db_line.tax, db_line.net]
    assert amounts(line_with(lines, "Subtotal")) == [inv.subtotal]
    tax_rows = [line for line in lines if line.startswith("Tax 15% on")]
    assert [amounts(row) for row in tax_rows] == [[7630, 1144]]
    assert amounts(line_with(lines, "Total")) == [inv.total]
    assert amounts(line_with(lines, "Credit applied")) == [-inv.credit_applied]
    assert amounts(line_with(lines, "Paid Nov 25, 2026 (cash, ref R1)")) == [-10000]
    assert amounts(line_with(lines, "Amount due")) == [inv.amount_due]
    assert inv.total - inv.credit_applied - inv.amount_paid == inv.amount_due
    # Nothing else on the page looks like money.
    expected = {inv.subtotal, inv.total, -inv.credit_applied, -10000, inv.amount_due, 7630, 1144}
    for db_line in inv.lines:
        expected |= {db_line.unit_price, db_line.tax, db_line.net}
    assert set(all_amounts(data)) == expected
    text = "\n".join(lines)
    assert "Harbour Street Counselling" in text and "Bill to" in text and "Alex Rivera" in text
    assert "Bank: 12-3456-7890123-00" in text
    assert f"Number {number}" in text and "Due Dec 9, 2026" in text


def test_a_zero_decimal_currency_prints_whole_yen(services: Services, practice: Practice) -> None:
    services.practice.update(currency="JPY")
    client = practice.client("Sato Hana", "hana@example.com")
    services.items.add(client_id=client, description="Counselling", price="12000", on=DAY)
    services.items.add(
        client_id=client, description="Workbook", price="1235", units="3", tax_rate="10", on=DAY
    )
    inv = services.invoices.create(client_id=client)
    assert inv.currency == "JPY"
    data = services.documents.render(services.documents.invoice(inv.number))
    lines = lines_of(data)
    assert amounts(line_with(lines, "Nov 24, 2026 Counselling"), "JPY") == [12000, 0, 12000]
    assert amounts(line_with(lines, "Nov 24, 2026 Workbook"), "JPY") == [1235, 371, 3705]
    assert amounts(line_with(lines, "Total"), "JPY") == [inv.total] == [16076]
    assert amounts(line_with(lines, "Amount due"), "JPY") == [inv.amount_due]
    assert "¥" in "\n".join(lines) and ".00" not in "\n".join(lines)


def test_credit_note_names_the_invoice_it_corrects(services: Services, practice: Practice) -> None:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    note = services.credits.add(
        client_id=client, amount="40.00", reason="Session cut short", invoice_number=number
    )
    data = services.documents.render(services.documents.invoice(note.number))
    text = "\n".join(lines_of(data))
    assert "CREDIT NOTE" in text
    assert f"corrects invoice {number}" in text and "Session cut short" in text
    assert f"Corrects {number}" in text
    assert amounts(line_with(lines_of(data), "Total credit")) == [note.total] == [-4000]
    assert "Amount due" not in text


def test_receipt_shows_what_came_in_and_where_it_went(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    services.payments.record(number, amount="100.00", method="transfer")
    paid = services.payments.record(number, amount="80.00", method="cash")  # 30.00 over
    second = paid.payments[-1]
    receipt = services.documents.receipt(second.id)
    data = services.documents.render(receipt)
    lines = lines_of(data)
    assert amounts(line_with(lines, "Amount received")) == [second.amount] == [8000]
    assert amounts(line_with(lines, f"Applied to invoice {number}")) == [second.applied] == [5000]
    assert amounts(line_with(lines, "Added to your credit balance")) == [3000]
    assert services.credits.balance(client) == 3000
    assert amounts(line_with(lines, f"Invoice {number} total")) == [15000]
    assert amounts(line_with(lines, "Paid before")) == [-10000]
    assert amounts(line_with(lines, "This payment")) == [-5000]
    assert amounts(line_with(lines, f"Still due on {number}")) == [0]
    first = services.documents.receipt(paid.payments[0].id)
    first_lines = lines_of(services.documents.render(first))
    assert amounts(line_with(first_lines, f"Still due on {number}")) == [5000]


# -- statement and superbill ---------------------------------------------------------------


def test_statement_balances_add_up_to_what_the_client_owes(
    services: Services, practice: Practice, clock: FrozenClock
) -> None:
    client = practice.client()
    clock.set(datetime(2026, 10, 6, 17, 0))
    older = services.items.add(
        client_id=client, description="October session", price="150.00", on=date(2026, 10, 6)
    )
    first = services.invoices.create(client_id=client, item_ids=[older.id]).number
    services.payments.record(first, amount="150.00", method="cash", received_on=date(2026, 10, 7))
    clock.set(FROZEN_NOW)
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    services.items.add(client_id=client, description="Report", price="60.00", on=DAY)
    second = services.invoices.create(client_id=client).number
    services.payments.record(second, amount="50.00", method="card")
    services.credits.add(client_id=client, amount="20.00", reason="Goodwill", invoice_number=second)

    doc = services.documents.statement(client, date(2026, 11, 1), date(2026, 11, 30))
    owed = services.clients.get(client).balance_due
    assert doc.opening_balance == 0
    assert doc.closing_balance == owed == 21000 - 5000 - 2000
    assert doc.opening_balance + doc.charges - doc.credits == doc.closing_balance
    data = services.documents.render(doc)
    lines = lines_of(data)
    assert amounts(line_with(lines, "Opening balance")) == [0]
    assert amounts(line_with(lines, f"Nov 25, 2026 Invoice {second}")) == [21000, 21000]
    assert amounts(line_with(lines, f"Nov 25, 2026 Payment (card) on {second}")) == [5000, 16000]
    assert amounts(line_with(lines, f"Nov 25, 2026 Credit applied to {second}")) == [2000, 14000]
    assert amounts(line_with(lines, "Closing balance")) == [owed]
    assert amounts(line_with(lines, "Charges in the period")) == [21000]
    assert amounts(line_with(lines, "Payments and credits in the period")) == [-7000]
    assert first not in "\n".join(lines)  # paid off before the period

    october = services.documents.statement(client, date(2026, 10, 1), date(2026, 10, 31))
    assert (october.opening_balance, october.closing_balance) == (0, 0)
    assert [r.balance for r in october.rows] == [15000, 0]


def test_superbill_carries_codes_fees_and_payments(services: Services, practice: Practice) -> None:
    services.documents.update_settings(npi="1234567893")
    client = practice.client()
    services.documents.set_client_codes(
        client, date_of_birth=date(1988, 4, 2), diagnosis_codes="f41.1, F32.0"
    )
    therapy = practice.service("150.00")
    services.documents.set_place_of_service(therapy, "11")
    practice.session([client], [therapy])
    number = services.invoices.create(client_id=client).number
    services.payments.record(number, amount="100.00", method="card")

    doc = services.documents.superbill(client, date(2026, 11, 1), date(2026, 11, 30))
    assert doc.diagnosis_codes == ("F41.1", "F32.0")
    data = services.documents.render(doc)
    text = "\n".join(lines_of(data))
    assert "NPI 1234567893" in text and "Date of birth: Apr 2, 1988" in text
    assert "Diagnosis (ICD-10): F41.1, F32.0" in text
    row = line_with(lines_of(data), "Nov 24, 2026 90837")
    assert " 11 " in row
    assert amounts(row) == [15000, 10000]
    assert amounts(line_with(lines_of(data), "Total fees")) == [doc.total_fees] == [15000]
    assert amounts(line_with(lines_of(data), "Total paid")) == [doc.total_paid] == [10000]
    assert amounts(line_with(lines_of(data), "Balance")) == [5000]


# -- long documents, reproducibility, files ---------------------------------------------------


def test_sixty_lines_run_over_pages_with_the_header_repeated(
    services: Services, practice: Practice
) -> None:
    client = practice.client()
    for n in range(60):
        services.items.add(
            client_id=client,
            description=f"Session {n + 1:02d} " + "with notes " * (n % 4),
            price=f"{100 + n}.{n:02d}",
            tax_rate="15" if n % 3 == 0 else "0",
            on=DAY,
        )
    inv = services.invoices.create(client_id=client)
    assert len(inv.lines) == 60
    data = services.documents.render(services.documents.invoice(inv.number))
    texts = pages(data)
    assert len(texts) >= 2
    for text in texts:
        assert "Date Service Units Unit price Tax % Tax Amount" in text
    lines = [line.strip() for text in texts for line in text.splitlines()]
    printed_nets = []
    for db_line in inv.lines:
        row = line_with(lines, f"Nov 24, 2026 {db_line.description.split(' with')[0]}")
        price, tax, net = amounts(row)
        assert (price, tax, net) == (db_line.unit_price, db_line.tax, db_line.net)
        printed_nets.append(net)
    assert sum(printed_nets) == inv.subtotal
    assert amounts(line_with(lines, "Amount due")) == [inv.amount_due]
    assert f"Page {len(texts)}" in texts[-1]


def test_output_is_reproducible_and_saved_private(
    services: Services, practice: Practice, data_dir: Path
) -> None:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    doc = services.documents.invoice(number)
    assert services.documents.render(doc) == services.documents.render(doc)
    saved = services.documents.save(doc)
    path = Path(saved.path)
    assert path == data_dir / "documents" / f"{number}.pdf"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"%PDF")


def test_names_outside_latin_1_are_printed_not_boxed(
    services: Services, practice: Practice
) -> None:
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        pytest.skip("no DejaVu Sans on this machine: Helvetica replaces what it cannot show")
    client = practice.client("Łukasz Żółkiewski", "lz@example.com")
    services.items.add(client_id=client, description="Sesja terapii", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    text = "\n".join(lines_of(services.documents.render(services.documents.invoice(number))))
    assert "Łukasz Żółkiewski" in text


def test_locale_writes_euros_the_german_way(services: Services, practice: Practice) -> None:
    services.practice.update(currency="EUR")
    services.documents.update_settings(locale="de_DE")
    client = practice.client()
    services.items.add(client_id=client, description="Sitzung", price="1234.56", on=DAY)
    number = services.invoices.create(client_id=client).number
    data = services.documents.render(services.documents.invoice(number))
    total = line_with(lines_of(data), "Total")
    assert "1.234,56" in total and "€" in total
    width, height = PdfReader(io.BytesIO(data)).pages[0].mediabox.upper_right
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 outside the US


def test_only_the_pdf_adapter_modules_import_reportlab() -> None:
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "cp_tui").rglob("*.py")
        if re.search(r"^\s*(from|import) reportlab", path.read_text("utf-8"), re.MULTILINE)
    )
    assert importers == [
        "cp_tui/adapters/pdf.py",
        "cp_tui/adapters/pdf_fonts.py",
        "cp_tui/adapters/pdf_lines.py",
        "cp_tui/adapters/pdf_text.py",
    ]


def test_the_payment_link_hook_puts_link_and_qr_on_open_invoices_only(
    services: Services, practice: Practice, tmp_path: Path
) -> None:
    from cp_tui.adapters import pdf
    from cp_tui.services.documents import DocumentService

    asked: list[str] = []

    def link(number: str) -> str | None:
        asked.append(number)
        return f"https://pay.example.com/{number}"

    docs = DocumentService(
        services.db, services.clock, renderer=pdf.render, documents_dir=tmp_path, payment_links=link
    )
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    text = "\n".join(lines_of(docs.render(docs.invoice(number))))
    assert f"https://pay.example.com/{number}" in text and "Pay online" in text
    services.payments.record(number, amount="150.00", method="cash")
    paid = docs.invoice(number)
    assert paid.payment_link is None and asked == [number]
    assert "Pay online" not in "\n".join(lines_of(docs.render(paid)))
