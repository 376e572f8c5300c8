"""Writing audit rows, inside the transaction of the change they record."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from cp_tui.clock import Clock
from cp_tui.models import AuditEntry


def record(
    session: Session,
    clock: Clock,
    action: str,
    *,
    client_id: int | None = None,
    invoice_id: int | None = None,
    detail: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=clock.now(),
            action=action,
            client_id=client_id,
            invoice_id=invoice_id,
            detail=detail,
            before=json.dumps(before, default=str, sort_keys=True) if before else "",
            after=json.dumps(after, default=str, sort_keys=True) if after else "",
        )
    )
