"""Dates: a child's age, a municipality's today, a group's lesson dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from navigator.domain.models import Group, Municipality, utcnow


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


def local_today(municipality: Municipality, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(municipality.timezone)).date()


def lesson_weekdays(group: Group) -> set[int]:
    return {int(slot["weekday"]) for slot in group.timetable}


def lesson_dates(group: Group, from_date: date | None = None) -> list[date]:
    """Every lesson date of the group's timetable from `from_date` on, holidays excluded."""
    weekdays = lesson_weekdays(group)
    excluded = {date.fromisoformat(d) for d in group.excluded_dates}
    day = max(group.starts_on, from_date) if from_date else group.starts_on
    dates = []
    while day <= group.ends_on:
        if day.isoweekday() in weekdays and day not in excluded:
            dates.append(day)
        day += timedelta(days=1)
    return dates


def is_lesson_date(group: Group, day: date) -> bool:
    return (
        group.starts_on <= day <= group.ends_on
        and day.isoweekday() in lesson_weekdays(group)
        and day.isoformat() not in group.excluded_dates
    )
