"""The calendar's first week, read with plain sqlite3 before the services are up.

Importing SQLModel, SQLAlchemy and pydantic costs more than a whole bare Textual
app takes to paint; this reader imports none of them, so the week can be on
screen while the services still load. It is read-only and answers only when it
can be sure to agree with ``CalendarService.list``: a plain SQLite file whose
schema revision is this code's HEAD. Anything else (PostgreSQL, an older or newer
schema, a file SQLite cannot read) gives None, and the caller waits for the
services as before. The queries mirror ``CalendarService._week_reads``; a test
keeps the two equal on the demo practice.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from cp_tui.migrations import HEAD
from cp_tui.services.readmodels import AppointmentRead

SQLITE_PREFIX = "sqlite:///"


def sqlite_file(database_url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL; None for any other database."""
    if not database_url.startswith(SQLITE_PREFIX) or "?" in database_url:
        return None
    path = database_url[len(SQLITE_PREFIX) :]
    return Path(path) if path and path != ":memory:" else None


def week_preview(database_url: str, monday: date) -> list[AppointmentRead] | None:
    """The appointments from ``monday`` to Sunday as ``CalendarService.list`` gives
    them, or None when this reader cannot vouch for the answer."""
    path = sqlite_file(database_url)
    if path is None or not path.is_file():
        return None
    try:
        # mode=ro: never creates, migrates or writes; the services do that. With no
        # -wal beside it every commit is in the file: read it as immutable, so not
        # even an empty -wal or -shm appears beside a file that may be damaged.
        mode = "ro" if Path(f"{path}-wal").exists() else "ro&immutable=1"
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if row != [(HEAD,)]:
            return None
        return _week(conn, monday)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _stamp(day: date) -> str:
    # SQLAlchemy's DateTime on SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' text.
    return f"{day.isoformat()} 00:00:00.000000"


def _week(conn: sqlite3.Connection, monday: date) -> list[AppointmentRead]:
    appts = conn.execute(
        "SELECT id, start, duration_min, status, series_id FROM appointment"
        " WHERE start >= ? AND start < ? ORDER BY start, id",
        (_stamp(monday), _stamp(monday + timedelta(days=7))),
    ).fetchall()
    ids = [row[0] for row in appts]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    clients: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for appointment_id, client_id, name in conn.execute(
        "SELECT a.appointment_id, a.client_id, c.name FROM attendee a"
        f" JOIN client c ON c.id = a.client_id WHERE a.appointment_id IN ({marks})"
        " ORDER BY a.position",
        ids,
    ):
        clients[appointment_id].append((client_id, name))
    services: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for appointment_id, service_id, name in conn.execute(
        "SELECT ch.appointment_id, ch.service_id, s.name FROM charge ch"
        f" JOIN service s ON s.id = ch.service_id WHERE ch.appointment_id IN ({marks})"
        " ORDER BY ch.id",
        ids,
    ):
        services[appointment_id].append((service_id, name))
    items: dict[int, list[int]] = defaultdict(list)
    for item_id, appointment_id in conn.execute(
        f"SELECT id, appointment_id FROM billing_item WHERE appointment_id IN ({marks})", ids
    ):
        items[appointment_id].append(item_id)
    item_ids = [i for own in items.values() for i in own]
    invoiced: set[int] = set()
    if item_ids:
        item_marks = ",".join("?" * len(item_ids))
        invoiced = {
            row[0]
            for row in conn.execute(
                "SELECT l.active_item_id FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id"
                f" WHERE l.active_item_id IN ({item_marks})",
                item_ids,
            )
        }
    reads = []
    for appt_id, start, duration_min, status, series_id in appts:
        own_items = items[appt_id]
        done = sum(1 for i in own_items if i in invoiced)
        own_services = services[appt_id]
        reads.append(
            AppointmentRead(
                id=appt_id,
                start=datetime.fromisoformat(start),
                duration_min=duration_min,
                status=status,
                series_id=series_id,
                client_ids=[c for c, _ in clients[appt_id]],
                client_names=[n for _, n in clients[appt_id]],
                service_ids=list(dict.fromkeys(i for i, _ in own_services)),
                service_names=list(dict.fromkeys(n for _, n in own_services)),
                uninvoiced_items=len(own_items) - done,
                invoiced_items=done,
            )
        )
    return reads
