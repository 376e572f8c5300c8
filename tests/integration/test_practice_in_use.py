"""`cp-tui encrypt` and `decrypt` replace the practice file: never while it is open elsewhere.

A terminal that still has the practice open would write to the old file once the
new one takes its name, and lose that work. A second process really holds the
practice open here; the conversion is refused in one line and the file is left
byte for byte as it was. Once that process quits, the conversion goes through.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from cp_tui import cipher, presence
from cp_tui.bootstrap import build_services
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.store import StoreError
from tests.integration.workload import ROOT, clean_environ, entry_point

KEY = "a key for the practice in use"

# Opens the practice as the TUI does and keeps it open until its stdin closes.
HOLDER = (
    "import sys\n"
    "from cp_tui.bootstrap import build_services\n"
    "from cp_tui.config import resolve_settings\n"
    "s = build_services(resolve_settings(sys.argv[1], environ={}))\n"
    "print('open', flush=True)\n"
    "sys.stdin.read()\n"
    "s.close()\n"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    data_dir = tmp_path / "practice"
    s = build_services(resolve_settings(data_dir, environ={}))
    s.clients.add(name="Ann Archer", email="ann@example.com")
    s.close()
    return data_dir


def _cp_tui(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*entry_point(), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_environ(**{cipher.KEY_ENV: KEY}),
        timeout=120,
        check=False,
    )


def test_encrypt_waits_for_every_other_terminal_to_close(practice: Path) -> None:
    pytest.importorskip("sqlcipher3")
    db = practice / DB_FILENAME
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(practice)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=clean_environ(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = _sha(db)
        refused = _cp_tui(practice, "encrypt")
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.count("\n") == 1
        assert "open in another terminal or command" in refused.stderr
        assert "run `cp-tui encrypt` again" in refused.stderr
        assert _sha(db) == before and not cipher.is_encrypted(db)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    done = _cp_tui(practice, "encrypt")
    assert done.returncode == 0, done.stderr
    assert cipher.is_encrypted(db)


def test_no_process_opens_a_practice_while_it_is_converted(practice: Path) -> None:
    db = practice / DB_FILENAME
    converting = pytest.raises(presence.PracticeInUse, match="being encrypted or decrypted")
    with presence.alone(db, "encrypt"), converting:
        presence.hold(db, wait_s=0.2)
    # Let go: the practice opens again, and its presence is let go on close.
    s = build_services(resolve_settings(practice, environ={}))
    with pytest.raises(presence.PracticeInUse), presence.alone(db, "decrypt"):
        pass
    s.close()
    with presence.alone(db, "decrypt"):
        pass


def test_opening_during_a_conversion_says_what_to_do(
    practice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence, "WAIT_FOR_CONVERSION_S", 0.2)
    refused = pytest.raises(StoreError, match="wait until it finishes")
    with presence.alone(practice / DB_FILENAME, "encrypt"), refused:
        build_services(resolve_settings(practice, environ={}))


def test_a_new_practice_is_held_from_its_first_opening(tmp_path: Path) -> None:
    data_dir = tmp_path / "new-practice"
    s = build_services(resolve_settings(data_dir, environ={}))
    try:
        with pytest.raises(presence.PracticeInUse), presence.alone(data_dir / DB_FILENAME, "x"):
            pass
    finally:
        s.close()
