"""The practice's SMTP server: host, port, security, login, from address, trusted authority.

The password is never typed here: the form says where it was found (keyring or
environment variable) and how to put it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cp_tui.adapters.mailer import address_ok
from cp_tui.screens import form_checks as checks
from cp_tui.screens.dialog_screen import DialogScreen
from cp_tui.screens.settings_text import password_text
from cp_tui.services.errors import DomainError
from cp_tui.services.mail_settings import MAX_HOST, MailSettingsRead, check_ca_file
from cp_tui.widgets.field import Field

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

SECURITY_CHOICES = [
    ("STARTTLS (usually port 587)", "starttls"),
    ("SSL/TLS from the start (usually port 465)", "ssl"),
    ("None: only for a server on this computer", "none"),
]
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def check_host(text: str) -> None:
    if not text:
        raise ValueError("the server's name is needed, e.g. smtp.example.com")
    if any(ch.isspace() for ch in text) or "/" in text:
        raise ValueError(f"{text!r} is not a host name, e.g. smtp.example.com")
    if len(text) > MAX_HOST:
        raise ValueError(f"a host name is at most {MAX_HOST} characters, e.g. smtp.example.com")


def check_from(text: str) -> None:
    if not text or not address_ok(text):
        raise ValueError("the address mail comes from: name@example.com or 'Name <name@...>'")


class MailForm(DialogScreen[MailSettingsRead | None]):
    """Saves through ``services.mail.configure``; returns the new settings (None on cancel)."""

    CSS_PATH = "dialog.tcss"
    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="mail_form.cancel",
            tooltip="Close the form without saving",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="mail_form.save",
            tooltip="Save the mail server settings (enter in a field does the same)",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.current = services.mail.settings()

    def compose(self) -> ComposeResult:
        m = self.current
        with Vertical(classes="dialog wide", id="mail-form"):
            yield Static("E-mail: the practice's mail server", classes="dialog-title", markup=False)
            with Horizontal(classes="row"):
                yield Field("Server (host)", m.host, name="host", placeholder="smtp.example.com")
                yield Field("Port", str(m.port), name="port")
            yield Label("Security", markup=False)
            yield Select(SECURITY_CHOICES, value=m.security, allow_blank=False, id="security")
            with Horizontal(classes="row"):
                yield Field("User (blank: no login)", m.user, name="user")
                yield Field(
                    "From address",
                    m.from_addr,
                    name="from_addr",
                    placeholder="Harbour Therapy <billing@example.com>",
                )
            yield Field(
                "Certificate authority file (PEM; only for a server of your own)",
                m.ca_file,
                name="ca_file",
                placeholder="blank: the system's authorities",
            )
            yield Static(password_text(m), id="mail-password", classes="dialog-body", markup=False)
            yield Static("", classes="dialog-error", id="mail-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-host", Input).focus()

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    @on(Select.Changed, "#security")
    def _security_changed(self, event: Select.Changed) -> None:
        # A port left at the old security's usual number follows the new security.
        port = self.query_one("#input-port", Input)
        if port.value in {str(p) for p in DEFAULT_PORTS.values()} and isinstance(event.value, str):
            port.value = str(DEFAULT_PORTS[event.value])

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        f = self._field
        if not checks.check_all(
            [
                (f("host"), check_host),
                (f("port"), checks.whole_number(1, 65535, "the port")),
                (f("from_addr"), check_from),
                (f("ca_file"), check_ca_file),
            ]
        ):
            return
        security = self.query_one("#security", Select).value
        try:
            saved = self.services.mail.configure(
                host=f("host").value,
                port=int(f("port").value),
                security=str(security),
                user=f("user").value,
                from_addr=f("from_addr").value,
                ca_file=f("ca_file").value,
            )
        except DomainError as exc:
            self.query_one("#mail-error", Static).update(str(exc))
            self.notify(str(exc), severity="error", markup=False)
            return
        self.dismiss(saved)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
