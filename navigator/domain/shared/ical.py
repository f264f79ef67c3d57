"""iCalendar text (RFC 5545) for a subscribed calendar: escaped values, lines folded at 75
octets, CRLF line ends, times in UTC (no VTIMEZONE to keep in step with the zone rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
MAX_LINE_OCTETS = 75  # without the CRLF (3.1)


@dataclass(frozen=True)
class Event:
    """One VEVENT: a lesson with its hours (aware datetimes), or a whole day (dates)."""

    uid: str
    starts: datetime | date
    ends: datetime | date
    summary: str
    location: str = ""
    description: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (3.3.11): backslash, semicolon and comma escaped, a line break written as
    \\n; other control characters, which no TEXT may hold, dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or (ord(ch) >= 32 and ord(ch) != 127))


def fold(line: str) -> str:
    """A content line split into lines of at most 75 octets, each continued by one leading
    space (3.1); a UTF-8 character is never cut in two."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > MAX_LINE_OCTETS:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    pieces.append("".join(current))
    return CRLF.join(pieces)


def _moment(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("an event's time must say its zone")
        return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def calendar(
    events: Iterable[Event],
    *,
    name: str,
    product: str,
    stamp: datetime,
    refresh: timedelta = timedelta(hours=6),
) -> str:
    """A VCALENDAR of the events, published (a subscription, not an invitation)."""
    hours = int(refresh.total_seconds() // 3600)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(product)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{hours}H",  # RFC 7986
        f"X-PUBLISHED-TTL:PT{hours}H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            _moment("DTSTAMP", stamp),
            _moment("DTSTART", event.starts),
            _moment("DTEND", event.ends),
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
