"""The wording of each kind of e-mail: subject and body with {placeholders}; reset to default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.errors import DomainError
from cp_tui.services.mail_templates import KINDS, PLACEHOLDERS, check_template
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

KIND_NAMES = {
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "receipt": "Receipt",
    "statement": "Statement of account",
    "superbill": "Superbill",
}


def placeholders_text(kind: str) -> str:
    return "May use: " + " ".join("{" + p + "}" for p in PLACEHOLDERS[kind])


def _problem(kind: str, text: str, when_empty: str) -> str | None:
    if not text.strip():
        return when_empty
    try:
        check_template(kind, text)
    except DomainError as exc:
        return str(exc)
    return None


class TemplateForm(DialogScreen[str | None]):
    """Saves through ``services.mail.set_template``; returns the kind saved (None on close)."""

    CSS_PATH = ["dialog.tcss", "template_form.tcss"]
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Close",
            id="template_form.close",
            tooltip="Close without saving this kind's changes",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="template_form.save",
            tooltip="Save the subject and body of this kind of e-mail",
        ),
        Binding(
            "ctrl+r",
            "reset",
            "Reset to default",
            id="template_form.reset",
            tooltip="Go back to cp-tui's own wording for this kind of e-mail",
        ),
    ]

    def __init__(self, services: Services, kind: str = "invoice") -> None:
        super().__init__()
        self.services = services
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="template-form"):
            yield Static("E-mail wording", classes="dialog-title", markup=False)
            yield Select(
                [(KIND_NAMES[k], k) for k in KINDS],
                value=self.kind,
                allow_blank=False,
                id="template-kind",
            )
            yield Field("Subject", "", name="subject")
            yield Label("Body", markup=False)
            yield TextArea("", id="template-body", soft_wrap=True)
            yield Static("", classes="field-error", id="template-body-error", markup=False)
            yield Static(placeholders_text(self.kind), id="template-help", markup=False)
            yield Static("", classes="dialog-error", id="template-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Reset to default (ctrl+r)", id="reset")
                yield Button("Close (esc)", id="close")

    def on_mount(self) -> None:
        self._load(self.kind)
        self.query_one("#input-subject", Input).focus()

    def _load(self, kind: str) -> None:
        self.kind = kind
        template = self.services.mail.templates()[kind]
        self.query_one("#input-subject", Input).value = template["subject"]
        self.query_one("#template-body", TextArea).text = template["body"]
        self.query_one("#template-help", Static).update(placeholders_text(kind))
        self._show_errors(None, None)

    def _show_errors(self, subject: str | None, body: str | None) -> None:
        self.query_one("#field-subject", Field).set_error(subject)
        self.query_one("#template-body-error", Static).update(body or "")
        self.query_one("#template-body", TextArea).set_class(bool(body), "-invalid")

    @on(Select.Changed, "#template-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.kind:
            self._load(event.value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        subject = self.query_one("#input-subject", Input).value.strip()
        body = self.query_one("#template-body", TextArea).text
        subject_error = _problem(self.kind, subject, "a subject is needed, e.g. {practice}")
        body_error = _problem(self.kind, body, "the body cannot be empty; ctrl+r restores it")
        self._show_errors(subject_error, body_error)
        if subject_error or body_error:
            return
        try:
            self.services.mail.set_template(self.kind, subject=subject, body=body)
        except DomainError as exc:
            self.query_one("#template-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"{KIND_NAMES[self.kind]} e-mail wording saved.", markup=False)
        self.dismiss(self.kind)

    @on(Button.Pressed, "#reset")
    def action_reset(self) -> None:
        self.services.mail.set_template(self.kind, reset=True)
        self._load(self.kind)
        self.notify(f"{KIND_NAMES[self.kind]} e-mail wording is back to the default.", markup=False)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
