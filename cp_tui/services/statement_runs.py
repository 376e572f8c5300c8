"""Statements e-mailed in a batch: every active client with activity or a balance.

The run sends each client's statement for the period through ``MailService``,
which records every send and skips a statement version already sent: running
the same period again (after a crash, or to retry the failures) sends only what
has not gone out yet, and never the same statement twice. One client's failure
(no address, a refusing server) is reported and the run goes on to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from cp_tui.models import Client
from cp_tui.services import ledger
from cp_tui.services.documents import DocumentService
from cp_tui.services.errors import DomainError, InvalidInput, NotAllowed
from cp_tui.services.mail import MailService
from cp_tui.store import Database

SENT, ALREADY_SENT, FAILED = "sent", "already sent", "failed"


@dataclass(frozen=True, slots=True)
class StatementTarget:
    client_id: int
    client_name: str
    email: str
    rows: int  # events in the period
    closing_balance: int
    credit_balance: int


@dataclass(frozen=True, slots=True)
class StatementPlan:
    start: date
    end: date
    currency: str
    targets: tuple[StatementTarget, ...]


@dataclass(frozen=True, slots=True)
class StatementOutcome:
    client_id: int
    client_name: str
    status: str  # sent, already sent, failed
    detail: str  # the recipient, or what went wrong and what to do


@dataclass(frozen=True, slots=True)
class StatementRunResult:
    start: date
    end: date
    outcomes: tuple[StatementOutcome, ...]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def summary(self) -> str:
        return (
            f"{self.count(SENT)} sent, {self.count(ALREADY_SENT)} already sent before, "
            f"{self.count(FAILED)} failed"
        )


Progress = Callable[[int, int, StatementOutcome], None]


class StatementRunService:
    """Plan and send the period's statements (``services.statement_runs``)."""

    def __init__(self, db: Database, documents: DocumentService, mail: MailService) -> None:
        self._db = db
        self._documents = documents
        self._mail = mail

    def plan(self, start: date, end: date) -> StatementPlan:
        """The active clients whose statement for the period shows something."""
        if end < start:
            raise InvalidInput(f"the period ends ({end}) before it starts ({start})")
        with self._db.read() as session:
            currency = ledger.practice(session).currency
            clients = session.exec(
                select(Client.id, Client.name, Client.email)
                .where(col(Client.archived_at).is_(None))
                .order_by(col(Client.name), col(Client.id))
            ).all()
        targets = []
        for client_id, name, email in clients:
            assert client_id is not None
            document = self._documents.statement(client_id, start, end)
            if document.rows or document.closing_balance or document.credit_balance:
                targets.append(
                    StatementTarget(
                        client_id=client_id,
                        client_name=name,
                        email=email,
                        rows=len(document.rows),
                        closing_balance=document.closing_balance,
                        credit_balance=document.credit_balance,
                    )
                )
        return StatementPlan(start, end, currency, tuple(targets))

    def send(self, plan: StatementPlan, *, progress: Progress | None = None) -> StatementRunResult:
        """E-mail each planned statement; a statement already sent is not sent again."""
        if not self._mail.is_configured():
            raise NotAllowed(
                "e-mail is not set up: `cp-tui mail set --host smtp.example.com --user ... "
                "--from ...`, then run this again"
            )
        outcomes: list[StatementOutcome] = []
        total = len(plan.targets)
        for done, target in enumerate(plan.targets, start=1):
            outcome = self._send_one(target, plan.start, plan.end)
            outcomes.append(outcome)
            if progress is not None:
                progress(done, total, outcome)
        return StatementRunResult(plan.start, plan.end, tuple(outcomes))

    def _send_one(self, target: StatementTarget, start: date, end: date) -> StatementOutcome:
        def outcome(status: str, detail: str) -> StatementOutcome:
            return StatementOutcome(target.client_id, target.client_name, status, detail)

        try:
            sent = self._mail.send_statement(target.client_id, start, end)
        except DomainError as exc:
            return outcome(FAILED, str(exc))
        return outcome(ALREADY_SENT if sent.already_sent else SENT, sent.recipient)


def failed_first(outcomes: Sequence[StatementOutcome]) -> list[StatementOutcome]:
    """Failures first: they are what the practitioner has to act on."""
    return sorted(outcomes, key=lambda o: (o.status != FAILED, o.client_name))
