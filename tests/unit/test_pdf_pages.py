"""Where things land on the page, read back with pypdf: running footers, the right
margin, room between columns, and addresses typed on the command line.

Positions come from pypdf's own layout pass (``extract_text(extraction_mode="layout",
layout_mode_debug_path=...)`` writes every text-show operation with the x where it
starts and the x where it ends, worked out from the font's widths in the PDF), so no
ReportLab measurement is involved in checking what ReportLab drew.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader

from cp_tui.adapters.pdf import render
from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import main
from cp_tui.config import resolve_settings
from cp_tui.documents import (
    DocLine,
    DocPayment,
    Document,
    InvoiceDocument,
    Party,
    PracticeHeader,
    ReceiptDocument,
    StatementDocument,
    StatementRow,
    SuperbillDocument,
    SuperbillLine,
    TaxRow,
)
from tests.unit.test_pdf import lines_of, pages

MARGIN = 18 * 72 / 25.4  # the PDFs' left and right margins, in points
START = date(2026, 1, 5)
PRACTICE = PracticeHeader(
    name="Harbour Street Counselling",
    address="14 Harbour St\nPortland, OR 97201",
    tax_id="12-3456789",
    email="hello@harbour.example",
    phone="555-0100",
    npi="1234567893",
    payment_instructions="Bank: 12-3456",
    currency="USD",
    locale="en_US",
)
CLIENT = Party(
    9, "Alex Rivera", "22 Elm Road\nSalem, OR 97301", "alex@example.com", date(1988, 4, 2)
)


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    x1: float
    y: float


def boxes(data: bytes, page: int, folder: Path) -> list[Box]:
    """Every text-show operation of one page, with where it starts and ends."""
    folder.mkdir(parents=True, exist_ok=True)
    PdfReader(io.BytesIO(data)).pages[page].extract_text(
        extraction_mode="layout", layout_mode_debug_path=folder
    )
    return [
        Box(tj["text"], tj["tx"], tj["displaced_tx"], tj["ty"])
        for tj in json.loads((folder / "tjs.json").read_text("utf-8"))
        if tj["text"].strip()
    ]


def top(found: list[Box], text: str) -> Box:
    """The highest ``text`` on the page (the header's, not a table row's)."""
    matches = [b for b in found if b.text.strip() == text]
    assert matches, f"{text!r} not in {[b.text for b in found]}"
    return max(matches, key=lambda b: b.y)


def right_margin(data: bytes) -> float:
    return float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width) - MARGIN


def invoice(
    *,
    kind: str = "invoice",
    lines: int = 1,
    price: int = 15000,
    rate: str = "0",
    status: str = "unpaid",
) -> InvoiceDocument:
    doc_lines = []
    for n in range(lines):
        tax = int((price * Decimal(rate) / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
        doc_lines.append(
            DocLine(
                START, f"Session {n + 1}", Decimal(1), price, Decimal(rate), price, tax, price + tax
            )
        )
    net = sum(line.net for line in doc_lines)
    tax = sum(line.tax for line in doc_lines)
    credit_note = kind == "credit_note"
    return InvoiceDocument(
        kind=kind,
        practice=PRACTICE,
        bill_to=CLIENT,
        number="CN-0003" if credit_note else "INV-0042",
        status=status,
        issue_date=START,
        due_date=START + timedelta(days=14),
        currency="USD",
        lines=tuple(doc_lines),
        tax_by_rate=(TaxRow(Decimal(rate), net, tax),) if tax else (),
        subtotal=net,
        tax=tax,
        total=net + tax,
        credit_applied=0,
        amount_paid=net + tax if status == "paid" else 0,
        amount_due=0 if status == "paid" or credit_note else net + tax,
        payments=(),
        corrects="INV-0007" if credit_note else None,
        reason="Overbilled" if credit_note else "",
    )


def superbill(weeks: int, patient: Party = CLIENT) -> SuperbillDocument:
    lines = tuple(
        SuperbillLine(
            START + timedelta(weeks=n),
            "90837",
            "Psychotherapy, 60 minutes",
            "11",
            Decimal(1),
            15000,
            15000,
            f"INV-{n:04d}",
        )
        for n in range(weeks)
    )
    total = 15000 * weeks
    return SuperbillDocument(
        PRACTICE, patient, date(2026, 1, 1), date(2026, 12, 31), "USD", ("F41.1",), lines,
        total, total, 0,
    )  # fmt: skip


def statement(weeks: int) -> StatementDocument:
    rows = tuple(
        StatementRow(START + timedelta(weeks=n), f"Invoice INV-{n:04d}", 15000, 0, 15000 * (n + 1))
        for n in range(weeks)
    )
    total = 15000 * weeks
    return StatementDocument(
        PRACTICE, CLIENT, date(2026, 1, 1), date(2026, 12, 31), "USD", 0, rows, total, 0, total,
        0, (),
    )  # fmt: skip


def receipt() -> ReceiptDocument:
    return ReceiptDocument(
        PRACTICE, CLIENT, "R-0005", 5, START, "card", "ch_1", "USD", 15000, 15000, 0,
        "INV-0042", 15000, 0, 0, 0,
    )  # fmt: skip


# -- every page says whose it is --------------------------------------------------------


@pytest.mark.parametrize("make", [superbill, statement], ids=["superbill", "statement"])
def test_every_page_of_a_long_superbill_or_statement_names_the_client_and_period(
    make: Callable[[int], Document],
) -> None:
    document = make(60)
    texts = pages(render(document))
    assert len(texts) >= 2
    for number, text in enumerate(texts, 1):
        footer = text.strip().splitlines()[-1]
        assert f"{document.title} · Alex Rivera, Jan 1, 2026 to Dec 31, 2026" in footer
        assert f"Page {number} of {len(texts)}" in footer


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (invoice(lines=60), "Invoice INV-0042"),
        (invoice(kind="credit_note", price=-4000), "Credit note CN-0003"),
        (receipt(), "Receipt R-0005"),
    ],
    ids=["invoice", "credit-note", "receipt"],
)
def test_invoices_credit_notes_and_receipts_carry_their_number_on_every_page(
    document: Document, named: str
) -> None:
    texts = pages(render(document))
    for number, text in enumerate(texts, 1):
        footer = text.strip().splitlines()[-1]
        assert f"Harbour Street Counselling · {named}" in footer
        assert f"Page {number} of {len(texts)}" in footer


def test_a_footer_too_long_for_the_page_is_shortened_not_run_into_the_page_number(
    tmp_path: Path,
) -> None:
    long_name = "Maximiliana Alexandrina Featherstonehaugh-Cholmondeley-Worthington"
    practice = replace(PRACTICE, name="The Very Long Named Centre for Counselling " * 2)
    for name, shown in (
        (long_name, f"{long_name}, Jan 1, 2026 to Dec 31, 2026"),
        (long_name * 2, "..."),
    ):
        data = render(replace(superbill(60, replace(CLIENT, name=name)), practice=practice))
        for page in (0, 1):
            found = boxes(data, page, tmp_path / f"{len(name)}-{page}")
            label = next(b for b in found if b.text.startswith("Page "))
            footer = next(b for b in found if b.y == label.y and b is not label)
            assert footer.x1 < label.x0 - 10
            text = " ".join(footer.text.split())
            # The practice's name gives way first, then the end of the client's.
            assert text.startswith(f"Superbill · {long_name}") and text.endswith(shown)


# -- the right margin --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "values"),
    [
        (invoice(), ["INVOICE", "INV-0042", "Jan 5, 2026", "Jan 19, 2026"]),
        (invoice(status="paid"), ["INVOICE", "INV-0042", "Jan 5, 2026", "PAID"]),
        (invoice(status="void"), ["INVOICE", "VOID"]),
        (invoice(kind="credit_note", price=-4000), ["CREDIT NOTE", "CN-0003", "INV-0007"]),
        (receipt(), ["RECEIPT", "R-0005", "INV-0042"]),
    ],
    ids=["invoice", "paid", "void", "credit-note", "receipt"],
)
def test_title_number_dates_and_stamp_end_at_the_right_margin(
    document: Document, values: list[str], tmp_path: Path
) -> None:
    data = render(document)
    found = boxes(data, 0, tmp_path)
    margin = right_margin(data)
    for text in values:
        assert top(found, text).x1 == pytest.approx(margin, abs=0.5), text


def test_a4_pages_end_their_numbers_at_the_right_margin_too(tmp_path: Path) -> None:
    data = render(replace(invoice(), practice=replace(PRACTICE, locale="en_GB")))
    found = boxes(data, 0, tmp_path)
    assert right_margin(data) == pytest.approx(595.28 - MARGIN, abs=0.1)
    for text in ("INVOICE", "INV-0042"):
        assert top(found, text).x1 == pytest.approx(right_margin(data), abs=0.5), text


# -- room between columns ----------------------------------------------------------------


def test_large_tax_amounts_keep_clear_of_the_rate_and_the_amount(tmp_path: Path) -> None:
    # 1,234,567.76 at 8.25%: tax 101,851.84, amounts as long as a practice will see.
    data = render(invoice(lines=2, price=123456776, rate="8.25"))
    found = boxes(data, 0, tmp_path)
    header = next(b for b in found if b.text == "Tax %").y
    row = sorted((b for b in found if b.y < header and b.y > header - 20), key=lambda b: b.x0)
    assert [b.text for b in row] == [
        "Jan 5, 2026",
        "Session 1",
        "1",
        "$1,234,567.76",
        "8.25%",
        "$101,851.84",
        "$1,234,567.76",
    ]
    for left, right in pairwise(row):
        assert right.x0 - left.x1 >= 10, f"{left.text!r} and {right.text!r} nearly touch"
    # Each amount still ends under its own heading, inside the page.
    titles = {b.text: b for b in found if b.y == header}
    for title, cell in zip(("Unit price", "Tax %", "Tax", "Amount"), row[3:], strict=True):
        assert cell.x1 == pytest.approx(titles[title].x1, abs=0.01)
    assert row[-1].x1 <= right_margin(data)


def test_ordinary_amounts_keep_the_usual_column_widths(tmp_path: Path) -> None:
    # Widths are the layout's shares of the page unless a text needs more: the
    # "Amount" heading ends 6 pt in from the margin and "Units" where its share ends.
    data = render(invoice(lines=3, rate="15"))
    titles = {b.text: b for b in boxes(data, 0, tmp_path)}
    width = right_margin(data) - MARGIN
    shares = [1.3, 4.0, 0.8, 1.4, 0.9, 1.2, 1.5]
    units_end = MARGIN + width * sum(shares[:3]) / sum(shares) - 6
    assert titles["Units"].x1 == pytest.approx(units_end, abs=0.01)
    assert titles["Amount"].x1 == pytest.approx(right_margin(data) - 6, abs=0.01)


# -- addresses typed on the command line -------------------------------------------------


def test_a_typed_backslash_n_in_an_address_is_a_new_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cli-practice"
    base = ["--data-dir", str(folder), "clients"]
    assert main([*base, "add", "--name", "Ivan Petrov", "--address", r"1 Elm St\nSalem"]) == 0
    assert main([*base, "edit", "1", "--address", r"12 Oak Lane\nSpringfield, IL 62701"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([*base, "edit", "--help"])
    assert r"\n for a new line" in " ".join(capsys.readouterr().out.split())

    services: Services = build_services(resolve_settings(folder, environ={}))
    try:
        assert services.clients.get(1).address == "12 Oak Lane\nSpringfield, IL 62701"
        doc = services.documents.statement(1, date(2026, 1, 1), date(2026, 12, 31))
        lines = lines_of(services.documents.render(doc))
    finally:
        services.close()
    at = lines.index("Ivan Petrov")
    assert lines[at + 1 : at + 3] == ["12 Oak Lane", "Springfield, IL 62701"]
    assert not any("\\" in line for line in lines)


def test_a_long_payment_reference_wraps_inside_the_page(tmp_path: Path) -> None:
    reference = "Transfer from joint account " + "REF-2026-11-0042 " * 10
    paid = replace(
        invoice(status="paid"),
        payments=(DocPayment(START, "transfer", reference.strip(), 15000),),
    )
    data = render(paid)
    found = boxes(data, 0, tmp_path)
    for box in found:
        assert box.x0 >= MARGIN - 0.5 and box.x1 <= right_margin(data) + 0.5, box
    text = " ".join(b.text.strip() for b in found)
    assert "REF-2026-11-0042" in text and "-$150.00" in text
