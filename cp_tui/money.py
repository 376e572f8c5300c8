"""Money in integer minor units, and the one rounding rule of cp-tui.

Amounts are plain ``int`` counts of the currency's minor unit (USD 10.00 is 1000,
JPY 500 is 500), as Stripe counts them. Quantities and tax rates are exact
``Decimal`` values, never floats.

The rounding rule, written down once (Xero and QuickBooks round the same way):

    per line, net = units x unit price, tax = net x rate; each is rounded
    half-up (half away from zero) to the minor unit; totals are sums of lines.

So three lines of 25.06, 25.61 and 25.63 at 15 % carry tax 3.76 + 3.84 + 3.84 =
11.44, and every place that shows a total (screen, PDF, database, Stripe)
shows that same sum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies a practice may pick.
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "AUD": 2,
    "NZD": 2,
    "CAD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "IEP": 2,
    "ZAR": 2,
    "SGD": 2,
    "HKD": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "ISK": 0,
}

CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "AUD": "A$",
    "NZD": "NZ$",
    "CAD": "C$",
    "JPY": "¥",
}

HUNDRED = Decimal(100)
# Far above any practice's invoice, far below a 64-bit column's limit.
MAX_MINOR = 10**13
MAX_TAX_RATE = Decimal(100)
MAX_UNITS = Decimal(10_000)


class MoneyError(ValueError):
    """A money value a person typed cannot be used; the message says why."""


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency.upper()]
    except KeyError:
        known = ", ".join(sorted(CURRENCY_EXPONENTS))
        raise MoneyError(f"unknown currency {currency!r}; use one of {known}") from None


def round_half_up(value: Decimal) -> int:
    """Round to a whole number of minor units, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# A comma only between groups of three digits: "1,500.50". "12,5" is refused rather
# than read as 125 (or guessed as 12.50): a misread amount would be charged as typed.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_decimal(text: str | Decimal | int, what: str) -> Decimal:
    if isinstance(text, Decimal):
        value = text
    else:
        raw = str(text).strip()
        if "," in raw:
            if not _GROUPED.fullmatch(raw):
                raise MoneyError(
                    f"{what} takes a point for decimals and commas only between thousands "
                    f"(1,500.50), got {raw!r}"
                )
            raw = raw.replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise MoneyError(f"{what} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise MoneyError(f"{what} must be a finite number, got {text!r}")
    return value


def to_minor(amount: str | Decimal | int, currency: str) -> int:
    """``"150.00"`` in USD is 15000; refuses more decimals than the currency has."""
    value = parse_decimal(amount, "amount")
    exp = exponent(currency)
    if value and value.adjusted() >= 20:  # before scaleb, which overflows on 1e999999999
        raise MoneyError(f"{amount} is too large an amount; check the figure")
    scaled = value.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency} amounts have at most {exp} decimal places, got {amount!r}")
    if abs(scaled) >= MAX_MINOR:
        raise MoneyError(f"{amount} is too large an amount; check the figure")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Decimal:
    exp = exponent(currency)
    return Decimal(amount).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_money(amount: int, currency: str, *, symbol: bool = True) -> str:
    """``format_money(-150050, "USD")`` is ``-$1,500.50``."""
    value = from_minor(abs(amount), currency)
    exp = exponent(currency)
    text = f"{value:,.{exp}f}"
    prefix = CURRENCY_SYMBOLS.get(currency.upper(), "") if symbol else ""
    if symbol and not prefix:
        text = f"{text} {currency.upper()}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{prefix}{text}"


def parse_units(text: str | Decimal | int) -> Decimal:
    units = parse_decimal(text, "units")
    if units <= 0:
        raise MoneyError(f"units must be more than 0, got {units}")
    if units > MAX_UNITS:
        raise MoneyError(f"units are at most {MAX_UNITS}, got {units}")
    if units != units.quantize(Decimal("0.001")):
        raise MoneyError(f"units have at most 3 decimal places, got {units}")
    return units.normalize() if units == units.to_integral_value() else units


def parse_tax_rate(text: str | Decimal | int) -> Decimal:
    rate = parse_decimal(text, "tax rate")
    if rate < 0 or rate > MAX_TAX_RATE:
        raise MoneyError(f"tax rate is a percentage from 0 to 100, got {rate}")
    if rate != rate.quantize(Decimal("0.001")):
        raise MoneyError(f"tax rate has at most 3 decimal places, got {rate}")
    return rate


def decimal_text(value: Decimal) -> str:
    """Exact, short text for a quantity or rate: 1.500 -> "1.5", 15.000 -> "15"."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return str(normal.quantize(Decimal(1)))
    return format(normal, "f")


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: int
    tax: int

    @property
    def total(self) -> int:
        return self.net + self.tax


def line_amounts(units: Decimal, unit_price: int, tax_rate: Decimal) -> LineAmounts:
    """The rounding rule: net and tax of one line, each rounded half-up."""
    net = round_half_up(units * unit_price)
    tax = round_half_up(net * tax_rate / HUNDRED)
    return LineAmounts(net=net, tax=tax)


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


def sum_lines(lines: Iterable[LineAmounts]) -> Totals:
    subtotal = 0
    tax = 0
    for line in lines:
        subtotal += line.net
        tax += line.tax
    return Totals(subtotal=subtotal, tax=tax)
