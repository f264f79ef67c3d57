"""A group's timetable: its weekly slots and the lesson dates they give."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from navigator.domain.programs.models import Group
from navigator.domain.shared.errors import InvalidInput

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clean_timetable(timetable: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not timetable:
        raise InvalidInput("timetable_empty")
    seen: set[int] = set()
    cleaned = []
    if not isinstance(timetable, list) or len(timetable) > 7:
        raise InvalidInput("timetable_weekday")
    for slot in timetable:
        if not isinstance(slot, dict):
            raise InvalidInput("timetable_weekday")
        weekday, start, end = (
            slot.get("weekday"),
            str(slot.get("start", "")),
            str(slot.get("end", "")),
        )
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
            raise InvalidInput("timetable_weekday")
        if weekday in seen:
            raise InvalidInput("timetable_weekday_twice")
        time_to_be_agreed = start == end == ""  # an import may not know the hours yet
        if not time_to_be_agreed and (
            not (TIME_RE.match(start) and TIME_RE.match(end)) or start >= end
        ):
            raise InvalidInput("timetable_time")
        seen.add(weekday)
        cleaned.append({"weekday": weekday, "start": start, "end": end})
    return sorted(cleaned, key=lambda s: s["weekday"])


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
