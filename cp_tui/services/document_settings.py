"""The fields documents need, and their checks: the practice's NPI, payment instructions,
locale and logo; a client's date of birth and ICD-10 codes; a service's place of service.

``DocumentService`` inherits these; the forms call the ``*_problems`` checks to put
each message by its own field before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cp_tui.clock import Clock
from cp_tui.localmoney import check_locale
from cp_tui.models import PracticeSettings, Service
from cp_tui.services import audit, ledger
from cp_tui.services.clients import get_client
from cp_tui.services.errors import InvalidInput, NotFound
from cp_tui.store import Database

# Image bytes -> (MIME type, width, height); raises ValueError-like errors with a
# message a person can act on when the bytes are not a PNG or JPEG it can print.
LogoCheck = Callable[[bytes], tuple[str, int, int]]
# Every PDF embeds the logo: a small one keeps documents light to e-mail.
MAX_LOGO_BYTES = 512 * 1024
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_POS = re.compile(r"^[0-9]{2}$")
_NPI = re.compile(r"^[0-9]{10}$")


@dataclass(frozen=True, slots=True)
class DocumentSettingsRead:
    npi: str
    payment_instructions: str
    locale: str
    logo: str  # "PNG 600 x 200, 14 KB", or "" with no logo


@dataclass(frozen=True, slots=True)
class ClientCodesRead:
    client_id: int
    name: str
    date_of_birth: date | None
    diagnosis_codes: list[str]


def split_codes(text: str) -> list[str]:
    return [code for code in (part.strip() for part in text.split(",")) if code]


def parse_diagnosis_codes(text: str) -> str:
    codes = [code.upper() for code in split_codes(text.replace(";", ","))]
    for code in codes:
        if not _ICD10.match(code):
            raise InvalidInput(
                f"{code!r} is not an ICD-10 code; they look like F41.1 or F43.23 "
                "(letter, two characters, optional dot and up to four more)"
            )
    joined = ", ".join(dict.fromkeys(codes))
    if len(joined) > 200:
        raise InvalidInput("at most 200 characters of diagnosis codes fit on a superbill")
    return joined


def check_place_of_service(text: str) -> str:
    code = text.strip()
    if code and not _POS.match(code):
        raise InvalidInput(
            f"a place of service is a two-digit CMS code (11 office, 02 or 10 "
            f"telehealth), got {code!r}"
        )
    return code


def _checked_npi(text: str) -> str:
    npi = text.strip()
    if npi and not _NPI.match(npi):
        raise InvalidInput(f"an NPI is 10 digits, got {npi!r}")
    return npi


def _checked_instructions(text: str) -> str:
    text = text.replace("\\n", "\n").strip()
    if len(text) > 1000:
        raise InvalidInput("payment instructions are at most 1000 characters")
    return text


def _checked_locale(text: str) -> str:
    locale = text.strip().replace("-", "_")
    problem = check_locale(locale)
    if problem:
        raise InvalidInput(problem)
    return locale


class DocumentSettings:
    def __init__(self, db: Database, clock: Clock, *, logo_check: LogoCheck | None = None) -> None:
        self._db = db
        self._clock = clock
        self._logo_check = logo_check

    def settings(self) -> DocumentSettingsRead:
        with self._db.write() as session:
            return self._settings_read(ledger.practice(session))

    def _settings_read(self, row: PracticeSettings) -> DocumentSettingsRead:
        return DocumentSettingsRead(
            row.npi, row.payment_instructions, row.locale, self._describe_logo(row.logo)
        )

    def _describe_logo(self, content: bytes | None) -> str:
        if not content:
            return ""
        size = f"{max(len(content) // 1024, 1)} KB"
        if self._logo_check is None:
            return size
        try:
            kind, width, height = self._logo_check(content)
        except Exception:
            return f"unreadable, {size}"
        return f"{kind.split('/')[-1].upper()} {width} x {height}, {size}"

    def check_logo(self, content: bytes) -> None:
        """Raise InvalidInput saying why these bytes cannot be the logo."""
        if not content:
            raise InvalidInput("the logo file is empty; choose a PNG or JPEG image")
        if len(content) > MAX_LOGO_BYTES:
            raise InvalidInput(
                f"the logo is {len(content) // 1024} KB; at most {MAX_LOGO_BYTES // 1024} KB "
                "fits, since every PDF carries it: save it smaller (e.g. 600 pixels wide)"
            )
        if self._logo_check is not None:
            try:
                self._logo_check(content)
            except Exception as exc:
                raise InvalidInput(str(exc)) from None

    def set_logo(self, content: bytes | None) -> DocumentSettingsRead:
        """Print this PNG or JPEG at the top of every document; None removes the logo."""
        if content is not None:
            self.check_logo(content)
        with self._db.write() as session:
            row = ledger.practice(session)
            had = bool(row.logo)
            row.logo = content
            audit.record(
                session,
                self._clock,
                "settings.logo",
                before={"logo": had},
                after={"logo": content is not None, "bytes": len(content or b"")},
            )
            return self._settings_read(row)

    def update_settings(
        self,
        *,
        npi: str | None = None,
        payment_instructions: str | None = None,
        locale: str | None = None,
    ) -> DocumentSettingsRead:
        with self._db.write() as session:
            row = ledger.practice(session)
            before = {"npi": row.npi, "locale": row.locale}
            if npi is not None:
                row.npi = _checked_npi(npi)
            if payment_instructions is not None:
                row.payment_instructions = _checked_instructions(payment_instructions)
            if locale is not None:
                row.locale = _checked_locale(locale)
            audit.record(
                session,
                self._clock,
                "settings.documents",
                before=before,
                after={"npi": row.npi, "locale": row.locale},
            )
            return self._settings_read(row)

    @staticmethod
    def settings_problems(*, npi: str, payment_instructions: str, locale: str) -> dict[str, str]:
        """What is wrong with each value, by name ("npi", ...); empty when all can be saved."""
        problems = {}
        for name, check, value in (
            ("npi", _checked_npi, npi),
            ("payment_instructions", _checked_instructions, payment_instructions),
            ("locale", _checked_locale, locale),
        ):
            try:
                check(value)
            except InvalidInput as exc:
                problems[name] = str(exc)
        return problems

    def client_codes(self, client_id: int) -> ClientCodesRead:
        with self._db.read() as session:
            row = get_client(session, client_id)
            return ClientCodesRead(
                client_id, row.name, row.date_of_birth, split_codes(row.diagnosis_codes)
            )

    def set_client_codes(
        self,
        client_id: int,
        *,
        date_of_birth: date | None = None,
        diagnosis_codes: str | None = None,
        forget_date_of_birth: bool = False,
    ) -> ClientCodesRead:
        """Change what is given; ``forget_date_of_birth`` clears a stored date of birth."""
        if forget_date_of_birth and date_of_birth is not None:
            raise InvalidInput("give a date of birth or forget it, not both")
        with self._db.write() as session:
            row = get_client(session, client_id)
            if forget_date_of_birth:
                row.date_of_birth = None
            if date_of_birth is not None:
                if not date(1900, 1, 1) <= date_of_birth <= self._clock.today():
                    raise InvalidInput(f"{date_of_birth} is not a plausible date of birth")
                row.date_of_birth = date_of_birth
            if diagnosis_codes is not None:
                row.diagnosis_codes = parse_diagnosis_codes(diagnosis_codes)
            return ClientCodesRead(
                client_id, row.name, row.date_of_birth, split_codes(row.diagnosis_codes)
            )

    def client_codes_problems(self, *, date_of_birth: str, diagnosis_codes: str) -> dict[str, str]:
        """What is wrong with a typed date of birth or codes, by name; empty when fine."""
        problems = {}
        if date_of_birth.strip():
            try:
                born = date.fromisoformat(date_of_birth.strip())
            except ValueError:
                problems["date_of_birth"] = f"{date_of_birth!r} is not a date; use YYYY-MM-DD"
            else:
                if not date(1900, 1, 1) <= born <= self._clock.today():
                    problems["date_of_birth"] = f"{born} is not a plausible date of birth"
        try:
            parse_diagnosis_codes(diagnosis_codes)
        except InvalidInput as exc:
            problems["diagnosis_codes"] = str(exc)
        return problems

    def place_of_service(self, service_id: int) -> str:
        with self._db.read() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
            return row.place_of_service

    def set_place_of_service(self, service_id: int, code: str) -> str:
        code = check_place_of_service(code)
        with self._db.write() as session:
            row = session.get(Service, service_id)
            if row is None:
                raise NotFound(f"no service with id {service_id}; `cp-tui services list`")
            row.place_of_service = code
            return code
