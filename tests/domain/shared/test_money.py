import pytest
from hypothesis import given
from hypothesis import strategies as st

from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.money import parse_amount
from navigator.i18n.formatting import format_money


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
    # CLDR's patterns (Babel) with the narrow symbol: English puts it first, ru and lt after
    # a no-break space, and group with a no-break space
    assert format_money(123456, "EUR", "en") == "€1,234.56"
    assert format_money(123456, "RUB", "en") == "₽1,234.56"
    assert format_money(123456, "RUB", "ru") == "1\xa0234,56\xa0₽"
    assert format_money(123456, "RUB", "lt") == "1\xa0234,56\xa0₽"
    assert format_money(-5, "EUR", "lt") == "-0,05\xa0€"


@given(st.integers(min_value=0, max_value=10**12))
def test_format_then_parse_round_trips(minor):
    for language in ("ru", "lt", "en"):
        written = format_money(minor, "EUR", language).replace("€", "")
        if language == "en":
            written = written.replace(",", "")
        assert parse_amount(written, "EUR") == minor
