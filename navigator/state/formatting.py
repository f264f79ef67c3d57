"""How dates, timetables, money and descriptions read on the pages, per language."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from navigator.i18n.formatting import format_day, format_money, weekday_abbreviations

# the pages' short names for CLDR's formats (navigator.i18n.formatting)
day = format_day
money = format_money


def timetable(slots: Iterable[dict[str, Any]], lang: str) -> str:
    names = weekday_abbreviations(lang)
    parts = []
    for slot in slots:
        hours = f" {slot['start']}–{slot['end']}" if slot.get("start") else ""
        parts.append(f"{names[int(slot['weekday']) - 1]}{hours}")
    return ", ".join(parts) or "—"


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


@dataclasses.dataclass
class Bar:
    """One bar of a chart: what it is, its figure in words, and its length (a CSS width)."""

    label: str
    figure: str
    width: str


def bars(rows: Iterable[tuple[str, str, int]], *, of: int | None = None) -> list[Bar]:
    """Bars for (label, figure in words, value) rows, as long as the value is of `of` (the
    largest value when none is given); a value above zero always shows a sliver."""
    rows = list(rows)
    whole = of if of is not None else max((value for _, _, value in rows), default=0)
    out = []
    for label, figure, value in rows:
        share = 0.0 if whole <= 0 else min(max(value, 0) / whole, 1.0)
        width = "1%" if 0 < share < 0.01 else f"{share * 100:.1f}%"
        out.append(Bar(label, figure, width))
    return out
