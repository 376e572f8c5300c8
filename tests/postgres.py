"""A throwaway PostgreSQL server for the service tests, and a database per test.

``CP_TUI_TEST_DATABASE_URL`` names an existing server instead (a URL whose user
may CREATE DATABASE, e.g. ``postgresql+psycopg://cp@127.0.0.1:5432/postgres``).
Otherwise, when Debian's server binaries are installed
(``/usr/lib/postgresql/*/bin/initdb``), a server is started in a temporary
folder: ``initdb`` (as the ``postgres`` user when the tests run as root, which
initdb refuses), then ``pg_ctl`` listening on a free port of 127.0.0.1 only,
with its socket in that folder. ``CP_TUI_TEST_POSTGRES=0`` turns it all off.

The schema is migrated once into a template database; each test gets a copy
(``CREATE DATABASE ... TEMPLATE``, made ahead in a background thread), dropped
behind it when the test ends (``CP_TUI_TEST_PG_AHEAD=0``: made and dropped in
the test's own time). The server runs without fsync: it is thrown away with its
folder at the end of the session.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

ENV_URL = "CP_TUI_TEST_DATABASE_URL"
ENV_SWITCH = "CP_TUI_TEST_POSTGRES"
TEMPLATE = "cp_tui_template"
READY_AHEAD = int(os.environ.get("CP_TUI_TEST_PG_AHEAD", "2"))
USER = "cp"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian keeps it off PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _driver_installed() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


def unavailable_reason() -> str | None:
    """Why the suite runs on SQLite only, or None when PostgreSQL is there."""
    if os.environ.get(ENV_SWITCH, "").lower() in {"0", "no", "off", "false"}:
        return f"{ENV_SWITCH}=0"
    if not _driver_installed():
        return "psycopg is not installed (pip install -e '.[dev]')"
    if os.environ.get(ENV_URL):
        return None
    if server_binaries() is None:
        return "no PostgreSQL server binaries (apt-get install postgresql)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """Hands out databases; starts (and later stops) its own server when it has to."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._bin: Path | None = None
        self._counter = itertools.count(1)
        self._ready: queue.Queue[str] = queue.Queue()
        self._drops: queue.Queue[str] = queue.Queue()
        self._stopping = threading.Event()
        self._helper: threading.Thread | None = None
        self._failure: Exception | None = None
        self._prefix = f"cp_tui_t{os.getpid()}_"
        given = os.environ.get(ENV_URL)
        self.admin_url: URL = (
            make_url(given).set(drivername="postgresql+psycopg") if given else self._start()
        )
        self._make_template()

    # -- the server ---------------------------------------------------------------------

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _start(self) -> URL:
        binaries = server_binaries()
        assert binaries is not None
        self._bin = binaries
        # Not under pytest's own tmp folder: that is 0700 root, closed to postgres.
        folder = Path(tempfile.mkdtemp(prefix="cp-tui-pg-"))
        self._folder = folder
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        log = folder / "server.log"
        self._run(
            [
                str(binaries / "initdb"),
                *("-D", str(data), "-A", "trust", "-U", USER),
                *("-E", "UTF8", "--locale=C", "--no-sync"),
            ]
        )
        last_error = ""
        for _attempt in range(3):  # another process may take the free port first
            port = _free_port()
            options = (
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            try:
                self._run(
                    [
                        str(binaries / "pg_ctl"),
                        *("start", "-w", "-t", "60", "-D", str(data)),
                        *("-o", options, "-l", str(log)),
                    ]
                )
            except RuntimeError as exc:
                last_error = str(exc)
                continue
            self.port = port
            return URL.create(
                "postgresql+psycopg",
                username=USER,
                host="127.0.0.1",
                port=port,
                database="postgres",
            )
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {last_error}\n{tail}")

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            self._as_owner(command),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")

    def stop(self) -> None:
        if self._folder is None or self._bin is None:
            return
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run(
                [
                    str(self._bin / "pg_ctl"),
                    *("stop", "-D", str(self._folder / "data"), "-m", "immediate", "-w"),
                ]
            )
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    # -- databases --------------------------------------------------------------------------

    def _admin(self) -> Any:
        import psycopg

        url = self.admin_url
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            autocommit=True,
            connect_timeout=10,
        )

    def url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def _make_template(self) -> None:
        from cp_tui.store import open_engine

        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._prefix}{TEMPLATE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self._prefix}{TEMPLATE}"')
        engine = open_engine(self.url(f"{self._prefix}{TEMPLATE}"))
        engine.dispose()
        self._strategy = " STRATEGY FILE_COPY"
        with self._admin() as conn:
            version = int(conn.info.server_version)
            if version < 150000:
                self._strategy = ""

    def create_database(self, *, empty: bool = False) -> str:
        """A new database with the current schema (or none); returns its SQLAlchemy URL.

        Copies of the template are made ahead by a background thread (and
        dropped behind), so a test waits for neither.
        """
        if empty:
            name = f"{self._prefix}{next(self._counter)}"
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            return self.url(name)
        if READY_AHEAD == 0:
            return self._copy_template()
        self._start_helper()
        while True:
            if self._failure is not None:
                raise RuntimeError(f"could not make a test database: {self._failure}")
            try:
                return self._ready.get(timeout=0.5)
            except queue.Empty:
                continue

    def drop_database(self, url: str) -> None:
        if READY_AHEAD == 0:
            self._drop_now(url)
            return
        self._start_helper()
        self._drops.put(url)

    def _copy_template(self) -> str:
        name = f"{self._prefix}{next(self._counter)}"
        started = time.monotonic()
        while True:
            try:
                with self._admin() as conn:
                    conn.execute(
                        f'CREATE DATABASE "{name}" TEMPLATE "{self._prefix}{TEMPLATE}"'
                        f"{self._strategy}"
                    )
                return self.url(name)
            except Exception as exc:  # the template is busy for a moment after use
                if "is being accessed" not in str(exc) or time.monotonic() - started > 10:
                    raise
                time.sleep(0.05)

    def _drop_now(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _start_helper(self) -> None:
        if self._helper is None:
            self._helper = threading.Thread(target=self._work, name="pg-databases", daemon=True)
            self._helper.start()

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                try:
                    self._drop_now(self._drops.get_nowait())
                    continue
                except queue.Empty:
                    pass
                if self._ready.qsize() < READY_AHEAD:
                    self._ready.put(self._copy_template())
                    continue
            except Exception as exc:
                self._failure = exc
                return
            time.sleep(0.01)

    def close(self) -> None:
        self._stopping.set()
        if self._helper is not None:
            self._helper.join(timeout=60)
        leftovers = list(self._ready.queue) + list(self._drops.queue)
        if self._folder is None:  # a server we were given: leave only what we made
            with contextlib.suppress(Exception):
                for url in leftovers:
                    self._drop_now(url)
                with self._admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self._prefix}{TEMPLATE}" WITH (FORCE)')
            return
        self.stop()
