"""What documents print: the provider's NPI, payment instructions, locale and logo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.services.document_settings import DocumentSettingsRead
from cp_tui.services.errors import DomainError
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services


class DocumentsForm(DialogScreen[DocumentSettingsRead | None]):
    """Saves through ``services.documents``; returns the new settings (None on cancel)."""

    CSS_PATH = ["dialog.tcss", "documents_form.tcss"]
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="documents_form.cancel",
            tooltip="Close the form without saving",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="documents_form.save",
            tooltip="Save what documents print (enter in a field does the same)",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.current = services.documents.settings()

    def compose(self) -> ComposeResult:
        d = self.current
        with Vertical(classes="dialog wide", id="documents-form"):
            yield Static("Documents: what every PDF prints", classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field(
                    "NPI (10 digits; US superbills)", d.npi, name="npi", placeholder="1234567893"
                )
                yield Field(
                    "Locale (how money and dates are written)",
                    d.locale,
                    name="locale",
                    placeholder="en_US, en_GB, de_DE",
                )
            yield Label("Payment instructions (bank details; printed on invoices)", markup=False)
            yield TextArea(d.payment_instructions, id="documents-instructions", soft_wrap=True)
            yield Static("", classes="field-error", id="documents-instructions-error", markup=False)
            yield Field(
                f"Logo file, PNG or JPEG (now: {d.logo or 'none'})",
                "",
                name="logo",
                placeholder="blank keeps the logo as it is; e.g. ~/Pictures/logo.png",
            )
            yield Checkbox("Print no logo", False, id="documents-no-logo")
            yield Static("", classes="dialog-error", id="documents-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-npi", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    def _logo(self) -> tuple[bytes | None, str | None]:
        """The chosen logo's bytes (None: keep the logo as it is), or why it cannot be one."""
        path = self._field("logo").value
        if not path:
            return None, None
        try:
            file = Path(path).expanduser()
            if file.exists() and not file.is_file():  # a folder, or a device read forever
                return None, f"{path} is not a file; give a PNG or JPEG image"
            content = file.read_bytes()
        except OSError as exc:
            return None, f"cannot read {path}: {exc.strerror or exc}"
        except (ValueError, RuntimeError):  # a NUL in it; ~name for no such user
            return None, f"{path!r} is not a file name; give the path of a PNG or JPEG image"
        try:
            self.services.documents.check_logo(content)
        except DomainError as exc:
            return None, str(exc)
        return content, None

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        f = self._field
        instructions = self.query_one("#documents-instructions", TextArea).text
        no_logo = self.query_one("#documents-no-logo", Checkbox).value
        problems = self.services.documents.settings_problems(
            npi=f("npi").value, payment_instructions=instructions, locale=f("locale").value
        )
        logo, logo_problem = (None, None) if no_logo else self._logo()
        for name in ("npi", "locale"):
            f(name).set_error(problems.get(name))
        f("logo").set_error(logo_problem)
        self.query_one("#documents-instructions-error", Static).update(
            problems.get("payment_instructions", "")
        )
        if problems or logo_problem:
            return
        try:
            saved = self.services.documents.update_settings(
                npi=f("npi").value, payment_instructions=instructions, locale=f("locale").value
            )
            if no_logo or logo is not None:
                saved = self.services.documents.set_logo(logo)
        except DomainError as exc:
            self.query_one("#documents-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
