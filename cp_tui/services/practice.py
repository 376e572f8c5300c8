"""Practice settings: name, address, currency, tax, terms, number prefixes."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from cp_tui.clock import Clock
from cp_tui.models import Invoice, PracticeSettings
from cp_tui.money import MoneyError, exponent, parse_tax_rate
from cp_tui.services import audit, ledger
from cp_tui.services.errors import InvalidInput, NotAllowed
from cp_tui.services.readmodels import SettingsRead
from cp_tui.store import Database


def settings_read(row: PracticeSettings) -> SettingsRead:
    return SettingsRead(
        name=row.name,
        address=row.address,
        tax_id=row.tax_id,
        email=row.email,
        phone=row.phone,
        currency=row.currency,
        default_tax_rate=row.default_tax_rate,
        payment_terms_days=row.payment_terms_days,
        invoice_prefix=row.invoice_prefix,
        credit_note_prefix=row.credit_note_prefix,
    )


class PracticeService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def get(self) -> SettingsRead:
        # A read (no write lock, no fsync) whenever the row exists: the TUI asks at start.
        with self._db.read() as session:
            row = session.get(PracticeSettings, 1)
            if row is not None:
                return settings_read(row)
        with self._db.write() as session:
            return settings_read(ledger.practice(session))

    def update(
        self,
        *,
        name: str | None = None,
        address: str | None = None,
        tax_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        currency: str | None = None,
        default_tax_rate: str | Decimal | None = None,
        payment_terms_days: int | None = None,
        invoice_prefix: str | None = None,
        credit_note_prefix: str | None = None,
    ) -> SettingsRead:
        with self._db.write() as session:
            row = ledger.practice(session)
            before = settings_read(row)
            if name is not None:
                if not name.strip():
                    raise InvalidInput("the practice name cannot be empty")
                row.name = name.strip()
            if currency is not None:
                code = currency.strip().upper()
                try:
                    exponent(code)
                except MoneyError as exc:
                    raise InvalidInput(str(exc)) from None
                if code != row.currency and session.exec(select(Invoice.id).limit(1)).first():
                    raise NotAllowed(
                        f"invoices already exist in {row.currency}; the currency of a "
                        "practice with invoices cannot change"
                    )
                row.currency = code
            if default_tax_rate is not None:
                try:
                    row.default_tax_rate = parse_tax_rate(default_tax_rate)
                except MoneyError as exc:
                    raise InvalidInput(str(exc)) from None
            if payment_terms_days is not None:
                if not 0 <= payment_terms_days <= 365:
                    raise InvalidInput("payment terms are 0 to 365 days")
                row.payment_terms_days = payment_terms_days
            for attr, value in (
                ("address", address),
                ("tax_id", tax_id),
                ("email", email),
                ("phone", phone),
            ):
                if value is not None:
                    setattr(row, attr, value.strip())
            for attr, value in (
                ("invoice_prefix", invoice_prefix),
                ("credit_note_prefix", credit_note_prefix),
            ):
                if value is not None:
                    if not value.strip() or len(value) > 20:
                        raise InvalidInput("a number prefix is 1 to 20 characters, e.g. INV-")
                    setattr(row, attr, value.strip())
            if row.invoice_prefix == row.credit_note_prefix:
                raise InvalidInput("invoices and credit notes need different number prefixes")
            after = settings_read(row)
            audit.record(
                session,
                self._clock,
                "settings.update",
                before=_asdict(before),
                after=_asdict(after),
            )
            return after


def _asdict(read: SettingsRead) -> dict[str, object]:
    return {slot: getattr(read, slot) for slot in read.__slots__}
