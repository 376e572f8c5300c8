"""Sending e-mail over SMTP from the practice's own account.

smtplib and ssl are imported when a message goes out, never at start-up. The
password is never stored by cp-tui: it comes from the ``CP_TUI_SMTP_PASSWORD``
environment variable or the system keyring. Every failure becomes a ``MailError``
whose message carries the server's own reply, so a person can act on it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from email.message import EmailMessage

PASSWORD_ENV = "CP_TUI_SMTP_PASSWORD"
KEYRING_SERVICE = "cp-tui"
SECURITIES = ("starttls", "ssl", "none")
TIMEOUT_S = 30.0


class MailError(Exception):
    """The message was not sent; ``str(error)`` says why, in the server's words."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    user: str
    from_addr: str
    timeout: float = TIMEOUT_S
    # PEM file of the authority that signed the server's certificate; "" trusts the
    # system's authorities (which SSL_CERT_FILE can also point elsewhere).
    ca_file: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_addr)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    message_id: str = ""
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def keyring_entry(config: SmtpConfig) -> str:
    return f"smtp:{config.user}@{config.host}"


def password_for(config: SmtpConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The environment variable wins; then the keyring; None when neither has one."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if not config.user:
        return None
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, keyring_entry(config))
    except KeyringError:
        return None
    return stored or None


def password_source(config: SmtpConfig, environ: Mapping[str, str] | None = None) -> str:
    """Where the password would come from: "environment", "keyring" or "none"."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_ENV):
        return "environment"
    return "keyring" if password_for(config, {}) else "none"


def save_password(config: SmtpConfig, password: str) -> None:
    """Keep the password in the system keyring; says what to do when there is none."""
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError
    except ImportError:
        raise MailError(f"no keyring is installed; set {PASSWORD_ENV} instead") from None
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_entry(config), password)
    except NoKeyringError:
        raise MailError(
            f"this machine has no keyring to keep the password in; set {PASSWORD_ENV} "
            "in the environment cp-tui runs in instead"
        ) from None
    except KeyringError as exc:
        raise MailError(f"the keyring refused the password ({exc}); set {PASSWORD_ENV}") from None


def build_message(config: SmtpConfig, mail: OutgoingMail) -> EmailMessage:
    from email.message import EmailMessage
    from email.utils import formatdate

    message = EmailMessage()
    message["From"] = config.from_addr
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    if mail.message_id:
        message["Message-ID"] = mail.message_id
    message.set_content(mail.body)
    for item in mail.attachments:
        message.add_attachment(
            item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename
        )
    return message


def _tls_context(config: SmtpConfig) -> Any:
    import ssl

    if not config.ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=os.path.expanduser(config.ca_file))
    except FileNotFoundError:
        raise MailError(
            f"the CA file {config.ca_file} is not there; `cp-tui mail set --ca-file FILE.pem` "
            "names another, or --ca-file '' trusts the system's authorities"
        ) from None
    except (ssl.SSLError, OSError) as exc:
        raise MailError(
            f"the CA file {config.ca_file} cannot be read as PEM certificates ({exc})"
        ) from None


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()


class SmtpMailer:
    """Sends one message per connection: connect, secure, log in, send, quit."""

    def send(self, config: SmtpConfig, password: str | None, mail: OutgoingMail) -> None:
        self._session(config, password, build_message(config, mail))

    def check(self, config: SmtpConfig, password: str | None) -> None:
        """Connect, secure and log in without sending anything."""
        self._session(config, password, None)

    def _session(self, config: SmtpConfig, password: str | None, message: Any) -> None:
        import smtplib
        import ssl

        if not config.configured:
            raise MailError("e-mail is not set up: `cp-tui mail set --host ... --from ...`")
        if config.security not in SECURITIES:
            raise MailError(f"security is one of {', '.join(SECURITIES)}, not {config.security!r}")
        if config.user and not password:
            raise MailError(
                f"no SMTP password for {config.user}: set {PASSWORD_ENV} or run "
                "`cp-tui mail password` to keep it in the keyring"
            )
        if config.user and config.security == "none" and not _is_loopback(config.host):
            raise MailError(
                f"refusing to send the password to {config.host} unencrypted; "
                "use --security starttls or ssl"
            )
        where = f"{config.host}:{config.port}"
        context = _tls_context(config)
        smtp: smtplib.SMTP | None = None
        try:
            if config.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            smtp.ehlo()
            if config.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"{where} does not offer STARTTLS; use --security ssl (often port 465)"
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, password or "")
            if message is not None:
                refused = smtp.send_message(message)
                if refused:
                    raise MailError(
                        "the server refused "
                        + "; ".join(f"{rcpt}: {_reply(*reply)}" for rcpt, reply in refused.items())
                    )
        except MailError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise MailError(f"{where} refused the login for {config.user}: {reply}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(
                f"{rcpt}: {_reply(*reply)}" for rcpt, reply in exc.recipients.items()
            )
            raise MailError(f"{where} refused the recipient {reasons}") from None
        except smtplib.SMTPSenderRefused as exc:
            raise MailError(
                f"{where} refused the sender {exc.sender}: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"{where} answered {_reply(exc.smtp_code, exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"{where} does not support that: {exc}") from None
        except smtplib.SMTPException as exc:
            raise MailError(f"{where}: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise MailError(
                f"{where} showed a certificate that cannot be trusted "
                f"({exc.verify_message or exc.reason}); check the host name, or if the server "
                "is your own, give the authority that signed it: "
                "`cp-tui mail set --ca-file FILE.pem`"
            ) from None
        except ssl.SSLError as exc:
            raise MailError(f"secure connection to {where} failed: {exc.reason or exc}") from None
        except TimeoutError:
            raise MailError(f"{where} did not answer within {config.timeout:.0f} s") from None
        except OSError as exc:
            raise MailError(f"cannot reach {where}: {exc.strerror or exc}") from None
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except Exception:
                    smtp.close()


def address_ok(text: str) -> bool:
    from email.utils import parseaddr

    _name, addr = parseaddr(text)
    return "@" in addr and "." in addr.rsplit("@", 1)[-1] and " " not in addr
