"""How dates, timetables and money read on the pages, per language."""

from __future__ import annotations

import dataclasses
import re
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


@dataclasses.dataclass
class TextBlock:
    """A paragraph (its lines) or a bulleted list (its items) of a program's description."""

    kind: str  # "p" or "ul"
    lines: list[str]


_BULLET = re.compile(r"^\s*[-•*–]\s+")


def description_blocks(description: str) -> list[TextBlock]:
    """The description's safe formatting: a blank line starts a paragraph, and lines that
    begin with "- " (or "• ") make a list. Everything is shown as text, never as markup."""
    blocks: list[TextBlock] = []
    for chunk in re.split(r"\n\s*\n", description.replace("\r\n", "\n").strip()):
        current: TextBlock | None = None  # a new chunk always starts a new block
        for raw in chunk.split("\n"):
            line = raw.strip()
            if not line:
                continue
            kind = "ul" if _BULLET.match(line) else "p"
            if current is None or current.kind != kind:
                current = TextBlock(kind, [])
                blocks.append(current)
            current.lines.append(_BULLET.sub("", line) if kind == "ul" else line)
    return blocks
