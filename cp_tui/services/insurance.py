"""Co-pays and insurer claims: a policy per client, and items split between client and insurer.

The split of an item into the client's co-pay and the insurer's portion, and
the rule that makes the two add up exactly, live in ``services.copays``:
completing a session of a client with a policy covering the service splits its
items at once; ``split`` does it by hand for an item made before the policy.

When the insurer pays less than its portion, or denies it, the rest can move to
the client's side as a new billing item (one unit, no tax, the rest as price,
"Not covered by PAYER: ..."); a claim's rest moves at most once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem, Client, InvoiceLine, Service
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.money import HUNDRED, MoneyError, from_minor, parse_decimal
from cp_tui.services import audit, ledger
from cp_tui.services.catalogue import parse_price
from cp_tui.services.claim_status import STATUSES
from cp_tui.services.copays import (
    FIXED,
    PERCENT,
    active_policies,
    is_split,
    net_for_total,
    policy_for,
    split_item,
)
from cp_tui.services.documents import write_private
from cp_tui.services.errors import InvalidInput, NotAllowed, NotFound
from cp_tui.services.invoice_reads import get_invoice
from cp_tui.services.items import get_item
from cp_tui.services.textfields import check_length
from cp_tui.store import Database

# ``net_for_total`` stays importable from here, where the split used to live.
__all__ = [
    "STATUSES",
    "ClaimRead",
    "InsuranceService",
    "PolicyRead",
    "SplitResult",
    "check_reference",
    "net_for_total",
]

MAX_REFERENCE = 100  # the claim's reference column

CSV_FIELDS = [
    "claim_id",
    "payer",
    "claim_reference",
    "status",
    "patient_name",
    "patient_dob",
    "patient_address",
    "insured_id",
    "date_of_service",
    "place_of_service",
    "cpt_code",
    "icd10_codes",
    "units",
    "charges",
    "insurer_portion",
    "client_portion",
    "paid_amount",
    "billing_provider",
    "billing_provider_address",
    "billing_npi",
    "federal_tax_id",
]


@dataclass(frozen=True, slots=True)
class PolicyRead:
    id: int
    client_id: int
    payer: str
    member_id: str
    copay_kind: str
    copay_amount: int | None
    copay_percent: Decimal | None
    service_id: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class ClaimRead:
    id: int
    item_id: int
    policy_id: int
    client_id: int
    client_name: str
    payer: str
    member_id: str
    date_of_service: date
    description: str
    charge: int
    amount: int
    client_portion: int
    status: str
    paid_amount: int
    reference: str
    submitted_on: date | None
    decided_on: date | None
    rest_item_id: int | None


@dataclass(frozen=True, slots=True)
class SplitResult:
    item_id: int
    charge: int
    client_portion: int
    claim: ClaimRead


def _policy_read(p: InsurancePolicy) -> PolicyRead:
    return PolicyRead(
        id=p.id or 0,
        client_id=p.client_id,
        payer=p.payer,
        member_id=p.member_id,
        copay_kind=p.copay_kind,
        copay_amount=p.copay_amount,
        copay_percent=p.copay_percent,
        service_id=p.service_id,
        active=p.active,
    )


def check_reference(text: str) -> str:
    """The insurer's claim reference, stripped; refused whole rather than cut short."""
    return check_length(text, "a claim reference", MAX_REFERENCE)


