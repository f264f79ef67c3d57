"""How dates, timetables and money read on the pages, per language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from navigator.domain.money import format_amount
from navigator.i18n import WEEKDAY_NAMES


def day(value: date | datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return (
        value.isoformat()
        if lang == "lt"
        else value.strftime("%d.%m.%Y" if lang == "ru" else "%d %b %Y")
    )


def timetable(slots: Iterable[dict[str, Any]], lang: str) -> str:
    names = WEEKDAY_NAMES.get(lang, WEEKDAY_NAMES["en"])
    parts = []
    for slot in slots:
        hours = f" {slot['start']}–{slot['end']}" if slot.get("start") else ""
        parts.append(f"{names[int(slot['weekday']) - 1]}{hours}")
    return ", ".join(parts) or "—"


def money(minor: int, currency: str, lang: str) -> str:
    return format_amount(minor, currency, lang)
