"""`cp-tui backup` and `restore` of a practice on PostgreSQL (pg_dump, pg_restore).

Runs against the throwaway server of tests/postgres.py; skipped where the suite
has no PostgreSQL.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cp_tui import pg_backup
from cp_tui.bootstrap import Services, build_services
from cp_tui.cli import main
from cp_tui.clock import FrozenClock
from cp_tui.config import resolve_settings
from tests.postgres import PostgresServer, unavailable_reason
from tests.unit.test_backup import _fill, _more, _totals

pytestmark = pytest.mark.skipif(
    unavailable_reason() is not None, reason=f"no PostgreSQL: {unavailable_reason()}"
)


@pytest.fixture
def server_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


def _open(data_dir: Path, url: str, clock: FrozenClock) -> Services:
    return build_services(
        resolve_settings(data_dir, environ={"CP_TUI_DATABASE_URL": url}), clock=clock
    )


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_backup_and_restore_a_practice_on_postgresql(
    server_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, server_url, clock)
    _fill(s)
    kept = _totals(s)
    s.close()
    monkeypatch.setenv("CP_TUI_DATABASE_URL", server_url)

    code, out, err = _run(capsys, "--data-dir", str(data_dir), "backup")
    assert code == 0, err
    (made,) = pg_backup.list_backups(data_dir)
    assert made.suffix == ".dump" and str(made) in out
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    assert made.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "backup", "--list")
    assert code == 0 and str(made) in out

    s = _open(data_dir, server_url, clock)
    _more(s)
    assert _totals(s) != kept
    s.close()

    code, out, err = _run(capsys, "--data-dir", str(data_dir), "restore", str(made))
    assert code == 0, err
    asides = sorted(data_dir.glob("practice.before-restore-*.dump"))
    assert len(asides) == 1 and stat.S_IMODE(asides[0].stat().st_mode) == 0o600
    s = _open(data_dir, server_url, clock)
    assert _totals(s) == kept
    s.close()
    code, out, _ = _run(capsys, "--data-dir", str(data_dir), "check")
    assert code == 0 and "OK" in out

    # The practice as it was before the restore comes back from the file kept aside.
    code, _, err = _run(capsys, "--data-dir", str(data_dir), "restore", str(asides[0]))
    assert code == 0, err
    s = _open(data_dir, server_url, clock)
    assert _totals(s) != kept
    s.close()


def test_restore_refuses_what_is_not_a_cp_tui_dump_and_changes_nothing(
    server_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "practice"
    s = _open(data_dir, server_url, clock)
    _fill(s)
    kept = _totals(s)
    s.close()
    monkeypatch.setenv("CP_TUI_DATABASE_URL", server_url)
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP" + b"\x00" * 200)
    code, _, err = _run(capsys, "--data-dir", str(data_dir), "restore", str(junk))
    assert code == 2 and "nothing was restored" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "--data-dir", str(data_dir), "restore", str(tmp_path / "no"))
    assert code == 2 and "is not a file" in err
    s = _open(data_dir, server_url, clock)
    assert _totals(s) == kept
    s.close()
