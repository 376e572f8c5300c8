"""What a batch run shows and reports: the rows of a preview and the outcome per client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One client a run would invoice."""

    client_id: int
    client_name: str
    email: str
    item_ids: list[int]
    total: int
    credit: int
    card: str | None

    @property
    def items(self) -> int:
        return len(self.item_ids)


@dataclass(frozen=True, slots=True)
class UnbilledOccurrence:
    """A past recurring session that is neither billed nor marked as not having happened."""

    appointment_id: int
    start: datetime
    status: str
    client_names: list[str]
    service_names: list[str]


@dataclass(frozen=True, slots=True)
class BatchPreview:
    period: str
    start: date
    end: date
    currency: str
    rows: list[BatchRow]
    unbilled: list[UnbilledOccurrence]
    include_earlier: bool = False
    # Uninvoiced items of active clients dated before ``start``, left out of
    # ``rows`` unless ``include_earlier``: counted so they are never forgotten.
    earlier_items: int = 0
    earlier_clients: int = 0

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What a run did for one client."""

    client_id: int
    client_name: str
    status: str  # created, skipped or failed
    invoice: str | None = None
    total: int = 0
    amount_due: int = 0
    sent: bool = False
    charged: str | None = None  # the charge's outcome, when one was tried
    message: str = ""
    # Asked to be sent or charged, and it was not: the invoice stands, the run
    # reports it, and `cp-tui invoices send` or `payments charge` finishes it.
    undelivered: bool = False


@dataclass(frozen=True, slots=True)
class BatchResult:
    outcomes: list[BatchOutcome] = field(default_factory=list)

    @property
    def created(self) -> list[BatchOutcome]:
        return [o for o in self.outcomes if o.status == "created"]

    @property
    def complete(self) -> bool:
        """Every invoice was made, and sent or charged where that was asked."""
        return all(o.status != "failed" and not o.undelivered for o in self.outcomes)
