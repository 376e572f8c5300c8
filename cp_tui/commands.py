"""Running one command-line command against the services."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cp_tui import cli_output as out
from cp_tui.bootstrap import Services, build_services
from cp_tui.config import Settings
from cp_tui.money import decimal_text
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.invoicing import LineChange
from cp_tui.services.readmodels import (
    AppointmentRead,
    ClientRead,
    InvoiceRead,
    ItemRead,
    ServiceRead,
)

Handler = Callable[[Services, argparse.Namespace], Any]


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo":
        return _demo(args, settings)
    runner = getattr(args, "runner", None)
    if runner is not None:  # opens the store itself and returns the exit status
        return int(runner(settings, args))
    handler = getattr(args, "handler", None) or HANDLERS[(args.command, args.action)]
    services = build_services(settings)
    try:
        result = handler(services, args)
        if args.json or args.json_global:
            out.emit_json(result)
        else:
            _print_human(services, result)
    finally:
        services.close()
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from cp_tui.services.demo import demo_marker, mark_as_demo
    from cp_tui.store import sqlite_path

    path = sqlite_path(settings.database_url)
    marker = demo_marker(settings.data_dir)
    if args.reset and path is not None and path.exists():
        if not marker.exists():
            raise NotAllowed(
                f"{settings.data_dir} does not hold the demo practice; --reset only "
                "ever deletes the demo practice"
            )
        for companion in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            companion.unlink(missing_ok=True)
    services = build_services(settings)
    try:
        counts = services.demo.load()
        mark_as_demo(settings.data_dir)
    finally:
        services.close()
    if args.json or args.json_global:
        out.emit_json({"data_dir": str(settings.data_dir), **counts})
    else:
        print(
            f"Loaded the demo practice into {settings.data_dir}: {counts['clients']} clients, "
            f"{counts['appointments']} appointments, {counts['invoices']} invoices, "
            f"{counts['payments']} payments."
        )
    return 0


def _changes(args: argparse.Namespace) -> dict[int, LineChange]:
    """Pair each --line with the --units/--price/--tax-rate that follow it."""
    lines: list[int] = args.line
    if not lines:
        if args.units or args.price or args.tax_rate:
            raise InvalidInput("say which line to change: --line ITEM_ID --units 2")
        return {}
    columns = {"--units": args.units, "--price": args.price, "--tax-rate": args.tax_rate}
    for flag, values in columns.items():
        if values and len(values) != len(lines):
            raise InvalidInput(f"give {flag} once for every --line (or leave it out)")
    changes: dict[int, LineChange] = {}
    for index, item_id in enumerate(lines):
        changes[item_id] = LineChange(
            units=args.units[index] if args.units else None,
            price=args.price[index] if args.price else None,
            tax_rate=args.tax_rate[index] if args.tax_rate else None,
        )
    return changes


def _flatten(groups: list[list[int]]) -> list[int]:
    return [item for group in groups for item in group]


def _generate(s: Services, a: argparse.Namespace) -> Any:
    result = s.calendar.generate_items(a.id)
    out.note(result.message)
    return result


def _remove_client(s: Services, a: argparse.Namespace) -> Any:
    outcome = s.clients.remove(a.id)
    return {"id": a.id, "result": outcome}


def _discard_draft(s: Services, a: argparse.Namespace) -> Any:
    s.drafts.discard(a.number)
    return {"number": a.number.upper(), "result": "discarded"}


def _delete_appointment(s: Services, a: argparse.Namespace) -> Any:
    s.calendar.delete(a.id)
    return {"id": a.id, "result": "deleted"}


HANDLERS: dict[tuple[str, str], Handler] = {
    ("settings", "show"): lambda s, a: s.practice.get(),
    ("settings", "set"): lambda s, a: s.practice.update(
        name=a.practice_name,
        address=a.address,
        tax_id=a.tax_id,
        email=a.email,
        phone=a.phone,
        currency=a.currency,
        default_tax_rate=a.tax_rate,
        payment_terms_days=a.payment_terms,
        invoice_prefix=a.invoice_prefix,
        credit_note_prefix=a.credit_note_prefix,
    ),
    ("clients", "add"): lambda s, a: s.clients.add(
        name=a.name, email=a.email, phone=a.phone, address=a.address
    ),
    ("clients", "list"): lambda s, a: s.clients.list(search=a.search, include_archived=a.archived),
    ("clients", "show"): lambda s, a: s.clients.get(a.id),
    ("clients", "edit"): lambda s, a: s.clients.update(
        a.id, name=a.name, email=a.email, phone=a.phone, address=a.address
    ),
    ("clients", "remove"): _remove_client,
    ("clients", "credit"): lambda s, a: s.credits.ledger(a.id),
    ("services", "add"): lambda s, a: s.catalogue.add(
        name=a.name, price=a.price, tax_rate=a.tax_rate, duration_min=a.duration, code=a.code
    ),
    ("services", "list"): lambda s, a: s.catalogue.list(),
    ("services", "edit"): lambda s, a: s.catalogue.update(
        a.id, name=a.name, price=a.price, tax_rate=a.tax_rate, duration_min=a.duration, code=a.code
    ),
    ("appointments", "add"): lambda s, a: s.calendar.add(
        client_ids=a.client,
        service_ids=a.service,
        start=a.start,
        duration_min=a.duration,
        repeat=a.repeat,
        count=a.count,
        until=a.until,
        notes=a.notes,
    ),
    ("appointments", "list"): lambda s, a: s.calendar.list(start=a.start, end=a.end),
    ("appointments", "show"): lambda s, a: s.calendar.get(a.id),
    ("appointments", "complete"): lambda s, a: s.calendar.complete(a.id),
    ("appointments", "cancel"): lambda s, a: s.calendar.cancel(a.id),
    ("appointments", "no-show"): lambda s, a: s.calendar.no_show(a.id),
    ("appointments", "reopen"): lambda s, a: s.calendar.reopen(a.id),
    ("appointments", "generate-items"): _generate,
    ("appointments", "delete"): _delete_appointment,
    ("appointments", "edit"): lambda s, a: s.calendar.reschedule(
        a.id, start=a.start, duration_min=a.duration, whole_series=a.series
    ),
    ("appointments", "bill"): lambda s, a: s.calendar.set_charge(
        a.id,
        client_id=a.client,
        service_id=a.service,
        units=a.units,
        price=a.price,
        tax_rate=a.tax_rate,
    ),
    ("items", "list"): lambda s, a: s.items.list(client_id=a.client, uninvoiced=a.uninvoiced),
    ("items", "edit"): lambda s, a: s.items.edit(
        a.id, units=a.units, price=a.price, tax_rate=a.tax_rate, description=a.description
    ),
    ("items", "add"): lambda s, a: s.items.add(
        client_id=a.client,
        description=a.description,
        price=a.price,
        units=a.units,
        tax_rate=a.tax_rate,
        on=a.date,
    ),
    ("items", "remove"): lambda s, a: {"id": a.id, "result": s.items.remove(a.id)},
    ("invoices", "create"): lambda s, a: s.invoices.create(
        client_id=a.client,
        item_ids=a.items,
        bill_to=a.bill_to,
        apply_credit=a.apply_credit,
        draft=a.draft,
    ),
    ("invoices", "issue"): lambda s, a: s.drafts.issue(a.number, apply_credit=a.apply_credit),
    ("invoices", "discard"): _discard_draft,
    ("invoices", "list"): lambda s, a: s.invoices.list(client_id=a.client, status=a.status),
    ("invoices", "show"): lambda s, a: s.invoices.get(a.number),
    ("invoices", "void"): lambda s, a: s.invoices.void(a.number, reason=a.reason),
    ("invoices", "mark-sent"): lambda s, a: s.invoices.mark_sent(a.number),
    ("invoices", "apply-credit"): lambda s, a: s.invoices.apply_credit(a.number),
    ("invoices", "edit"): lambda s, a: s.invoices.edit(
        a.number, changes=_changes(a), remove=_flatten(a.remove), add=_flatten(a.add)
    ),
    ("credits", "add"): lambda s, a: s.credits.add(
        client_id=a.client,
        amount=a.amount,
        reason=a.reason,
        tax_rate=a.tax_rate,
        invoice_number=a.invoice,
    ),
    ("payments", "record"): lambda s, a: s.payments.record(
        a.number, amount=a.amount, method=a.method, reference=a.reference, received_on=a.date
    ),
}


# -- text for people ---------------------------------------------------------------


def _print_human(services: Services, result: Any) -> None:
    currency = services.practice.get().currency
    rows = result if isinstance(result, list) else [result]
    first = rows[0] if rows else None
    money = lambda amount: out.money(amount, currency)  # noqa: E731
    if not rows:  # an empty list of anything: not a clients table
        sys.stdout.write("(none)\n")
    elif isinstance(first, ClientRead):
        out.table(
            ["ID", "Name", "E-mail", "Uninvoiced", "Due", "Credit"],
            [
                [
                    c.id,
                    c.name,
                    c.email,
                    money(c.uninvoiced_total),
                    money(c.balance_due),
                    money(c.credit_balance),
                ]
                for c in rows
                if isinstance(c, ClientRead)
            ],
        )
    elif isinstance(first, ServiceRead):
        out.table(
            ["ID", "Name", "Code", "Minutes", "Price", "Tax %"],
            [
                [
                    v.id,
                    v.name,
                    v.code,
                    v.duration_min,
                    money(v.unit_price),
                    decimal_text(v.tax_rate),
                ]
                for v in rows
            ],
        )
    elif isinstance(first, AppointmentRead):
        out.table(
            ["ID", "Start", "Min", "Status", "Clients", "Services", "Series"],
            [
                [
                    a.id,
                    f"{a.start:%a %Y-%m-%d %H:%M}",
                    a.duration_min,
                    a.status,
                    ", ".join(a.client_names),
                    ", ".join(a.service_names),
                    a.series_id or "",
                ]
                for a in rows
            ],
        )
    elif isinstance(first, ItemRead):
        out.table(
            ["ID", "Client", "Date", "Description", "Units", "Price", "Tax %", "Total", "Invoice"],
            [
                [
                    i.id,
                    i.client_id,
                    i.date,
                    i.description,
                    decimal_text(i.units),
                    money(i.unit_price),
                    decimal_text(i.tax_rate),
                    money(i.total),
                    i.invoice_number or "-",
                ]
                for i in rows
            ],
        )
    elif isinstance(first, InvoiceRead) and isinstance(result, list):
        out.table(
            ["Number", "Date", "Client", "Status", "Total", "Due"],
            [
                [
                    v.number,
                    v.issue_date,
                    v.client_name,
                    v.status,
                    money(v.total),
                    money(v.amount_due),
                ]
                for v in rows
            ],
        )
    elif isinstance(first, InvoiceRead):
        _print_invoice(first, money)
    else:
        out.emit_json(result)


def _print_invoice(inv: InvoiceRead, money: Callable[[int], str]) -> None:
    title = "Credit note" if inv.kind == "credit_note" else "Invoice"
    sys.stdout.write(f"{title} {inv.number}  {inv.client_name}  ({inv.status})\n")
    sys.stdout.write(f"Issued {inv.issue_date}, due {inv.due_date}\n\n")
    out.table(
        ["Item", "Date", "Description", "Units", "Price", "Tax %", "Total"],
        [
            [
                ln.item_id or "",
                ln.service_date or "",
                ln.description,
                decimal_text(ln.units),
                money(ln.unit_price),
                decimal_text(ln.tax_rate),
                money(ln.total),
            ]
            for ln in inv.lines
        ],
    )
    sys.stdout.write(
        f"\nSubtotal {money(inv.subtotal)}  Tax {money(inv.tax)}  Total {money(inv.total)}\n"
        f"Credit applied {money(inv.credit_applied)}  Paid {money(inv.amount_paid)}  "
        f"Amount due {money(inv.amount_due)}\n"
    )
