"""What the receipt and statement dialogs share: a document made in a worker, then closed."""

from __future__ import annotations

from textual import on
from textual.widgets import Button, Static

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.screens.document_jobs import DocumentDone


class DocumentDialog(DialogScreen[str | None]):
    """Returns what was done with the document, or None when closed.

    A subclass names its error line (``ERROR_ID``), sets ``busy`` while its
    worker runs, and has the worker post ``DocumentDone``.
    """

    ERROR_ID = "document-error"

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    @on(DocumentDone)
    def _done(self, message: DocumentDone) -> None:
        self.busy = False
        if message.error:
            self.query_one(f"#{self.ERROR_ID}", Static).update(message.error)
            self.notify(message.error, severity="error", markup=False)
            return
        self.app.notify(message.text, timeout=10, markup=False)
        self.dismiss(message.text)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
