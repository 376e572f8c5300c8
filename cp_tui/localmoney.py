"""Money written for the practice's locale (Babel), falling back to ``format_money``.

The amount is the exact integer from the database: Babel only chooses the symbol,
separators and their order. Where Babel's idea of a currency's decimals differs
from ``money.CURRENCY_EXPONENTS`` (or Babel is missing, or the locale unknown),
``format_money`` writes it instead, so a document never shows a rounded value.
Babel is imported on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cp_tui.money import exponent, format_money, from_minor

DEFAULT_LOCALE = "en_US"


@lru_cache(maxsize=16)
def _parsed(locale: str) -> Any:
    """Babel's Locale, parsed once: a PDF formats a dozen amounts and dates."""
    from babel import Locale

    return Locale.parse(locale)


@lru_cache(maxsize=64)
def _babel_ok(currency: str, locale: str) -> bool:
    try:
        from babel import Locale, UnknownLocaleError
        from babel.numbers import get_currency_precision
    except ImportError:  # pragma: no cover - babel is a dependency
        return False
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return bool(get_currency_precision(currency) == exponent(currency))


def check_locale(locale: str) -> str | None:
    """None when the locale is usable, else why not."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:  # pragma: no cover - babel is a dependency
        return None
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        # Babel's own wording runs to several lines about environment variables.
        return f"{locale!r} is not a locale cp-tui knows; use e.g. en_US, en_GB, de_DE"
    return None


# Babel takes about 30 us an amount and 13 us a date; a practice's documents repeat
# the same few fees and dates, so a month-end run of PDFs mostly finds them here.
@lru_cache(maxsize=4096)
def format_local(amount: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``format_local(123456, "EUR", "de_DE")`` is ``1.234,56 €``."""
    currency = currency.upper()
    if not _babel_ok(currency, locale or DEFAULT_LOCALE):
        return format_money(amount, currency)
    from babel.numbers import format_currency

    return str(
        format_currency(
            from_minor(amount, currency),
            currency,
            locale=_parsed(locale or DEFAULT_LOCALE),
            currency_digits=True,
        )
    )


@lru_cache(maxsize=2048)
def format_local_date(value: object, locale: str = DEFAULT_LOCALE) -> str:
    """A date in the locale's medium form (``Nov 25, 2026``), ISO without Babel."""
    from datetime import date

    if not isinstance(value, date):
        return str(value)
    try:
        from babel import UnknownLocaleError
        from babel.dates import format_date
    except ImportError:  # pragma: no cover - babel is a dependency
        return value.isoformat()
    try:
        parsed = _parsed(locale or DEFAULT_LOCALE)
    except (UnknownLocaleError, ValueError, TypeError):
        return value.isoformat()
    return str(format_date(value, format="medium", locale=parsed))
