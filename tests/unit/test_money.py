import pytest
from hypothesis import given
from hypothesis import strategies as st

from navigator.domain.errors import InvalidInput
from navigator.domain.money import format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "minor"),
    [("12.50", 1250), ("12,5", 1250), ("0", 0), (" 1 000,01 ", 100001), ("7", 700), ("0.01", 1)],
)
def test_amounts_parse_to_integer_minor_units(text, minor):
    assert parse_amount(text, "RUB") == minor


@pytest.mark.parametrize("text", ["1.234", "abc", "-1", "NaN", "Infinity", "", "1e400"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_amount(text, "EUR")


def test_unknown_currency_is_refused():
    with pytest.raises(InvalidInput):
        parse_amount("1", "XXX")


def test_amounts_are_formatted_per_locale():
    assert format_amount(123456, "EUR", "en") == "1,234.56 €"
    assert format_amount(123456, "RUB", "ru") == "1\u202f234,56 ₽"
    assert format_amount(-5, "EUR", "lt") == "-0,05 €"


@given(st.integers(min_value=0, max_value=10**12))
def test_format_then_parse_round_trips(minor):
    assert (
        parse_amount(format_amount(minor, "EUR", "en").removesuffix(" €").replace(",", ""), "EUR")
        == minor
    )
