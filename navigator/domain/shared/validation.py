"""Shared `check_*` functions: each returns the clean value or raises InvalidInput."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from navigator.domain.shared.errors import InvalidInput, NotFound

# plain ASCII addresses only: no quoting, encoded words or angle brackets to smuggle a second
# recipient into a mail header
EMAIL_RE = re.compile(r"^[a-z0-9._%+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,63}$")


MAX_ROW_ID = 2**63 - 1  # BIGINT; an id past it is no row's


def is_row_id(value: object) -> bool:
    """A whole number that can be a row's id: not a bool, a float, a string or a list."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def check_row_id(value: object) -> int:
    """The id, or NotFound: a malformed id answers exactly like one that does not exist."""
    if not is_row_id(value):
        raise NotFound()
    return value  # type: ignore[return-value]


def check_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput("field_required", field=field)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput("field_required", field=field)
    if len(cleaned) > max_length:
        raise InvalidInput("field_too_long", field=field, max_length=max_length)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned):
        raise InvalidInput("field_control_characters", field=field)
    return cleaned


def check_choice(value: str, field: str, choices: type[StrEnum]) -> str:
    allowed = {c.value for c in choices}
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput("field_not_allowed", field=field, allowed=", ".join(sorted(allowed)))
    return value


MAX_AMOUNT_MINOR = 10**13  # ten trillion minor units: beyond any budget, far inside BIGINT


MAX_COUNT = 1_000_000  # seats, certificates: far inside INTEGER


def _check_int(value: object, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must_be_whole_number", field=field)
    if value > maximum:
        raise InvalidInput("value_too_large", field=field, max=maximum)
    return value


def check_positive(value: int, field: str, *, maximum: int = MAX_AMOUNT_MINOR) -> int:
    if _check_int(value, field, maximum) <= 0:
        raise InvalidInput("must_be_positive", field=field)
    return value


def check_non_negative(value: int, field: str, *, maximum: int = MAX_AMOUNT_MINOR) -> int:
    if _check_int(value, field, maximum) < 0:
        raise InvalidInput("must_not_be_negative", field=field)
    return value


def check_date(value: object, field: str) -> date:
    """A calendar date (not a datetime, not a string)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput("date_invalid", field=field)
    return value


def check_age_range(age_min: int, age_max: int) -> tuple[int, int]:
    for name, value in (("age_min", age_min), ("age_max", age_max)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 18:
            raise InvalidInput("age_out_of_range", min=0, max=18, field=name)
    if age_min > age_max:
        raise InvalidInput("age_range_reversed", field="age_max")
    return age_min, age_max


def check_date_range(starts_on: date, ends_on: date) -> None:
    check_date(starts_on, "starts_on")
    check_date(ends_on, "ends_on")
    if ends_on < starts_on:
        raise InvalidInput("dates_reversed", field="ends_on")


def check_not_in_past(value: date, field: str, today: date) -> date:
    """A date from `today` on; `today` is the caller's (a municipality's local date)."""
    if value < today:
        raise InvalidInput("date_in_past", field=field)
    return value


def check_email(value: str) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput("email_invalid", field="email")
    cleaned = (value or "").strip().lower()
    if not EMAIL_RE.match(cleaned):
        raise InvalidInput("email_invalid", field="email")
    return cleaned


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("timezone_unknown", value=value) from None
    return value


def parse_coordinate(value: object) -> float | None:
    """A latitude or longitude as a number, or as people type it: "54.6872" or "54,6872".

    Blank is None; text that is not a plain decimal number raises InvalidInput. Whether the
    point is on the map is check_coordinates' to judge.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raw = ("" if value is None else str(value)).strip().replace(",", ".")
    if not raw:
        return None
    if len(raw) > 32 or not re.fullmatch(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)", raw):
        raise InvalidInput("coordinates_out_of_range", field="latitude")
    return float(raw)


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput("coordinates_incomplete", field="latitude")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise InvalidInput("coordinates_out_of_range", field="latitude")
