"""Co-pay splits: an item's line total divided between the client and the insurer.

The split rule (``split_item``), so that the two portions add up to the item exactly:

1. ``charge`` is the item's line total before the split (net + tax, by the one
   rounding rule of ``money``).
2. The client's portion is the co-pay: a fixed amount capped at ``charge``, or
   ``charge x percent / 100`` rounded half-up to the minor unit.
3. The item becomes one unit at the largest unit price ``n`` whose line total
   (``n`` + its tax at the item's own, unchanged tax rate) is not more than that
   portion. With no tax, the line total is the portion exactly; with tax, a
   portion that no net can reach (tax rounding skips a value now and then) comes
   out one minor unit lower, in the client's favour.
4. The insurer's portion, on a ``ClaimLine``, is ``charge`` minus the item's new
   line total. So client + insurer == charge, always, by construction.

Completing a session splits its new items at once when the client has a policy
covering the service (``split_completed``, inside the transaction that creates
them); ``InsuranceService.split`` does it by hand for an item made before the
policy existed.

A portion is never both invoiced and claimed: only an item on no live invoice
can be split, an item is split at most once (``claim_line.item_id`` is unique),
and after the split the item holds the client's portion only, so invoicing it
bills that portion and nothing of the insurer's. A split item's amount is not
changed by hand afterwards, neither one by one (``ItemService.edit``) nor as an
invoice line (``InvoiceService.create``/``edit``: ``refuse_split_change``); only
a changed session charge splits it again (``resplit``), while its claim is still
to submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlmodel import Session, col, select

from cp_tui.clock import Clock
from cp_tui.models import BillingItem
from cp_tui.models.insurance import ClaimLine, InsurancePolicy
from cp_tui.money import HUNDRED, format_money, line_amounts, round_half_up
from cp_tui.services import audit, ledger
from cp_tui.services.errors import NotAllowed

FIXED = "fixed"
PERCENT = "percent"


def client_portion(charge: int, policy: InsurancePolicy) -> int:
    """The co-pay on a line total of ``charge``: fixed (capped) or a percentage, half-up."""
    if policy.copay_kind == FIXED:
        return min(policy.copay_amount or 0, charge)
    percent = policy.copay_percent or Decimal(0)
    return round_half_up(Decimal(charge) * percent / HUNDRED)


def net_for_total(portion: int, tax_rate: Decimal) -> int:
    """The largest net whose line total (net + tax at ``tax_rate``) is not above ``portion``."""

    def total(net: int) -> int:
        return line_amounts(Decimal(1), net, tax_rate).total

    net = int(Decimal(portion) / (1 + tax_rate / HUNDRED))
    while net > 0 and total(net) > portion:
        net -= 1
    while total(net + 1) <= portion:
        net += 1
    return max(net, 0)


def release_items(session: Session, item_ids: Iterable[int]) -> None:
    """Drop claims still to submit before their items are deleted; refuse once sent."""
    ids = list(item_ids)
    if not ids:
        return
    claims = session.exec(select(ClaimLine).where(col(ClaimLine.item_id).in_(ids))).all()
    for claim in claims:
        if claim.status != "to_submit":
            raise NotAllowed(
                f"item {claim.item_id} is on claim {claim.id} ({claim.status}); "
                "it cannot be removed"
            )
        session.delete(claim)
    session.flush()


def is_split(session: Session, item_id: int) -> bool:
    return (
        session.exec(select(ClaimLine.id).where(col(ClaimLine.item_id) == item_id)).first()
        is not None
    )


def policy_for(session: Session, item: BillingItem) -> InsurancePolicy | None:
    """The client's active policy for the item's service, else their general one."""
    if item.service_id is not None:
        found = active_policies(session, item.client_id, item.service_id)
        if found:
            return found[0]
    general = active_policies(session, item.client_id, None)
    return general[0] if general else None


def active_policies(
    session: Session, client_id: int, service_id: int | None
) -> Sequence[InsurancePolicy]:
    query = select(InsurancePolicy).where(
        col(InsurancePolicy.client_id) == client_id, col(InsurancePolicy.active).is_(True)
    )
    if service_id is None:
        query = query.where(col(InsurancePolicy.service_id).is_(None))
    else:
        query = query.where(col(InsurancePolicy.service_id) == service_id)
    return session.exec(query.order_by(col(InsurancePolicy.id))).all()


def split_item(
    session: Session, clock: Clock, item: BillingItem, policy: InsurancePolicy
) -> ClaimLine:
    """Keep the co-pay on ``item`` and put the rest on a new claim line (checked by callers)."""
    charge = ledger.item_total(item)
    before = {"units": item.units, "unit_price": item.unit_price, "total": charge}
    item.units = Decimal(1)
    item.unit_price = net_for_total(client_portion(charge, policy), item.tax_rate)
    kept = ledger.item_total(item)
    claim = ClaimLine(
        item_id=item.id or 0,
        policy_id=policy.id or 0,
        charge=charge,
        amount=charge - kept,
        created_at=clock.now(),
    )
    session.add(claim)
    session.flush()
    assert kept + claim.amount == charge
    audit.record(
        session,
        clock,
        "insurance.split",
        client_id=item.client_id,
        detail=f"item {item.id}: client {kept}, {policy.payer} {claim.amount}",
        before=before,
        after={"units": item.units, "unit_price": item.unit_price, "total": kept},
    )
    return claim


def split_completed(session: Session, clock: Clock, items: Iterable[BillingItem]) -> int:
    """Split the new items of a completed session that a policy covers; returns how many.

    Called in the transaction that creates the items, so an insured session's item
    is never seen, nor invoiced, whole. Items worth nothing (drawn from a package)
    and fees are left alone: there is nothing for an insurer to pay.
    """
    done = 0
    for item in items:
        if item.fee_kind is not None or ledger.item_total(item) <= 0:
            continue
        policy = policy_for(session, item)
        if policy is None:
            continue
        split_item(session, clock, item, policy)
        done += 1
    return done


def resplit(session: Session, clock: Clock, item: BillingItem) -> None:
    """Split again after the item's charge changed; refused once the claim has gone out."""
    claim = session.exec(select(ClaimLine).where(col(ClaimLine.item_id) == item.id)).first()
    if claim is None:
        return
    if claim.status != "to_submit":
        raise NotAllowed(
            f"item {item.id} is on claim {claim.id} ({claim.status}); its charge is fixed"
        )
    policy = session.get(InsurancePolicy, claim.policy_id)
    session.delete(claim)
    session.flush()
    if policy is not None and ledger.item_total(item) > 0:
        split_item(session, clock, item, policy)


