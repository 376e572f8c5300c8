"""Saving and e-mailing receipts, statements and superbills from a dialog's worker.

The functions call the services and return a message for the worker to post;
nothing here touches a widget, so they run safely in a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from cp_tui.services.errors import DomainError

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.documents import Document
    from cp_tui.services.mail import SendRead


class DocumentDone(Message):
    """What happened to the document: ``text`` for the person, or ``error``."""

    def __init__(self, text: str, error: str | None = None, path: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.path = path


def save(services: Services, build: Callable[[], Document]) -> DocumentDone:
    """Draw the document and write it into the data folder's documents/ (0600)."""
    try:
        document = build()
        saved = services.documents.save(document)
    except DomainError as exc:
        return DocumentDone("", str(exc))
    except Exception as exc:  # shown to the person, not lost in a dead worker
        return DocumentDone("", f"the PDF was not saved: {exc}")
    name = document.title if ":" in saved.reference else f"{document.title} {saved.reference}"
    return DocumentDone(f"Saved {name} to {saved.path}", path=saved.path)


def mail(send: Callable[[], SendRead], what: str) -> DocumentDone:
    """E-mail it; an identical version sent before is not sent again."""
    try:
        result = send()
    except DomainError as exc:
        return DocumentDone("", str(exc))
    except Exception as exc:
        return DocumentDone("", f"the {what} was not sent: {exc}")
    if result.already_sent:
        return DocumentDone(
            f"This {what} was already e-mailed to {result.recipient} as it is now; "
            "nothing was sent again."
        )
    return DocumentDone(f"{what[:1].upper()}{what[1:]} e-mailed to {result.recipient}.")
