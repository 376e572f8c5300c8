"""The one rounding rule and the money helpers, with golden figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cp_tui.money import (
    MoneyError,
    format_money,
    line_amounts,
    parse_tax_rate,
    parse_units,
    round_half_up,
    sum_lines,
    to_minor,
)


def test_xero_example_rounds_tax_per_line() -> None:
    lines = [line_amounts(Decimal(1), price, Decimal(15)) for price in (2506, 2561, 2563)]
    assert [line.tax for line in lines] == [376, 384, 384]
    totals = sum_lines(lines)
    assert totals.tax == 1144
    assert totals.subtotal == 7630
    assert totals.total == 8774


def test_rounding_the_invoice_total_instead_would_differ() -> None:
    # 76.30 x 15 % = 11.445 -> 11.45 on the total; the per-line rule gives 11.44.
    assert round_half_up(Decimal(7630) * Decimal("0.15")) == 1145


def test_one_and_a_half_units_at_120() -> None:
    amounts = line_amounts(Decimal("1.5"), to_minor("120.00", "USD"), Decimal(0))
    assert (amounts.net, amounts.tax, amounts.total) == (18000, 0, 18000)


def test_zero_rate_line_has_no_tax() -> None:
    assert line_amounts(Decimal(3), 3333, Decimal(0)).tax == 0


def test_jpy_has_no_minor_unit() -> None:
    assert to_minor("5000", "JPY") == 5000
    amounts = line_amounts(Decimal(1), 5000, Decimal(10))
    assert (amounts.net, amounts.tax) == (5000, 500)
    assert format_money(5500, "JPY") == "¥5,500"
    with pytest.raises(MoneyError, match="at most 0 decimal places"):
        to_minor("10.5", "JPY")


def test_half_cent_rounds_up_and_away_from_zero() -> None:
    assert line_amounts(Decimal(1), 1005, Decimal(10)).tax == 101  # 100.5 -> 101
    assert line_amounts(Decimal(1), -1005, Decimal(10)).tax == -101
    assert line_amounts(Decimal("0.5"), 1, Decimal(0)).net == 1


def test_parsing_refuses_what_a_person_should_fix() -> None:
    with pytest.raises(MoneyError, match="number"):
        to_minor("abc", "USD")
    with pytest.raises(MoneyError, match="2 decimal places"):
        to_minor("1.005", "USD")
    with pytest.raises(MoneyError, match="more than 0"):
        parse_units("0")
    with pytest.raises(MoneyError, match="0 to 100"):
        parse_tax_rate("101")
    with pytest.raises(MoneyError, match="unknown currency"):
        to_minor("1", "XXX")


def test_a_comma_is_read_only_between_thousands() -> None:
    assert to_minor("1,500.50", "USD") == 150050
    assert to_minor("-12,345,678", "JPY") == -12345678
    assert to_minor("1,500", "USD") == 150000
    for typed in ("12,5", "12,50", "1,5000", ",500", "1,50,000", "1.500,50", "1,,500"):
        with pytest.raises(MoneyError, match=r"point for decimals.*1,500\.50"):
            to_minor(typed, "USD")
    with pytest.raises(MoneyError, match=r"^units takes a point"):
        parse_units("1,5")  # never 15 sessions
    with pytest.raises(MoneyError, match=r"^tax rate takes a point"):
        parse_tax_rate("7,5")  # never 75 %


def test_format_money() -> None:
    assert format_money(-150050, "USD") == "-$1,500.50"
    assert format_money(1000, "EUR") == "€10.00"
    assert format_money(1000, "CHF") == "10.00 CHF"


@given(
    units=st.decimals(min_value="0.001", max_value="100", places=3),
    price=st.integers(min_value=-(10**7), max_value=10**7),
    rate=st.decimals(min_value="0", max_value="100", places=3),
)
def test_line_amounts_are_within_half_a_unit_of_exact(
    units: Decimal, price: int, rate: Decimal
) -> None:
    amounts = line_amounts(units, price, rate)
    assert abs(Decimal(amounts.net) - units * price) <= Decimal("0.5")
    assert abs(Decimal(amounts.tax) - amounts.net * rate / 100) <= Decimal("0.5")
    assert amounts.total == amounts.net + amounts.tax


def test_absurd_amounts_are_refused_with_a_message() -> None:
    with pytest.raises(MoneyError, match="too large"):
        to_minor("99999999999999999999999", "USD")
    assert to_minor("99999999999.99", "USD") == 9_999_999_999_999