def refuse_split_change(session: Session, item: BillingItem, on_invoice: str | None) -> None:
    """A split item's line is the co-pay; changing it would bill part of the charge twice.

    ``on_invoice`` is the number of the invoice being edited (None while one is made).
    """
    claim = session.exec(select(ClaimLine).where(col(ClaimLine.item_id) == item.id)).first()
    if claim is None:
        return
    policy = session.get(InsurancePolicy, claim.policy_id)
    payer = policy.payer if policy is not None else "the insurer"
    money = format_money(claim.amount, ledger.practice(session).currency)
    fixed = (
        f"item {item.id} is split: its line is the client's co-pay and claim {claim.id} "
        f"bills {payer} {money}, so the line's units, price and tax are fixed"
    )
    if claim.status != "to_submit":
        raise NotAllowed(
            f"{fixed}, and the claim is {claim.status}. Correct what the client owes with a "
            f"credit note (`cp-tui credits add --client {item.client_id} ...`)"
        )
    if item.appointment_id is None:
        raise NotAllowed(f"{fixed}; invoice it as it is")
    off = (
        f"take it off {on_invoice} (`cp-tui invoices edit {on_invoice} --remove {item.id}`, "
        "or void the invoice if that is its only line), "
        if on_invoice
        else ""
    )
    raise NotAllowed(
        f"{fixed}. To change the session's charge, {off}change it with `cp-tui appointments "
        f"bill {item.appointment_id} --client {item.client_id} --service {item.service_id} "
        "--price ...` (the co-pay and the claim are worked out again), then invoice it"
    )
