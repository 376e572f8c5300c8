"""The practice's SMTP settings and e-mail wording, kept in the practice settings.

No password is ever stored: ``settings().password`` only says where one would come
from (the environment, the keyring, or nowhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cp_tui.adapters.mailer import SECURITIES, SmtpConfig, address_ok
from cp_tui.clock import Clock
from cp_tui.models import PracticeSettings
from cp_tui.services import audit, ledger
from cp_tui.services.errors import InvalidInput
from cp_tui.services.mail_templates import DEFAULT_TEMPLATES, KINDS, check_template
from cp_tui.services.text_guard import refuse_nul
from cp_tui.store import Database

MAX_HOST = 253  # the longest name DNS can look up


@dataclass(frozen=True, slots=True)
class MailSettingsRead:
    host: str
    port: int
    security: str
    user: str
    from_addr: str
    configured: bool
    password: str  # where the password would come from: "environment", "keyring", "none"
    ca_file: str = ""  # "" trusts the system's certificate authorities


def smtp_config(row: PracticeSettings) -> SmtpConfig:
    return SmtpConfig(
        host=row.smtp_host,
        port=row.smtp_port,
        security=row.smtp_security,
        user=row.smtp_user,
        from_addr=row.smtp_from,
        ca_file=row.smtp_ca_file,
    )


class MailSettings:
    """Reading and changing the SMTP settings and the templates."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        password_source: Callable[[SmtpConfig], str] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._password_source = password_source

    def settings(self) -> MailSettingsRead:
        with self._db.write() as session:
            config = smtp_config(ledger.practice(session))
        source = self._password_source(config) if self._password_source else "unknown"
        return MailSettingsRead(
            host=config.host,
            port=config.port,
            security=config.security,
            user=config.user,
            from_addr=config.from_addr,
            configured=config.configured,
            password=source,
            ca_file=config.ca_file,
        )

    def is_configured(self) -> bool:
        with self._db.read() as session:
            row = session.get(PracticeSettings, 1)
            return row is not None and smtp_config(row).configured

    def configure(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        security: str | None = None,
        user: str | None = None,
        from_addr: str | None = None,
        ca_file: str | None = None,
    ) -> MailSettingsRead:
        with self._db.write() as session:
            row = ledger.practice(session)
            before = _settings_dict(row)
            if host is not None:
                host = host.strip()
                if any(ch.isspace() for ch in host) or "/" in host or len(host) > MAX_HOST:
                    raise InvalidInput(f"{host!r} is not a host name, e.g. smtp.example.com")
                row.smtp_host = host
            if security is not None:
                security = security.strip().lower()
                if security not in SECURITIES:
                    raise InvalidInput(f"--security is one of {', '.join(SECURITIES)}")
                if port is None and row.smtp_security != security:
                    row.smtp_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
                row.smtp_security = security
            if port is not None:
                if not 1 <= port <= 65535:
                    raise InvalidInput(f"a port is 1 to 65535, got {port}")
                row.smtp_port = port
            if user is not None:
                row.smtp_user = user.strip()
            if from_addr is not None:
                from_addr = from_addr.strip()
                if from_addr and not address_ok(from_addr):
                    raise InvalidInput(
                        f"{from_addr!r} is not an address; use name@example.com or "
                        "'Practice Name <name@example.com>'"
                    )
                row.smtp_from = from_addr
            if ca_file is not None:
                row.smtp_ca_file = check_ca_file(ca_file)
            audit.record(
                session, self._clock, "settings.mail", before=before, after=_settings_dict(row)
            )
        return self.settings()

    def templates(self) -> dict[str, dict[str, str]]:
        with self._db.write() as session:
            return self._templates(ledger.practice(session))

    @staticmethod
    def _templates(row: PracticeSettings) -> dict[str, dict[str, str]]:
        stored: dict[str, dict[str, str]] = {}
        if row.mail_templates:
            try:
                loaded = json.loads(row.mail_templates)
                if isinstance(loaded, dict):
                    stored = loaded
            except ValueError:
                stored = {}
        return {
            kind: {
                part: str(stored.get(kind, {}).get(part) or DEFAULT_TEMPLATES[kind][part])
                for part in ("subject", "body")
            }
            for kind in KINDS
        }

    def set_template(
        self,
        kind: str,
        *,
        subject: str | None = None,
        body: str | None = None,
        reset: bool = False,
    ) -> dict[str, str]:
        """Change the wording of one kind of e-mail; ``reset`` goes back to the default."""
        if kind not in KINDS:
            raise InvalidInput(f"the template kinds are {', '.join(KINDS)}, not {kind!r}")
        for text in (subject, body):
            if text is not None:
                refuse_nul(text, f"the {kind} e-mail's wording")
                check_template(kind, text)
        # Any line break (\r, \v, \u2028 too) in a subject stops every e-mail of the kind.
        if subject is not None and (len(subject.strip().splitlines()) > 1 or len(subject) > 200):
            raise InvalidInput("a subject is one line of at most 200 characters")
        with self._db.write() as session:
            row = ledger.practice(session)
            stored = json.loads(row.mail_templates) if row.mail_templates else {}
            if reset:
                stored.pop(kind, None)
            else:
                entry = dict(stored.get(kind, {}))
                if subject is not None:
                    entry["subject"] = subject.strip()
                if body is not None:
                    entry["body"] = body
                stored[kind] = entry
            row.mail_templates = json.dumps(stored, sort_keys=True) if stored else ""
            audit.record(session, self._clock, "settings.mail_template", detail=kind)
            return self._templates(row)[kind]

    # -- sending ----------------------------------------------------------------------


def check_ca_file(text: str) -> str:
    """An absolute path to a readable PEM file, or "" for the system's authorities."""
    text = text.strip()
    if not text:
        return ""
    not_a_file = f"{text} is not a file; give the PEM file of the server's authority"
    try:
        path = Path(text).expanduser()
        if not path.is_file():
            raise InvalidInput(not_a_file)
        head = path.read_bytes()[:200_000]
    except OSError as exc:  # a name too long for the system, a folder it may not read
        raise InvalidInput(f"cannot read {text}: {exc.strerror or exc}") from None
    except RuntimeError:  # ~name for no such user
        raise InvalidInput(not_a_file) from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise InvalidInput(f"{text} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return str(path.resolve())


def _settings_dict(row: PracticeSettings) -> dict[str, object]:
    return {
        "host": row.smtp_host,
        "port": row.smtp_port,
        "security": row.smtp_security,
        "user": row.smtp_user,
        "from": row.smtp_from,
        "ca_file": row.smtp_ca_file,
    }
