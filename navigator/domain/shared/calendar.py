"""Dates: a child's age, a birthday, a municipality's today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from navigator.domain.shared.models import utcnow


class Zoned(Protocol):
    """Anything with a time zone: a municipality."""

    @property
    def timezone(self) -> str: ...


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birthday(birth_date: date, years: int) -> date:
    """The date a child turns `years`; 29 February falls on 1 March in other years."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def local_today(municipality: Zoned, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(municipality.timezone)).date()