class InsuranceService:
    """Policies, co-pay splits and the insurer's claims (``services.insurance``)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # Policies ------------------------------------------------------------------

    def set_policy(
        self,
        client_id: int,
        *,
        payer: str,
        member_id: str,
        copay: str | Decimal | int | None = None,
        copay_percent: str | Decimal | int | None = None,
        service_id: int | None = None,
    ) -> PolicyRead:
        """Give the client a policy (for one service if ``service_id``); replaces the old one."""
        payer = check_length(payer, "a payer's name", 200)
        member_id = check_length(member_id, "a member id", 100)
        if not payer or not member_id:
            raise InvalidInput("a policy needs a payer and a member id")
        if copay is not None and copay_percent is not None:
            raise InvalidInput("give the co-pay as a fixed amount or as a percentage, not both")
        if copay is None and copay_percent is None:
            raise InvalidInput("give the co-pay, as a fixed amount (30.00) or as a percentage (20)")
        with self._db.write() as session:
            client = ledger.lock_client(session, client_id)
            if client.archived_at is not None:
                raise NotAllowed(f"{client.name} is archived; restore them first")
            if service_id is not None and session.get(Service, service_id) is None:
                raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
            amount: int | None = None
            percent: Decimal | None = None
            if copay is not None:
                amount = parse_price(copay, ledger.practice(session).currency)
            else:
                try:
                    percent = parse_decimal(copay_percent or 0, "co-pay percentage")
                except MoneyError as exc:
                    raise InvalidInput(str(exc)) from None
                if not Decimal(0) <= percent <= HUNDRED:
                    raise InvalidInput(f"a co-pay percentage is 0 to 100, got {percent}")
                if percent != percent.quantize(Decimal("0.001")):
                    raise InvalidInput("a co-pay percentage has at most 3 decimal places")
            for old in self._active(session, client_id, service_id):
                old.active = False
            policy = InsurancePolicy(
                client_id=client_id,
                payer=payer,
                member_id=member_id,
                copay_kind=FIXED if amount is not None else PERCENT,
                copay_amount=amount,
                copay_percent=percent,
                service_id=service_id,
                created_at=self._clock.now(),
            )
            session.add(policy)
            session.flush()
            audit.record(
                session,
                self._clock,
                "insurance.policy",
                client_id=client_id,
                detail=f"policy {policy.id}: {policy.payer} {policy.member_id}",
            )
            return _policy_read(policy)

    def policies(self, client_id: int, *, include_inactive: bool = False) -> list[PolicyRead]:
        with self._db.read() as session:
            if session.get(Client, client_id) is None:
                raise NotFound(f"no client with id {client_id}; `cp-tui clients list`")
            query = select(InsurancePolicy).where(col(InsurancePolicy.client_id) == client_id)
            if not include_inactive:
                query = query.where(col(InsurancePolicy.active).is_(True))
            rows = session.exec(query.order_by(col(InsurancePolicy.id))).all()
            return [_policy_read(p) for p in rows]

    @staticmethod
    def _active(
        session: Session, client_id: int, service_id: int | None
    ) -> Sequence[InsurancePolicy]:
        return active_policies(session, client_id, service_id)

    # The split -------------------------------------------------------------------

    def split(self, item_id: int) -> SplitResult:
        """Keep the co-pay on the item and put the insurer's portion on a claim line."""
        with self._db.write() as session:
            item = get_item(session, item_id)
            ledger.lock_client(session, item.client_id)
            number = ledger.invoiced_numbers(session, [item_id]).get(item_id)
            if number is not None:
                raise NotAllowed(
                    f"item {item_id} is already invoiced on {number}; a portion cannot be both "
                    "invoiced and claimed (void the invoice first)"
                )
            if is_split(session, item_id):
                raise NotAllowed(f"item {item_id} is already split; `cp-tui claims list`")
            rest_of = select(ClaimLine.id).where(col(ClaimLine.rest_item_id) == item_id)
            if session.exec(rest_of).first() is not None:
                raise NotAllowed(
                    f"item {item_id} is what an insurer did not cover; it is the client's"
                )
            if item.fee_kind is not None:
                raise NotAllowed(f"item {item_id} is a {item.fee_kind} fee; insurers do not pay it")
            policy = policy_for(session, item)
            if policy is None:
                raise NotAllowed(
                    f"client {item.client_id} has no insurance policy for this item; "
                    f"`cp-tui insurance set {item.client_id} --payer ... --member-id ...`"
                )
            charge = ledger.item_total(item)
            if charge <= 0:
                raise NotAllowed(f"item {item_id} is worth nothing; there is nothing to claim")
            claim = split_item(session, self._clock, item, policy)
            kept = charge - claim.amount
            return SplitResult(
                item_id=item_id,
                charge=charge,
                client_portion=kept,
                claim=self._read(session, claim),
            )

    # Claims ----------------------------------------------------------------------

    def claims(self, *, payer: str | None = None, status: str | None = None) -> list[ClaimRead]:
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"a claim status is one of {', '.join(STATUSES)}, got {status!r}")
        with self._db.read() as session:
            query = (
                select(ClaimLine)
                .join(InsurancePolicy, col(InsurancePolicy.id) == ClaimLine.policy_id)
                .order_by(col(InsurancePolicy.payer), col(ClaimLine.id))
            )
            if payer is not None:
                query = query.where(col(InsurancePolicy.payer) == payer)
            if status is not None:
                query = query.where(col(ClaimLine.status) == status)
            return [self._read(session, c) for c in session.exec(query).all()]

    def get(self, claim_id: int) -> ClaimRead:
        with self._db.read() as session:
            return self._read(session, self._claim(session, claim_id))

    def on_invoice(self, number: str) -> list[ClaimRead]:
        """The claims for the sessions whose co-pays the invoice bills."""
        with self._db.read() as session:
            invoice = get_invoice(session, number)
            claims = session.exec(
                select(ClaimLine)
                .join(InvoiceLine, col(InvoiceLine.item_id) == col(ClaimLine.item_id))
                .where(col(InvoiceLine.invoice_id) == invoice.id)
                .order_by(col(InvoiceLine.position), col(InvoiceLine.id))
            ).all()
            return [self._read(session, c) for c in claims]

    def submit(self, claim_ids: Sequence[int], reference: str) -> list[ClaimRead]:
        if not claim_ids:
            raise InvalidInput("say which claims to submit, e.g. 3,4")
        if not reference.strip():
            raise InvalidInput("a submission needs the insurer's claim reference")
        reference = check_reference(reference)
        with self._db.write() as session:
            done = []
            for claim_id in dict.fromkeys(claim_ids):
                claim = self._claim(session, claim_id)
                if claim.status != "to_submit":
                    raise NotAllowed(f"claim {claim_id} is {claim.status}, not to submit")
                claim.status = "submitted"
                claim.reference = reference
                claim.submitted_on = self._clock.today()
                done.append(claim)
            session.flush()
            audit.record(
                session,
                self._clock,
                "insurance.submit",
                detail=f"claims {', '.join(str(c.id) for c in done)}: {reference}",
            )
            return [self._read(session, c) for c in done]

    def record_payment(
        self, claim_id: int, amount: str | Decimal | int, *, move_rest: bool = False
    ) -> ClaimRead:
        """The insurer paid ``amount`` (major units); the rest may move to the client."""
        with self._db.write() as session:
            claim = self._claim(session, claim_id)
            currency = ledger.practice(session).currency
            paid = parse_price(amount, currency)
            if paid > claim.amount:
                raise InvalidInput(
                    f"claim {claim_id} is for {from_minor(claim.amount, currency)}; "
                    "the insurer cannot pay more than its portion"
                )
            return self._decide(session, claim, "paid", paid, move_rest)

    def deny(self, claim_id: int, *, move_rest: bool = False) -> ClaimRead:
        with self._db.write() as session:
            return self._decide(session, self._claim(session, claim_id), "denied", 0, move_rest)

    def _decide(
        self, session: Session, claim: ClaimLine, status: str, paid: int, move_rest: bool
    ) -> ClaimRead:
        if claim.status in ("paid", "denied"):
            raise NotAllowed(f"claim {claim.id} is already {claim.status}")
        item = get_item(session, claim.item_id)
        ledger.lock_client(session, item.client_id)
        policy = session.get(InsurancePolicy, claim.policy_id)
        assert policy is not None
        claim.status = status
        claim.paid_amount = paid
        claim.decided_on = self._clock.today()
        rest = claim.amount - paid
        if move_rest and rest > 0:
            label = f"Not covered by {policy.payer}: "
            moved = BillingItem(
                client_id=item.client_id,
                date=item.date,
                description=f"{label}{item.description[: 500 - len(label)]}",
                units=Decimal(1),
                unit_price=rest,
                tax_rate=Decimal(0),
                created_at=self._clock.now(),
            )
            session.add(moved)
            session.flush()
            claim.rest_item_id = moved.id
        session.flush()
        audit.record(
            session,
            self._clock,
            f"insurance.{'pay' if status == 'paid' else 'deny'}",
            client_id=item.client_id,
            detail=f"claim {claim.id}: paid {paid} of {claim.amount}"
            + (f"; rest {rest} to item {claim.rest_item_id}" if claim.rest_item_id else ""),
        )
        return self._read(session, claim)

    def export_csv(self, path: Path, *, payer: str | None = None) -> int:
        """The claims (of one payer) with the fields of a CMS-1500 form; returns the row count."""
        with self._db.read() as session:
            settings = ledger.practice(session)
            currency = settings.currency
            query = (
                select(ClaimLine, InsurancePolicy, BillingItem, Client)
                .join(InsurancePolicy, col(InsurancePolicy.id) == ClaimLine.policy_id)
                .join(BillingItem, col(BillingItem.id) == ClaimLine.item_id)
                .join(Client, col(Client.id) == BillingItem.client_id)
                .order_by(col(InsurancePolicy.payer), col(ClaimLine.id))
            )
            if payer is not None:
                query = query.where(col(InsurancePolicy.payer) == payer)
            rows = session.exec(query).all()
            records = []
            for claim, policy, item, client in rows:
                service = session.get(Service, item.service_id) if item.service_id else None
                records.append(
                    {
                        "claim_id": claim.id,
                        "payer": policy.payer,
                        "claim_reference": claim.reference,
                        "status": claim.status,
                        "patient_name": client.name,
                        "patient_dob": client.date_of_birth.isoformat()
                        if client.date_of_birth
                        else "",
                        "patient_address": client.address,
                        "insured_id": policy.member_id,
                        "date_of_service": item.date.isoformat(),
                        "place_of_service": service.place_of_service if service else "",
                        "cpt_code": service.code if service else "",
                        "icd10_codes": ";".join(
                            c.strip() for c in client.diagnosis_codes.split(",") if c.strip()
                        ),
                        "units": 1,
                        "charges": from_minor(claim.charge, currency),
                        "insurer_portion": from_minor(claim.amount, currency),
                        "client_portion": from_minor(claim.charge - claim.amount, currency),
                        "paid_amount": from_minor(claim.paid_amount, currency),
                        "billing_provider": settings.name,
                        "billing_provider_address": settings.address,
                        "billing_npi": settings.npi,
                        "federal_tax_id": settings.tax_id,
                    }
                )
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(records)
        try:
            # Names, dates of birth and diagnoses: readable by the practitioner only.
            write_private(path, text.getvalue().encode("utf-8"))
        except OSError as exc:
            raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
        return len(records)

    # Helpers ---------------------------------------------------------------------

    @staticmethod
    def _claim(session: Session, claim_id: int) -> ClaimLine:
        claim = session.get(ClaimLine, claim_id)
        if claim is None:
            raise NotFound(f"no claim with id {claim_id}; `cp-tui claims list` shows them")
        return claim

    @staticmethod
    def _read(session: Session, claim: ClaimLine) -> ClaimRead:
        item = get_item(session, claim.item_id)
        policy = session.get(InsurancePolicy, claim.policy_id)
        client = session.get(Client, item.client_id)
        assert policy is not None and client is not None
        return ClaimRead(
            id=claim.id or 0,
            item_id=claim.item_id,
            policy_id=claim.policy_id,
            client_id=item.client_id,
            client_name=client.name,
            payer=policy.payer,
            member_id=policy.member_id,
            date_of_service=item.date,
            description=item.description,
            charge=claim.charge,
            amount=claim.amount,
            client_portion=claim.charge - claim.amount,
            status=claim.status,
            paid_amount=claim.paid_amount,
            reference=claim.reference,
            submitted_on=claim.submitted_on,
            decided_on=claim.decided_on,
            rest_item_id=claim.rest_item_id,
        )
