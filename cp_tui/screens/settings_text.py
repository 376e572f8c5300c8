"""What the Settings screen says about Stripe, e-mail, documents and the data folder.

Plain functions of the services' read models, so the screen stays a coordinator and
the wording can be read (and tested) in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cp_tui.adapters.mailer import PASSWORD_ENV

if TYPE_CHECKING:
    from cp_tui.bootstrap import Services
    from cp_tui.services.mail_settings import MailSettingsRead

HOW_TO_CONNECT_STRIPE = (
    "Set STRIPE_API_KEY in the environment cp-tui runs in, or run `cp-tui stripe login` to "
    "keep the key in your system keyring (a restricted key is best). Cards are saved on a "
    "page hosted by Stripe: cp-tui never sees a card number."
)
HOW_TO_SET_UP_MAIL = (
    "m opens the e-mail form (or `cp-tui mail set --host smtp.example.com --port 587 "
    "--security starttls --user you --from you@example.com`); the password goes in the "
    f"keyring with `cp-tui mail password`, or in {PASSWORD_ENV}; t sends a test message."
)


def stripe_text(services: Services) -> str:
    status = services.secrets.status()
    if status.source == "none":
        return "Not connected. " + HOW_TO_CONNECT_STRIPE
    text = f"Connected in {status.mode} mode (key from the {status.source})."
    if status.warning:
        text += f"\nWarning: {status.warning}."
    return text + " Payments made through links are picked up every few minutes."


def password_text(mail: MailSettingsRead) -> str:
    """Where the SMTP password comes from, and how to put one there; it is never stored."""
    if not mail.user:
        return "No login: the server takes mail without a user and password."
    if mail.password == "environment":
        return f"Password: found in the {PASSWORD_ENV} environment variable."
    if mail.password == "keyring":
        return "Password: found in the system keyring."
    return (
        f"Password: not found. Run `cp-tui mail password` to keep it in the system keyring, "
        f"or set {PASSWORD_ENV} in the environment cp-tui starts in. cp-tui never stores it."
    )


def mail_text(services: Services) -> str:
    mail = services.mail.settings()
    if not mail.configured:
        return "Not set up: invoices are marked as sent by hand (s). To send them: " + (
            HOW_TO_SET_UP_MAIL
        )
    login = f" as {mail.user}" if mail.user else ""
    trust = f"; trusting the authority in {home_relative(mail.ca_file)}" if mail.ca_file else ""
    return (
        f"Sending through {mail.host}:{mail.port} ({mail.security}){login} from "
        f"{mail.from_addr}{trust}.\n{password_text(mail)}\n"
        "m changes these, w the wording of each e-mail, t sends a test message."
    )


def documents_text(services: Services) -> str:
    docs = services.documents.settings()
    npi = f"NPI {docs.npi}" if docs.npi else "no NPI (superbills say 'not on file')"
    logo = f"logo {docs.logo}" if docs.logo else "no logo"
    pay = "payment instructions set" if docs.payment_instructions else "no payment instructions"
    return f"Money and dates written for {docs.locale}; {npi}; {pay}; {logo}. d changes them."


def home_relative(path: str | Path) -> str:
    """``~/...`` for a path in the home folder: shorter, and the same on every machine."""
    text = str(path)
    try:
        home = str(Path.home())
    except RuntimeError:  # no home folder known: show the path as it is
        return text
    if home not in ("", "/") and (text == home or text.startswith(home + "/")):
        return "~" + text[len(home) :]
    return text


def shown_database_url(url: str) -> str:
    """The database in use, with any password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show where, never who
        shown = url.split("@")[-1]
    prefix = "sqlite:///"
    if shown.startswith(prefix):
        return prefix + home_relative(shown[len(prefix) :])
    return shown


def data_text(services: Services) -> str:
    s = services.settings
    demo = "  (the demo practice)" if s.demo else ""
    return (
        f"Data folder: {home_relative(s.data_dir)}{demo}\n"
        f"Database:    {shown_database_url(s.database_url)}\n"
        "Set with --data-dir or CP_TUI_DATA_DIR; CP_TUI_DATABASE_URL names another database."
    )
