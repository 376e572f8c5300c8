"""Command line for co-pays and insurer claims.

```
cp-tui insurance set CLIENT_ID --payer P --member-id M (--copay 30.00 | --copay-percent 20)
                     [--service ID]
cp-tui insurance list CLIENT_ID
cp-tui insurance split ITEM_ID
cp-tui claims list [--payer P] [--status S] [--json]
cp-tui claims submit ID[,ID] --reference R
cp-tui claims pay ID --amount A [--move-rest]
cp-tui claims deny ID [--move-rest]
cp-tui claims export -o FILE.csv [--payer P]          (the fields of a CMS-1500 form)
```
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cp_tui import cli_output as out
from cp_tui.cli_parts import id_list
from cp_tui.cli_reports import _runner, _wants_json
from cp_tui.money import format_money
from cp_tui.services.claim_status import STATUSES

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.insurance import ClaimRead


def _ids(text: str) -> list[int]:
    return id_list(text)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    def group(name: str, text: str) -> Any:
        parser = sub.add_parser(name, help=text, description=text)
        actions = parser.add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=type(parser)
        )

        def cmd(action: str, help_text: str, body: Any) -> argparse.ArgumentParser:
            p: argparse.ArgumentParser = actions.add_parser(
                action, help=help_text, description=help_text, parents=[common]
            )
            p.set_defaults(runner=_runner(body))
            return p

        return cmd

    insurance = group("insurance", "clients' insurance policies and co-pay splits")
    pset = insurance("set", "give a client a policy (replaces the one for the same service)", _set)
    pset.add_argument("client", type=int, metavar="CLIENT_ID")
    pset.add_argument("--payer", required=True)
    pset.add_argument("--member-id", required=True)
    copay = pset.add_mutually_exclusive_group(required=True)
    copay.add_argument("--copay", help="fixed co-pay per session, e.g. 30.00")
    copay.add_argument("--copay-percent", help="co-pay as a percentage of the item, e.g. 20")
    pset.add_argument("--service", type=int, metavar="ID", help="only for this service")
    plist = insurance("list", "a client's active policies", _policies)
    plist.add_argument("client", type=int, metavar="CLIENT_ID")
    split = insurance("split", "split an uninvoiced item into co-pay and insurer claim", _split)
    split.add_argument("item", type=int, metavar="ITEM_ID")

    claims = group("claims", "the insurers' portions: submit, record payments and denials")
    lst = claims("list", "claims by payer and status", _list)
    lst.add_argument("--payer")
    lst.add_argument("--status", choices=STATUSES)
    submit = claims("submit", "mark claims as submitted to the insurer", _submit)
    submit.add_argument("ids", type=_ids, metavar="ID[,ID]")
    submit.add_argument("--reference", required=True, help="the insurer's claim reference")
    pay = claims("pay", "record the insurer's payment of a claim", _pay)
    pay.add_argument("id", type=int, metavar="ID")
    pay.add_argument("--amount", required=True, help="what the insurer paid, e.g. 95.00")
    pay.add_argument("--move-rest", action="store_true", help="bill the unpaid rest to the client")
    deny = claims("deny", "record the insurer's denial of a claim", _deny)
    deny.add_argument("id", type=int, metavar="ID")
    deny.add_argument("--move-rest", action="store_true", help="bill the portion to the client")
    export = claims("export", "claims as CSV with the fields of a CMS-1500 form", _export)
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    export.add_argument("--payer")


def _currency(s: Services) -> str:
    return s.practice.get().currency


def _set(s: Services, a: argparse.Namespace) -> None:
    policy = s.insurance.set_policy(
        a.client,
        payer=a.payer,
        member_id=a.member_id,
        copay=a.copay,
        copay_percent=a.copay_percent,
        service_id=a.service,
    )
    if _wants_json(a):
        out.emit_json(policy)
        return
    out.note(f"Policy {policy.id}: {policy.payer} {policy.member_id} for client {a.client}.")


def _policies(s: Services, a: argparse.Namespace) -> None:
    policies = s.insurance.policies(a.client)
    if _wants_json(a):
        out.emit_json(policies)
        return
    currency = _currency(s)
    out.table(
        ["ID", "Payer", "Member id", "Co-pay", "Service"],
        [
            [
                p.id,
                p.payer,
                p.member_id,
                format_money(p.copay_amount or 0, currency)
                if p.copay_kind == "fixed"
                else f"{p.copay_percent}%",
                p.service_id or "all",
            ]
            for p in policies
        ],
    )


def _split(s: Services, a: argparse.Namespace) -> None:
    result = s.insurance.split(a.item)
    if _wants_json(a):
        out.emit_json(result)
        return
    currency = _currency(s)
    sys.stdout.write(
        f"Item {result.item_id}: {format_money(result.charge, currency)} = client "
        f"{format_money(result.client_portion, currency)} + {result.claim.payer} "
        f"{format_money(result.claim.amount, currency)} (claim {result.claim.id})\n"
    )


def _print_claims(claims: list[ClaimRead], currency: str) -> None:
    out.table(
        ["ID", "Payer", "Client", "Date", "Charge", "Insurer", "Status", "Paid", "Reference"],
        [
            [
                c.id,
                c.payer,
                c.client_name,
                c.date_of_service,
                format_money(c.charge, currency),
                format_money(c.amount, currency),
                c.status,
                format_money(c.paid_amount, currency),
                c.reference or "-",
            ]
            for c in claims
        ],
    )


def _list(s: Services, a: argparse.Namespace) -> None:
    claims = s.insurance.claims(payer=a.payer, status=a.status)
    if _wants_json(a):
        out.emit_json(claims)
        return
    _print_claims(claims, _currency(s))


def _submit(s: Services, a: argparse.Namespace) -> None:
    claims = s.insurance.submit(a.ids, a.reference)
    if _wants_json(a):
        out.emit_json(claims)
        return
    _print_claims(claims, _currency(s))


def _decided(s: Services, a: argparse.Namespace, claim: ClaimRead) -> None:
    if _wants_json(a):
        out.emit_json(claim)
        return
    _print_claims([claim], _currency(s))
    if claim.rest_item_id is not None:
        out.note(f"The rest is billed to {claim.client_name} as item {claim.rest_item_id}.")


def _pay(s: Services, a: argparse.Namespace) -> None:
    _decided(s, a, s.insurance.record_payment(a.id, a.amount, move_rest=a.move_rest))


def _deny(s: Services, a: argparse.Namespace) -> None:
    _decided(s, a, s.insurance.deny(a.id, move_rest=a.move_rest))


def _export(s: Services, a: argparse.Namespace) -> None:
    count = s.insurance.export_csv(Path(a.output), payer=a.payer)
    if _wants_json(a):
        out.emit_json({"path": a.output, "claims": count})
        return
    out.note(f"Wrote {count} claim(s) to {a.output}.")
