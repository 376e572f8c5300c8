"""The invoice screen's slow work: saving its PDF and e-mailing it.

Both run in thread workers of ``InvoiceDetailScreen``; the functions here call
the services and return a message for the worker to post back. Nothing here
touches a widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from cp_tui.money import format_money
from cp_tui.services.errors import DomainError

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.readmodels import InvoiceRead


class PdfSaved(Message):
    """The PDF was written to ``path``, or ``error`` says why not."""

    def __init__(self, number: str, path: str | None, error: str | None) -> None:
        super().__init__()
        self.number = number
        self.path = path
        self.error = error


class MailDone(Message):
    """The e-mail went out (``text``) or did not (``error``)."""

    def __init__(self, number: str, text: str, error: str | None) -> None:
        super().__init__()
        self.number = number
        self.text = text
        self.error = error


def save_pdf(services: Services, number: str) -> PdfSaved:
    try:
        saved = services.documents.save(services.documents.invoice(number))
    except DomainError as exc:
        return PdfSaved(number, None, str(exc))
    except Exception as exc:  # shown to the person, not lost in a dead worker
        return PdfSaved(number, None, f"the PDF of {number} was not saved: {exc}")
    return PdfSaved(number, saved.path, None)


def send_mail(services: Services, number: str) -> MailDone:
    try:
        result = services.mail.send_invoice(number)
    except DomainError as exc:
        return MailDone(number, "", str(exc))
    except Exception as exc:
        return MailDone(number, "", f"{number} was not sent: {exc}")
    if result.already_sent:
        return MailDone(
            number,
            f"{number} was already e-mailed to {result.recipient} as it is now; "
            "nothing was sent again.",
            None,
        )
    return MailDone(number, f"{number} e-mailed to {result.recipient}.", None)


def send_question(services: Services, inv: InvoiceRead) -> str | None:
    """What to ask before e-mailing, or None when e-mail is not set up."""
    if not services.mail.is_configured():
        return None
    try:
        email = services.clients.get(inv.client_id).email
    except DomainError:
        email = ""
    if not email:
        return ""
    credit_note = inv.kind == "credit_note"
    title = "credit note" if credit_note else "invoice"
    due = (
        f"{format_money(inv.total, inv.currency)} credit"
        if credit_note
        else f"{format_money(inv.amount_due, inv.currency)} due"
    )
    again = " It was sent before; only a changed version goes out again." if inv.sent else ""
    frozen = "" if inv.sent else " It can then no longer be edited, only corrected."
    return (
        f"E-mail {title} {inv.number} ({due}) to {inv.client_name} <{email}> "
        f"with its PDF?{frozen}{again}"
    )
