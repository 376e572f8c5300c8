"""Backups of a practice on a PostgreSQL server, with the server's own tools.

``cp-tui backup`` runs ``pg_dump --format=custom`` into a 0600 file in the data
folder's ``backups/`` (``practice-YYYYmmdd-HHMMSS.dump``, the newest ``KEEP``
kept) or ``--to FILE``; the archive is read back with ``pg_restore --list``
before it takes its name, so a backup that exists is a whole one.

``cp-tui restore FILE`` reads the archive's schema revision first (a backup
from a newer cp-tui is refused), dumps the database as it is beside the data
folder (``practice.before-restore-YYYYmmdd-HHMMSS.dump``), then runs
``pg_restore --clean --if-exists --single-transaction``: the database is either
wholly the backup or left as it was.

The password travels in ``PGPASSWORD``, never on a command line that ``ps``
shows. ``pg_dump`` must be at least the server's version (Debian's
``postgresql-client`` package).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from cp_tui.backup import KEEP, BackupError, BackupInfo, RestoreInfo, aside_path

SUFFIX = ".dump"
STEM = "practice"
# libpq settings that may ride on the SQLAlchemy URL's query string.
LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "options": "PGOPTIONS"}


@dataclass(frozen=True, slots=True)
class Server:
    """What pg_dump and pg_restore need: a password-free URI and their environment."""

    uri: str
    env: dict[str, str]
    database: str


def server(url: str) -> Server:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        raise BackupError("only a PostgreSQL database is backed up with pg_dump")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    for key, variable in LIBPQ_QUERY.items():
        value = parsed.query.get(key)
        if isinstance(value, str):
            env[variable] = value
    plain = parsed.set(drivername="postgresql", password=None, query={})
    return Server(plain.render_as_string(hide_password=False), env, parsed.database)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found; install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) and try again"
        )
    return found


def _run(command: list[str], target: Server) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=target.env, text=True, capture_output=True, check=False)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def backup_folder(data_dir: Path) -> Path:
    return data_dir / "backups"


def list_backups(data_dir: Path) -> list[Path]:
    folder = backup_folder(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{STEM}-*{SUFFIX}") if p.is_file())


def _dump(target: Server, dest: Path) -> None:
    """pg_dump into a new 0600 file at ``dest``, checked with pg_restore --list."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    staging.unlink(missing_ok=True)
    fd = os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            done = subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--dbname", target.uri],
                env=target.env,
                stdout=handle,
                stderr=subprocess.PIPE,
                check=False,
            )
        if done.returncode != 0:
            raise BackupError(
                f"pg_dump failed ({_last_line(done.stderr.decode(errors='replace'))}); "
                "nothing was kept"
            )
        listed = _run([_tool("pg_restore"), "--list", str(staging)], target)
        if listed.returncode != 0 or "alembic_version" not in listed.stdout:
            raise BackupError(
                f"the dump does not read back ({_last_line(listed.stderr)}); nothing was kept"
            )
        if dest.exists():
            raise BackupError(f"{dest} exists already; choose another name")
        os.chmod(staging, stat.S_IRUSR | stat.S_IWUSR)
        os.replace(staging, dest)
    finally:
        staging.unlink(missing_ok=True)


def make_backup(
    url: str,
    data_dir: Path,
    *,
    to: Path | None = None,
    now: datetime | None = None,
    keep: int = KEEP,
) -> BackupInfo:
    target = server(url)
    now = now or datetime.now()
    if to is None:
        folder = backup_folder(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, stat.S_IRWXU)
        dest = folder / f"{STEM}-{now:%Y%m%d-%H%M%S}{SUFFIX}"
        counter = 1
        while dest.exists():
            dest = folder / f"{STEM}-{now:%Y%m%d-%H%M%S}-{counter}{SUFFIX}"
            counter += 1
    else:
        dest = to.expanduser().resolve()
        if dest.exists():
            raise BackupError(f"{dest} exists already; choose another name")
    _dump(target, dest)
    if to is None and keep > 0:
        for old in list_backups(data_dir)[:-keep]:
            old.unlink(missing_ok=True)
    return BackupInfo(path=str(dest), size=dest.stat().st_size, revision=read_revision(dest))


def read_revision(path: Path, target: Server | None = None) -> str | None:
    """The schema revision stored in a custom-format archive (its alembic_version row)."""
    env = target.env if target else dict(os.environ)
    done = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    # COPY public.alembic_version (version_num) FROM stdin;\n0011\n\\.
    found = re.search(
        r"COPY \S*alembic_version \(version_num\) FROM stdin;\n([^\n]+)\n", done.stdout
    )
    return found.group(1).strip() if found else None


def restore(
    url: str,
    data_dir: Path,
    source: Path,
    *,
    known_revisions: tuple[str, ...],
    now: datetime | None = None,
) -> RestoreInfo:
    target = server(url)
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    listed = _run([_tool("pg_restore"), "--list", str(source)], target)
    if listed.returncode != 0:
        raise BackupError(
            f"{source} is not a pg_dump archive ({_last_line(listed.stderr)}); nothing was restored"
        )
    revision = read_revision(source, target)
    if revision is None:
        raise BackupError(f"{source} is not a cp-tui backup; nothing was restored")
    if revision not in known_revisions:
        raise BackupError(
            f"{source} was written by a newer cp-tui (schema {revision}); nothing was "
            "restored: upgrade cp-tui first"
        )
    now = now or datetime.now()
    aside = aside_path(data_dir, STEM, now, SUFFIX)
    data_dir.mkdir(parents=True, exist_ok=True)
    _dump(target, aside)
    done = _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            target.uri,
            str(source),
        ],
        target,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed ({_last_line(done.stderr)}); the single transaction was "
            f"rolled back, so {target.database} is as it was"
        )
    return RestoreInfo(
        restored_from=str(source),
        database=target.database,
        kept_aside=str(aside),
        revision=revision,
    )
