"""The private calendar link: one live link a parent, replaced or turned off at once, and an
iCalendar that parses (folded, escaped, CRLF) with each seated lesson once, first names only.
A malformed, forged or revoked token reads nothing, over HTTP an empty 404 alike."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

import navigator.domain.shared.db as db
from navigator.api.calendar import feeds
from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.feeds import (
    feed_calendar,
    live_feed,
    open_feed,
    renew_feed,
    revoke_feed,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import NotFound
from tests.domain.enrollment.family import THEATRE, THEATRE_ADDRESS, build_family

STAMP = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
MALFORMED = ["", "x", "../../etc/passwd", "a" * 42 + "!", "a" * 44, "ы" * 43, "a" * 5000]


def _read(engine, token, **kwargs):
    with read_session(engine) as s:
        return feed_calendar(s, token, uid_domain="example.org", **kwargs)


def _unfold(text: str) -> list[str]:
    """The content lines, after checking every physical line: CRLF, at most 75 octets."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in physical)
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _unescape(value: str) -> str:
    assert not re.search(r"(?<!\\)(?:\\\\)*[;,]", value), value  # every , and ; escaped
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _events(text: str) -> list[dict[str, str]]:
    """Each VEVENT's properties (name with its parameters → raw value), components nested
    as BEGIN/END say."""
    stack: list[str] = []
    events: list[dict[str, str]] = []
    for line in _unfold(text):
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack[-1:] == ["VEVENT"]:
            assert name not in events[-1], name
            events[-1][name] = value
    assert stack == [] and text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    return events


def _open(engine, parent) -> str:
    with db.transaction(engine) as s:
        return open_feed(s, parent).token


def test_the_feed_holds_each_seated_lesson_once_with_first_names_only(engine):
    family = build_family(engine)
    token = _open(engine, family.world.parent)
    text = _read(engine, token, now=STAMP, today=family.world.today)
    events = _events(text)
    # Mondays and Wednesdays, Tuesdays and Thursdays, four weeks each; the waiting Friday
    # application and the other family are not in it
    assert len(events) == 16
    uids = [e["UID"] for e in events]
    assert len(set(uids)) == 16
    assert {uid.split("-")[1] for uid in uids} == {str(family.robotics), str(family.theatre)}
    assert all(uid.endswith("@example.org") for uid in uids)
    summaries = {_unescape(e["SUMMARY"]) for e in events}
    assert summaries == {"Аня: Робототехника", f"Борис: {THEATRE}"}
    assert "Петров" not in text and "Иванова" not in text  # no surname of either family
    theatre = next(e for e in events if "Борис" in e["SUMMARY"])
    assert _unescape(theatre["LOCATION"]) == THEATRE_ADDRESS
    assert "\\;" in theatre["SUMMARY"] and "\\\\" in theatre["SUMMARY"]
    assert "\\n" in theatre["LOCATION"]
    first = next(e for e in events if e["UID"] == f"lesson-{family.robotics}-20260907@example.org")
    assert first["DTSTART"] == "20260907T130000Z" and first["DTEND"] == "20260907T143000Z"
    assert first["DTSTAMP"] == "20260901T080000Z"
    assert _unescape(first["DESCRIPTION"]).splitlines()[1] == "присутствовал"  # the register
    # the same lessons keep their UIDs when the calendar app reads again
    again = _events(_read(engine, token, today=family.world.today + timedelta(days=3)))
    assert {e["UID"]: e["DTSTART"] for e in again} == {e["UID"]: e["DTSTART"] for e in events}


def test_lessons_long_past_or_far_ahead_stay_out(engine):
    family = build_family(engine)
    token = _open(engine, family.world.parent)
    later = family.world.today + timedelta(weeks=12)
    assert _events(_read(engine, token, today=later)) == []
    earlier = family.world.today - timedelta(days=500)
    assert _events(_read(engine, token, today=earlier)) == []


def test_a_revoked_a_forged_or_a_malformed_token_reads_nothing(engine):
    family = build_family(engine)
    parent, today = family.world.parent, family.world.today
    first = _open(engine, parent)
    assert _open(engine, parent) == first  # made once, then the same link
    with db.transaction(engine) as s:
        second = renew_feed(s, parent).token
    assert second != first and len(second) == 43
    assert _read(engine, first, today=today) is None
    assert _read(engine, second, today=today) is not None
    with db.transaction(engine) as s:
        revoke_feed(s, parent)
        assert live_feed(s, parent) is None
    assert _read(engine, second, today=today) is None
    for forged in [secrets.token_urlsafe(32), *MALFORMED, None, 42, b"x"]:
        assert _read(engine, forged, today=today) is None
    third = _open(engine, parent)
    assert third not in (first, second) and _read(engine, third, today=today)


def test_only_a_parent_has_a_link(engine):
    family = build_family(engine)
    for actor in (family.world.provider_user, Actor.system()):
        with pytest.raises(NotFound), db.transaction(engine) as s:
            open_feed(s, actor)
        with pytest.raises(NotFound), db.transaction(engine) as s:
            renew_feed(s, actor)


def test_over_http_the_feed_is_text_calendar_and_every_wrong_token_the_same_empty_404(
    engine, monkeypatch
):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    this_monday = date.today() - timedelta(days=date.today().weekday())
    family = build_family(engine, today=this_monday)  # the route reads the real clock
    token = _open(engine, family.world.parent)
    client = TestClient(feeds)
    answer = client.get(f"/calendar/{token}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in answer.headers["cache-control"]
    assert len(_events(answer.text)) >= 2
    with db.transaction(engine) as s:
        renewed = renew_feed(s, family.world.parent).token
    refusals = [
        client.get(f"/calendar/{wrong}.ics")
        for wrong in [token, secrets.token_urlsafe(32), "x", "%2e%2e", "a" * 500, "ы" * 43]
    ]
    assert {(r.status_code, r.content) for r in refusals} == {(404, b"")}
    assert len({tuple(sorted(r.headers.items())) for r in refusals}) == 1
    assert client.get(f"/calendar/{renewed}.ics").status_code == 200
