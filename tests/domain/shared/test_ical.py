"""iCalendar text as RFC 5545 writes it: escaped values, lines of at most 75 octets that
never cut a character, CRLF ends, times in UTC and whole days as dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from navigator.domain.shared.ical import Event, calendar, escape_text, fold


def test_text_escapes_backslash_semicolon_comma_and_line_breaks():
    assert escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert escape_text("bell\x07 and tab\t") == "bell and tab\t"  # no control character


def test_a_long_line_folds_at_75_octets_without_cutting_a_character():
    line = "SUMMARY:" + "Ж" * 100 + "z" * 30
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
    assert fold("SHORT:x") == "SHORT:x"


def test_a_calendar_is_crlf_lines_with_utc_times_and_whole_days():
    moscow = ZoneInfo("Europe/Moscow")
    text = calendar(
        [
            Event(
                "a@x",
                datetime(2026, 9, 7, 16, 0, tzinfo=moscow),
                datetime(2026, 9, 7, 17, 30, tzinfo=moscow),
                "Аня: Лепка",
            ),
            Event("b@x", date(2026, 9, 8), date(2026, 9, 9), "Борис", location="Дом, 5"),
        ],
        name="Навигатор",
        product="-//Test//EN",
        stamp=datetime(2026, 9, 1, 8, 0, tzinfo=UTC),
    )
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert "DTSTART:20260907T130000Z" in lines and "DTEND:20260907T143000Z" in lines
    assert "DTSTART;VALUE=DATE:20260908" in lines and "DTEND;VALUE=DATE:20260909" in lines
    assert lines.count("DTSTAMP:20260901T080000Z") == 2
    assert "LOCATION:Дом\\, 5" in lines
