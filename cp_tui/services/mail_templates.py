"""The wording of the e-mails cp-tui sends: default templates, placeholders, filling in.

A template is plain text with ``{name}`` placeholders; each kind of document has
its own set. The practice edits them (``cp-tui mail template``); a placeholder a
kind does not know is refused when the template is saved, not when mail goes out.
"""

from __future__ import annotations

import re

from cp_tui.documents import (
    Document,
    InvoiceDocument,
    ReceiptDocument,
    StatementDocument,
    SuperbillDocument,
)
from cp_tui.localmoney import format_local, format_local_date
from cp_tui.services.errors import InvalidInput

KINDS = ("invoice", "credit_note", "receipt", "statement", "superbill")
DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "invoice": {
        "subject": "{practice}: invoice {number}",
        "body": (
            "Dear {client},\n\n"
            "Please find attached invoice {number} from {practice}.\n"
            "Amount due: {amount_due}, by {due_date}.\n\n"
            "{payment_link}\n\n"
            "{payment_instructions}\n\n"
            "Thank you,\n{practice}\n"
        ),
    },
    "credit_note": {
        "subject": "{practice}: credit note {number}",
        "body": (
            "Dear {client},\n\n"
            "Please find attached credit note {number} for {amount}, "
            "which corrects {corrects}.\n\n"
            "Kind regards,\n{practice}\n"
        ),
    },
    "receipt": {
        "subject": "{practice}: receipt {number}",
        "body": (
            "Dear {client},\n\n"
            "Thank you for your payment of {amount} on {date}. Your receipt {number} "
            "is attached.\n\nKind regards,\n{practice}\n"
        ),
    },
    "statement": {
        "subject": "{practice}: statement of account {period}",
        "body": (
            "Dear {client},\n\n"
            "Please find attached your statement of account for {period}.\n"
            "Balance due: {amount_due}.\n\n"
            "{payment_instructions}\n\n"
            "Kind regards,\n{practice}\n"
        ),
    },
    "superbill": {
        "subject": "{practice}: superbill {period}",
        "body": (
            "Dear {client},\n\n"
            "Please find attached your superbill for {period}, to claim from your insurer.\n"
            "Fees: {total_fees}; paid: {total_paid}.\n\n"
            "Kind regards,\n{practice}\n"
        ),
    },
}
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "invoice": (
        "practice",
        "client",
        "number",
        "total",
        "amount_due",
        "due_date",
        "payment_link",
        "payment_instructions",
    ),
    "credit_note": ("practice", "client", "number", "amount", "corrects"),
    "receipt": ("practice", "client", "number", "amount", "date", "invoice"),
    "statement": ("practice", "client", "period", "amount_due", "payment_instructions"),
    "superbill": ("practice", "client", "period", "total_fees", "total_paid"),
}
_FIELD = re.compile(r"{([^{}]*)}")


def fill(template: str, values: dict[str, str]) -> str:
    """``{name}`` placeholders filled in; blank lines left by empty ones collapse."""
    text = _FIELD.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), template)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def check_template(kind: str, text: str) -> None:
    unknown = sorted({m.strip() for m in _FIELD.findall(text)} - set(PLACEHOLDERS[kind]))
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS[kind])
        raise InvalidInput(
            f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)} in the "
            f"{kind} template; it may use {known}"
        )


def message_values(document: Document, client_name: str) -> dict[str, str]:
    """What each placeholder of the document's kind stands for."""
    practice = document.practice
    locale = practice.locale

    def money(amount: int) -> str:
        return format_local(amount, practice.currency, locale)

    values = {
        "practice": practice.name,
        "client": client_name,
        "payment_instructions": practice.payment_instructions,
    }
    if isinstance(document, InvoiceDocument):
        values |= {
            "number": document.number,
            "total": money(document.total),
            "amount": money(-document.total),
            "amount_due": money(document.amount_due),
            "due_date": format_local_date(document.due_date, locale),
            "payment_link": f"Pay online: {document.payment_link}" if document.payment_link else "",
            "corrects": f"invoice {document.corrects}" if document.corrects else "your account",
        }
        if document.amount_due <= 0:
            values["payment_instructions"] = ""
    elif isinstance(document, ReceiptDocument):
        values |= {
            "number": document.number,
            "amount": money(document.amount),
            "date": format_local_date(document.received_on, locale),
            "invoice": document.invoice_number,
        }
    elif isinstance(document, StatementDocument):
        values |= {
            "period": (
                f"{format_local_date(document.period_start, locale)} to "
                f"{format_local_date(document.period_end, locale)}"
            ),
            "amount_due": money(document.closing_balance),
        }
    elif isinstance(document, SuperbillDocument):
        values |= {
            "period": (
                f"{format_local_date(document.period_start, locale)} to "
                f"{format_local_date(document.period_end, locale)}"
            ),
            "total_fees": money(document.total_fees),
            "total_paid": money(document.total_paid),
        }
    return values
