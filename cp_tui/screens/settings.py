"""Settings: the practice, money and numbering, the services catalogue, and what is connected.

E-mail (m), its wording (w) and what documents print (d) open their own forms;
t sends a test message. Secrets (the Stripe key, the SMTP password) are never
typed here: the screen says where they were found and how to put them there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Static, TextArea

from cp_tui.money import decimal_text, format_money
from cp_tui.screens import form_checks as checks
from cp_tui.screens.settings_text import (
    data_text,
    documents_text,
    mail_text,
    stripe_text,
)
from cp_tui.services.clients import check_email
from cp_tui.services.errors import DomainError
from cp_tui.services.readmodels import ServiceRead, SettingsRead
from cp_tui.widgets.field import Field
from cp_tui.widgets.virtual_table import Column, ListSource, Row, VirtualTable

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services

SERVICE_COLUMNS = [
    Column("Service", 34),
    Column("Code", 10),
    Column("Minutes", 8, "right"),
    Column("Price", 12, "right"),
    Column("Tax %", 7, "right"),
    Column("Active", 7),
]


class SettingsScreen(Screen[None]):
    CSS_PATH = "settings.tcss"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="settings.save",
            tooltip="Save the practice details, money and numbering",
        ),
        Binding(
            "n",
            "new_service",
            "New service",
            id="settings.new_service",
            tooltip="Add a service to the catalogue",
        ),
        Binding(
            "e",
            "edit_service",
            "Edit service",
            id="settings.edit_service",
            tooltip="Change the selected service of the catalogue",
        ),
        Binding(
            "m",
            "mail_settings",
            "E-mail server",
            id="settings.mail",
            tooltip="Set the SMTP server invoices are e-mailed through",
        ),
        Binding(
            "t",
            "test_mail",
            "Send test mail",
            id="settings.test_mail",
            tooltip="Log in to the mail server and send a test message to the from address",
        ),
        Binding(
            "w",
            "mail_templates",
            "E-mail wording",
            id="settings.templates",
            tooltip="Edit the subject and body of each kind of e-mail",
        ),
        Binding(
            "d",
            "documents_settings",
            "Documents",
            id="settings.documents",
            tooltip="NPI, payment instructions, locale and logo printed on documents",
        ),
    ]

    class MailTested(Message):
        """The test message's outcome: what happened, and whether it went out."""

        def __init__(self, text: str, sent: bool) -> None:
            super().__init__()
            self.text = text
            self.sent = sent

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.current: SettingsRead = services.practice.get()
        self.catalogue: list[ServiceRead] = []

    def compose(self) -> ComposeResult:
        p = self.current
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static("Practice", classes="settings-heading", markup=False)
            with Horizontal(classes="settings-row"):
                yield Field("Practice name (on every invoice)", p.name, name="name")
                yield Field("Tax id (VAT, EIN, ABN; optional)", p.tax_id, name="tax_id")
            # Several lines (street, town, postcode) as printed on documents: an Input
            # would show its line breaks as broken rows.
            yield Label("Address (as printed on documents)", classes="settings-label", markup=False)
            yield TextArea(p.address, id="settings-address", soft_wrap=True)
            with Horizontal(classes="settings-row"):
                yield Field("E-mail", p.email, name="email", placeholder="you@example.com")
                yield Field("Phone", p.phone, name="phone")
            yield Static("Money and numbering", classes="settings-heading", markup=False)
            with Horizontal(classes="settings-row"):
                yield Field("Currency (e.g. USD, EUR, GBP)", p.currency, name="currency")
                yield Field(
                    "Default tax rate (%)", decimal_text(p.default_tax_rate), name="tax_rate"
                )
                yield Field("Payment terms (days)", str(p.payment_terms_days), name="payment_terms")
            with Horizontal(classes="settings-row"):
                yield Field("Invoice number prefix", p.invoice_prefix, name="invoice_prefix")
                yield Field(
                    "Credit note number prefix", p.credit_note_prefix, name="credit_note_prefix"
                )
                yield Field(
                    "Late cancellation window (hours)",
                    str(self.services.fees.late_cancel_hours()),
                    name="late_cancel_hours",
                )
            yield Static("", id="settings-error", markup=False)
            with Horizontal(id="settings-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="settings-save")
            yield Static("Services", classes="settings-heading", markup=False)
            yield Static(
                "n adds a service; enter or e changes the selected one.",
                classes="settings-note",
                markup=False,
            )
            yield VirtualTable(SERVICE_COLUMNS, id="settings-services")
            yield Static("Stripe", classes="settings-heading", markup=False)
            yield Static(
                stripe_text(self.services),
                id="settings-stripe",
                classes="settings-note",
                markup=False,
            )
            yield Static("E-mail", classes="settings-heading", markup=False)
            yield Static(
                mail_text(self.services),
                id="settings-email",
                classes="settings-note",
                markup=False,
            )
            with Horizontal(classes="settings-actions"):
                yield Button("E-mail server (m)", id="settings-mail-form")
                yield Button("Send test mail (t)", id="settings-test-mail")
                yield Button("E-mail wording (w)", id="settings-templates")
            yield Static("Documents", classes="settings-heading", markup=False)
            yield Static(
                documents_text(self.services),
                id="settings-documents",
                classes="settings-note",
                markup=False,
            )
            with Horizontal(classes="settings-actions"):
                yield Button("Documents (d)", id="settings-documents-form")
            yield Static("Data", classes="settings-heading", markup=False)
            yield Static(
                data_text(self.services), id="settings-data", classes="settings-note", markup=False
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#input-name").focus()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The form keeps what was typed; the catalogue is read afresh.
        self.sub_title = "Settings"
        self.reload_services()

    # -- practice, money and numbering ------------------------------------------------

    def _field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    def _valid(self) -> bool:
        f = self._field
        return checks.check_all(
            [
                (f("name"), checks.required("the practice needs a name, e.g. Harbour Therapy")),
                (f("email"), check_email),
                (f("currency"), checks.currency),
                (f("tax_rate"), checks.tax_rate),
                (f("payment_terms"), checks.whole_number(0, 365, "payment terms")),
                (f("late_cancel_hours"), checks.whole_number(0, 168, "the late window")),
                (f("invoice_prefix"), checks.prefix),
                (f("credit_note_prefix"), checks.prefix),
            ]
        )

    @on(Button.Pressed, "#settings-save")
    def action_save(self) -> None:
        error = self.query_one("#settings-error", Static)
        error.update("")
        if not self._valid():
            self.notify("Not saved: see the message by the field.", severity="error", markup=False)
            return
        f = self._field
        if f("invoice_prefix").value == f("credit_note_prefix").value:
            f("credit_note_prefix").set_error("use a prefix different from the invoices', e.g. CN-")
            return
        try:
            self.current = self.services.practice.update(
                name=f("name").value,
                address=self.query_one("#settings-address", TextArea).text.strip(),
                tax_id=f("tax_id").value,
                email=f("email").value,
                phone=f("phone").value,
                currency=f("currency").value.upper(),
                default_tax_rate=f("tax_rate").value or "0",
                payment_terms_days=int(f("payment_terms").value),
                invoice_prefix=f("invoice_prefix").value,
                credit_note_prefix=f("credit_note_prefix").value,
            )
            self.services.fees.set_late_cancel_hours(int(f("late_cancel_hours").value))
        except DomainError as exc:
            # The one refusal only the database can know: invoices exist in the old currency.
            if "currency" in str(exc):
                f("currency").set_error(str(exc))
            else:
                error.update(str(exc))
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
            return
        self.app.sub_title = self.current.name
        self.reload_services()
        self.notify("Settings saved.", markup=False)

    # -- services catalogue -----------------------------------------------------------------

    def reload_services(self, *, keep: int | None = None) -> None:
        table = self.query_one("#settings-services", VirtualTable)
        try:
            self.catalogue = self.services.catalogue.list(include_inactive=True)
        except DomainError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        currency = self.current.currency
        rows = [
            Row(
                s.id,
                [
                    s.name,
                    s.code,
                    str(s.duration_min),
                    format_money(s.unit_price, currency),
                    decimal_text(s.tax_rate),
                    "yes" if s.active else "no",
                ],
            )
            for s in self.catalogue
        ]
        table.set_source(ListSource(rows), keep_key=keep if keep is not None else table.current_key)

    def action_new_service(self) -> None:
        from cp_tui.screens.service_form import ServiceForm

        self.app.push_screen(ServiceForm(self.services, self.current.currency), self._saved)

    @on(VirtualTable.Selected, "#settings-services")
    def _service_selected(self, message: VirtualTable.Selected) -> None:
        message.stop()
        self.action_edit_service()

    def action_edit_service(self) -> None:
        from cp_tui.screens.service_form import ServiceForm

        key = self.query_one("#settings-services", VirtualTable).current_key
        service = next((s for s in self.catalogue if s.id == key), None)
        if service is None:
            self.notify("No service selected: n adds one.", severity="warning", markup=False)
            return
        self.app.push_screen(
            ServiceForm(self.services, self.current.currency, service), self._saved
        )

    def _saved(self, service: ServiceRead | None) -> None:
        if service is not None:
            self.reload_services(keep=service.id)
            self.query_one("#settings-services", VirtualTable).focus()
            self.notify(f"{service.name} saved.", markup=False)

    # -- e-mail and documents ---------------------------------------------------------------

    def _refresh_notes(self) -> None:
        self.query_one("#settings-email", Static).update(mail_text(self.services))
        self.query_one("#settings-documents", Static).update(documents_text(self.services))

    @on(Button.Pressed, "#settings-mail-form")
    def action_mail_settings(self) -> None:
        from cp_tui.screens.mail_form import MailForm

        def saved(result: object) -> None:
            if result is not None:
                self._refresh_notes()
                self.notify("E-mail settings saved; t sends a test message.", markup=False)

        self.app.push_screen(MailForm(self.services), saved)

    @on(Button.Pressed, "#settings-templates")
    def action_mail_templates(self) -> None:
        from cp_tui.screens.template_form import TemplateForm

        self.app.push_screen(TemplateForm(self.services))

    @on(Button.Pressed, "#settings-documents-form")
    def action_documents_settings(self) -> None:
        from cp_tui.screens.documents_form import DocumentsForm

        def saved(result: object) -> None:
            if result is not None:
                self._refresh_notes()
                self.notify("Document settings saved.", markup=False)

        self.app.push_screen(DocumentsForm(self.services), saved)

    @on(Button.Pressed, "#settings-test-mail")
    def action_test_mail(self) -> None:
        if not self.services.mail.is_configured():
            self.notify(
                "E-mail is not set up yet: m opens the e-mail form.",
                severity="warning",
                markup=False,
            )
            return
        self.notify("Sending a test message...", markup=False)
        self._send_test_mail()

    @work(thread=True, exclusive=True, exit_on_error=False, group="test-mail")
    def _send_test_mail(self) -> None:
        try:
            text = self.services.mail.test()
        except DomainError as exc:
            self.post_message(self.MailTested(str(exc), sent=False))
            return
        self.post_message(self.MailTested(text[:1].upper() + text[1:] + ".", sent=True))

    @on(MailTested)
    def _mail_tested(self, message: MailTested) -> None:
        self._refresh_notes()
        self.notify(
            message.text,
            severity="information" if message.sent else "error",
            timeout=8 if message.sent else 20,
            markup=False,
        )
