"""Numbers, money, dates and distances as each language writes them, from CLDR (Babel).

Money shows the currency's narrow symbol in every language (₽, €): CLDR's English would
write `RUB 12.50`, which parents do not read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel import dates, numbers, units

from navigator.i18n.catalogs import FALLBACK, LANGUAGES

# CLDR's narrow symbols (root locale, "symbol-alt-narrow") of the currencies we pay in
NARROW_SYMBOL = {"RUB": "₽", "EUR": "€"}


def _locale(language: str) -> str:
    return language if language in LANGUAGES else FALLBACK


def main_units(minor: int, currency: str) -> Decimal:
    """1250 EUR → Decimal('12.50'), by the currency's CLDR number of digits."""
    return Decimal(minor).scaleb(-numbers.get_currency_precision(currency))


def format_money(minor: int, currency: str, language: str) -> str:
    """1250 EUR → '€12.50' (en), '12,50 €' (ru, lt); grouped as the language groups."""
    locale = _locale(language)
    written = numbers.format_currency(main_units(minor, currency), currency, locale=locale)
    standard = numbers.get_currency_symbol(currency, locale)
    return written.replace(standard, NARROW_SYMBOL.get(currency, standard))


def currency_symbol(currency: str, language: str) -> str:
    """'RUB' → '₽', 'EUR' → '€': the symbol format_money writes."""
    standard = numbers.get_currency_symbol(currency, _locale(language))
    return NARROW_SYMBOL.get(currency, standard)


def format_number(value: int | float | Decimal, language: str) -> str:
    return numbers.format_decimal(value, locale=_locale(language))


def format_day(value: date | datetime | None, language: str) -> str:
    """A date as the language writes it (CLDR's medium form); '—' for none."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return dates.format_date(value, format="medium", locale=_locale(language))


def format_weekday_day(value: date, language: str) -> str:
    """'Monday, September 7': a day of a week shown day by day, as the language writes it."""
    locale = _locale(language)
    name = dates.get_day_names("wide", context="format", locale=locale)[value.weekday()]
    return f"{name.capitalize()}, {dates.format_skeleton('MMMMd', value, locale=locale)}"


def format_day_range(first: date, last: date, language: str) -> str:
    """'Sep 7 – 13, 2026': CLDR's interval, without repeating what both ends share."""
    return dates.format_interval(first, last, skeleton="yMMMd", locale=_locale(language))


def format_moment(value: datetime | None, language: str, timezone: str = "UTC") -> str:
    """A date and time in `timezone`, as the language writes them."""
    if value is None:
        return "—"
    return dates.format_datetime(
        value.astimezone(UTC),
        format="short",
        tzinfo=dates.get_timezone(timezone),
        locale=_locale(language),
    )


def format_distance(meters: float, language: str) -> str:
    """1234 m → '1,2 км' (ru), '1.2 km' (en)."""
    return units.format_unit(
        round(meters / 1000, 1), "length-kilometer", length="short", locale=_locale(language)
    )


def weekday_abbreviations(language: str) -> tuple[str, ...]:
    """Monday first, as the language abbreviates them, with a capital letter."""
    names = dates.get_day_names("abbreviated", context="stand-alone", locale=_locale(language))
    return tuple(names[day].rstrip(".").capitalize() for day in range(7))
