"""Checks for form fields: each puts its message by its own field, and keeps what was typed.

The services check everything again when the form is saved; these only make
sure a person sees which field is wrong, and why, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable

from cp_tui.money import exponent, parse_tax_rate
from cp_tui.services.catalogue import check_duration, parse_price
from cp_tui.services.errors import DomainError
from cp_tui.widgets.field import Field

Check = Callable[[str], object]


def check(field: Field, test: Check) -> bool:
    """Run ``test`` on the field's value; show its error by the field. True when it passes."""
    try:
        test(field.value)
    except (DomainError, ValueError) as exc:  # MoneyError is a ValueError
        field.set_error(str(exc))
        return False
    field.set_error(None)
    return True


def check_all(pairs: list[tuple[Field, Check]]) -> bool:
    """Check every field (so every message shows at once); True when all pass."""
    results = [check(field, test) for field, test in pairs]
    return all(results)


def required(message: str) -> Check:
    def test(text: str) -> None:
        if not text:
            raise ValueError(message)

    return test


def currency(text: str) -> int:
    return exponent(text.upper())


def tax_rate(text: str) -> object:
    return parse_tax_rate(text or "0")


def whole_number(low: int, high: int, what: str) -> Check:
    def test(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"{what} is a whole number from {low} to {high}")
        return int(text)

    return test


def minutes(text: str) -> int:
    if not text.isdigit():
        raise ValueError("a duration is whole minutes, e.g. 50")
    return check_duration(int(text))


def price(currency_code: str) -> Check:
    def test(text: str) -> int:
        if not text:
            raise ValueError("a price is needed, e.g. 150.00")
        return parse_price(text, currency_code)

    return test


def prefix(text: str) -> None:
    if not text or len(text) > 20:
        raise ValueError("a number prefix is 1 to 20 characters, e.g. INV-")
