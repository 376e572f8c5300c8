"""Encryption at rest (SQLCipher): the practice, its -wal and its backups hold no
plain text; a missing or wrong key is refused and the file left as it was; every
figure survives encrypt, backup, restore, check and decrypt.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from cp_tui import cipher
from cp_tui.backup import list_backups, make_backup
from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import main
from cp_tui.clock import FrozenClock
from cp_tui.config import DB_FILENAME, resolve_settings
from cp_tui.store import StoreError
from tests.unit.test_backup import _fill, _more, _totals

pytest.importorskip("sqlcipher3")  # the [encryption] extra; the dev extra installs it

SENTINEL = "Zebulon Sentinelname"
KEY = "correct horse 'battery' staple"


def _open(data_dir: Path, clock: FrozenClock) -> Services:
    return build_services(resolve_settings(data_dir, environ={}), clock=clock)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bytes(data_dir: Path) -> bytes:
    """The practice file with its -wal (where fresh commits sit until a checkpoint)."""
    db = data_dir / DB_FILENAME
    wal = Path(f"{db}-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty in-memory keyring, so the machine's own never answers."""
    import keyring
    from keyring.backend import KeyringBackend

    class Empty(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Empty())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def practice(tmp_path: Path, clock: FrozenClock, no_keyring: None) -> Path:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, clock)
    _fill(s)
    s.clients.add(name=SENTINEL, email="zebulon@example.com")
    s.close()
    return data_dir


def test_encrypt_round_trips_every_figure_and_leaves_no_plain_text(
    practice: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = _open(practice, clock)
    before = _totals(s)
    s.close()
    db = practice / DB_FILENAME
    assert SENTINEL.encode() in _bytes(practice)

    monkeypatch.setenv(cipher.KEY_ENV, KEY)
    code, out, err = _run(capsys, "--data-dir", str(practice), "encrypt")
    assert code == 0, err
    assert "encrypted" in out
    assert cipher.is_encrypted(db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert SENTINEL.encode() not in _bytes(practice)
    # Nothing plain is left beside it: the old file went once the new one checked out.
    # (The empty lock file says which processes have the practice open; it holds no data.)
    lock = practice / f"{DB_FILENAME}.lock"
    assert lock.stat().st_size == 0
    others = sorted(p.name for p in practice.iterdir() if p.is_file() and p != lock)
    assert others == [DB_FILENAME]

    s = _open(practice, clock)
    assert _totals(s) == before
    with s.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
    _more(s)  # writes through SQLCipher, in WAL mode
    after = _totals(s)
    assert SENTINEL.encode() not in _bytes(practice)
    s.close()

    code, out, _ = _run(capsys, "--data-dir", str(practice), "check")
    assert code == 0 and "OK" in out

    code, out, err = _run(capsys, "--data-dir", str(practice), "decrypt")
    assert code == 0, err
    assert cipher.is_plain(db)
    monkeypatch.delenv(cipher.KEY_ENV)
    s = _open(practice, clock)
    assert _totals(s) == after
    s.close()
    assert SENTINEL.encode() in _bytes(practice)


def test_a_missing_or_wrong_key_is_refused_and_the_file_left_untouched(
    practice: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(cipher.KEY_ENV, KEY)
    assert _run(capsys, "--data-dir", str(practice), "encrypt")[0] == 0
    s = _open(practice, clock)
    s.close()  # a backup folder with encrypted backups is not needed for the message
    db = practice / DB_FILENAME
    sealed = _sha(db)

    monkeypatch.delenv(cipher.KEY_ENV)
    with pytest.raises(StoreError, match=cipher.KEY_ENV):
        _open(practice, clock)
    code, _, err = _run(capsys, "--data-dir", str(practice), "clients", "list")
    assert code == 2 and cipher.KEY_ENV in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1

    monkeypatch.setenv(cipher.KEY_ENV, "not the key")
    with pytest.raises(StoreError, match="key does not open"):
        _open(practice, clock)
    for command in (["check"], ["backup"], ["decrypt"], ["encrypt"]):
        code, _, err = _run(capsys, "--data-dir", str(practice), *command)
        assert code in (1, 2), command
        assert "Traceback" not in err
    assert _sha(db) == sealed
    assert not Path(f"{db}-wal").exists()


def test_backups_of_an_encrypted_practice_are_encrypted_and_restore(
    practice: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(cipher.KEY_ENV, KEY)
    plain_backup = make_backup(practice / DB_FILENAME).path
    code, out, _ = _run(capsys, "--data-dir", str(practice), "encrypt")
    assert code == 0 and "not encrypted" in out  # the plain backup made before is named

    s = _open(practice, clock)
    kept = _totals(s)
    s.close()
    # Opening may take the day's automatic backup (by the frozen clock's day): the
    # backup to look at is the one the command makes.
    before = set(list_backups(practice / DB_FILENAME))
    code, _, err = _run(capsys, "--data-dir", str(practice), "backup")
    assert code == 0, err
    made = [b for b in list_backups(practice / DB_FILENAME) if b not in before]
    assert len(made) == 1 and cipher.is_encrypted(made[0])
    assert SENTINEL.encode() not in made[0].read_bytes()
    assert stat.S_IMODE(made[0].stat().st_mode) == 0o600

    s = _open(practice, clock)
    _more(s)
    assert _totals(s) != kept
    s.close()
    code, _, err = _run(capsys, "--data-dir", str(practice), "restore", str(made[0]))
    assert code == 0, err
    s = _open(practice, clock)
    assert _totals(s) == kept
    s.close()

    # A plain backup from before the encryption restores too (it replaces the file).
    code, _, err = _run(capsys, "--data-dir", str(practice), "restore", plain_backup)
    assert code == 0, err
    assert cipher.is_plain(practice / DB_FILENAME)
    s = _open(practice, clock)
    assert _totals(s) == kept
    s.close()

    # Without the key an encrypted backup is refused, not taken for junk.
    monkeypatch.delenv(cipher.KEY_ENV)
    code, _, err = _run(capsys, "--data-dir", str(practice), "restore", str(made[0]))
    assert code == 2 and cipher.KEY_ENV in err and "nothing was restored" in err


def test_a_new_practice_is_created_encrypted_when_a_key_is_set(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    monkeypatch.setenv(cipher.KEY_ENV, KEY)
    data_dir = tmp_path / "new"
    s = build_services(resolve_settings(data_dir, environ={}), clock=clock)
    s.clients.add(name=SENTINEL)
    s.close()
    db = data_dir / DB_FILENAME
    assert cipher.is_encrypted(db)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert SENTINEL.encode() not in _bytes(data_dir)


def test_the_key_is_read_from_the_keyring(
    practice: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            self.stored: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.stored.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.stored[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.stored.pop((service, username), None)

    memory = Memory()
    memory.set_password(cipher.KEYRING_SERVICE, cipher.KEYRING_ENTRY, KEY)
    keyring.set_keyring(memory)
    monkeypatch.delenv(cipher.KEY_ENV, raising=False)
    assert main(["--data-dir", str(practice), "encrypt"]) == 0
    s = _open(practice, clock)
    assert any(c.name == SENTINEL for c in s.clients.list())
    s.close()
