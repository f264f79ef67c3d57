"""Money is an integer count of minor units (kopecks, cents) in the municipality's currency.

There is no float anywhere on the way: text is parsed with Decimal and refused when it
has more decimals than the currency has. Writing an amount for people is the translations'
work (`navigator.i18n.formatting.format_money`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from navigator.domain.shared.errors import InvalidInput

CURRENCY_EXPONENT = {"RUB": 2, "EUR": 2}


MAX_WHOLE_DIGITS = 12  # a trillion roubles is far beyond any budget; BIGINT holds it easily


PLAIN_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENT[currency]
    except (KeyError, TypeError):
        raise InvalidInput("unknown_currency", currency=currency) from None


def parse_amount(text: str, currency: str, *, field: str | None = None) -> int:
    """'12.50' in EUR → 1250. Refuses '1.234', 'abc', '-1', 'NaN', naming `field` (the form
    field the amount was typed in) when given."""
    try:
        return _minor_units(text, currency)
    except InvalidInput as error:
        if field is not None:
            error.params["field"] = field
        raise


def _minor_units(text: str, currency: str) -> int:
    digits = exponent(currency)
    cleaned = (
        text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    )
    if not PLAIN_DECIMAL.match(cleaned):
        raise InvalidInput("amount_not_a_number", value=text)
    if len(cleaned.lstrip("-").split(".")[0].lstrip("0")) > MAX_WHOLE_DIGITS:
        raise InvalidInput("amount_not_a_number", value=text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput("amount_not_a_number", value=text) from None
    if not value.is_finite():
        raise InvalidInput("amount_not_a_number", value=text)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise InvalidInput("amount_too_precise", value=text, digits=digits)
    if minor < 0:
        raise InvalidInput("amount_negative", value=text)
    return int(minor)
