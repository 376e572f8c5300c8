"""The practice logo: checked when set, kept in the database, drawn on every kind of document."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from cp_tui.bootstrap import Services
from cp_tui.config import DB_FILENAME
from cp_tui.documents import Document
from cp_tui.services.document_settings import MAX_LOGO_BYTES
from cp_tui.services.errors import InvalidInput
from tests.conftest import Practice

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 24)


def logo_bytes(fmt: str = "PNG", size: tuple[int, int] = (300, 100)) -> bytes:
    image = Image.new("RGB", size, (20, 90, 160))
    image.paste((250, 200, 40), (10, 10, 90, 90))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def images_on_first_page(data: bytes) -> list[tuple[int, int]]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return [(img.image.width, img.image.height) for img in page.images if img.image is not None]


def every_kind(services: Services, practice: Practice) -> list[Document]:
    client = practice.client()
    services.items.add(client_id=client, description="Session", price="150.00", on=DAY)
    number = services.invoices.create(client_id=client).number
    paid = services.payments.record(number, amount="50.00", method="cash")
    note = services.credits.add(
        client_id=client, amount="10.00", reason="Late start", invoice_number=number
    )
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    return [
        services.documents.invoice(number),
        services.documents.invoice(note.number),
        services.documents.receipt(paid.payments[-1].id),
        services.documents.statement(client, start, end),
        services.documents.superbill(client, start, end),
    ]


def test_every_kind_of_document_carries_the_logo(services: Services, practice: Practice) -> None:
    read = services.documents.set_logo(logo_bytes(size=(300, 100)))
    assert read.logo == "PNG 300 x 100, 1 KB"
    for document in every_kind(services, practice):
        data = services.documents.render(document)
        assert images_on_first_page(data) == [(300, 100)], document.title


def test_without_a_logo_documents_have_no_image(services: Services, practice: Practice) -> None:
    services.documents.set_logo(logo_bytes())
    services.documents.set_logo(None)
    assert services.documents.settings().logo == ""
    for document in every_kind(services, practice):
        assert images_on_first_page(services.documents.render(document)) == []


def test_a_jpeg_logo_is_printed(services: Services, practice: Practice) -> None:
    services.documents.set_logo(logo_bytes("JPEG", (120, 240)))
    assert services.documents.settings().logo.startswith("JPEG 120 x 240")
    document = every_kind(services, practice)[0]
    assert images_on_first_page(services.documents.render(document)) == [(120, 240)]


def test_a_new_logo_is_a_new_version_of_the_document(
    services: Services, practice: Practice
) -> None:
    from cp_tui.documents import version

    document = every_kind(services, practice)[0]
    services.documents.set_logo(logo_bytes())
    with_logo = services.documents.invoice(document.reference)
    assert version(with_logo) != version(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not a picture", "not an image"),
        (logo_bytes()[:200], "cannot be read"),
        (logo_bytes("GIF"), "PNG or JPEG"),
        (b"", "empty"),
    ],
)
def test_a_file_that_cannot_be_printed_is_refused_with_the_reason(
    services: Services, content: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.documents.set_logo(content)
    assert services.documents.settings().logo == ""


def test_a_logo_too_big_to_carry_in_every_pdf_is_refused(services: Services) -> None:
    big = logo_bytes() + b"\0" * MAX_LOGO_BYTES
    with pytest.raises(InvalidInput, match="at most 512 KB"):
        services.documents.set_logo(big)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cp_tui", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_command_line_sets_and_removes_the_logo_in_the_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    logo = tmp_path / "logo.png"
    logo.write_bytes(logo_bytes())
    done = _cli(data_dir, "documents", "set", "--logo", str(logo), "--json")
    assert done.returncode == 0, done.stderr
    assert '"logo": "PNG 300 x 100' in done.stdout
    database = data_dir / DB_FILENAME
    with sqlite3.connect(database) as conn:
        (stored,) = conn.execute("SELECT logo FROM practice_settings").fetchone()
    assert stored == logo.read_bytes()  # in the database, so a backup carries it

    (tmp_path / "notes.txt").write_text("hello")
    refused = _cli(data_dir, "documents", "set", "--logo", str(tmp_path / "notes.txt"))
    assert refused.returncode == 2 and "not an image" in refused.stderr
    missing = _cli(data_dir, "documents", "set", "--logo", str(tmp_path / "gone.png"))
    assert missing.returncode == 2 and "cannot read the logo" in missing.stderr

    assert _cli(data_dir, "documents", "set", "--no-logo").returncode == 0
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT logo FROM practice_settings").fetchone() == (None,)


def test_a_backup_carries_the_logo(services: Services, tmp_path: Path) -> None:
    from cp_tui.backup import make_backup
    from cp_tui.store import sqlite_path

    logo = logo_bytes()
    services.documents.set_logo(logo)
    db_path = sqlite_path(services.settings.database_url)
    if db_path is None:
        pytest.skip("backups are of SQLite practices")
    copy = Path(make_backup(db_path, to=tmp_path / "copy.db").path)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT logo FROM practice_settings").fetchone() == (logo,)
