"""/cabinet/week, called by name as a browser could: the parent sees both children's week
and manages the calendar link; a signed-out caller and a provider get nothing and change
nothing, and what one person saw is gone when another asks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.enrollment.models import CalendarFeed
from navigator.domain.shared.models import utcnow
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.week import WeekState
from tests.domain.enrollment.family import build_family

HANDLERS = (
    "previous_week",
    "next_week",
    "this_week",
    "make_feed",
    "ask_renew_feed",
    "ask_revoke_feed",
    "keep_feed",
    "confirm_feed_change",
    "copied",
)


@pytest.fixture
def family(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    this_monday = date.today() - timedelta(days=date.today().weekday())
    family = build_family(engine, today=this_monday)  # the page reads the real clock
    with family.world.tx() as s:
        tokens = {
            "parent": start_session(s, family.world.parent.user_id, utcnow()).token,
            "provider": start_session(s, family.world.provider_user.user_id, utcnow()).token,
            "nobody": None,
        }
    holder = {"token": tokens["parent"]}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])
    return family, holder, tokens


def _feeds(engine) -> list[CalendarFeed]:
    with db.read_session(engine) as s:
        return list(s.exec(select(CalendarFeed)).all())


def _lessons(state: WeekState) -> list:
    return [lesson for day in state.days for lesson in day.lessons]


def test_the_parent_sees_the_week_day_by_day_and_moves_through_weeks(family):
    _family, _holder, _tokens = family
    state = WeekState(_reflex_internal_init=True)
    assert WeekState.load.fn(state) is None
    assert state.is_family and state.is_this_week and state.error == ""
    lessons = _lessons(state)
    assert [lesson.child for lesson in lessons] == ["Аня", "Борис", "Аня", "Борис", "Аня"]
    assert lessons[0].time == "16:00–17:30" and lessons[0].mark_kind == "present"
    assert lessons[0].mark  # in words
    assert [lesson.pending for lesson in lessons] == [False, False, False, False, True]
    assert lessons[1].place.startswith("ул. Ленина")
    assert sum(day.today for day in state.days) == 1  # today is shown, lessons or not
    assert state.week_title and state.lesson_count == 5

    WeekState.next_week.fn(state)
    assert not state.is_this_week and state.lesson_count == 5
    WeekState.previous_week.fn(state)
    WeekState.previous_week.fn(state)  # before the groups began
    assert state.lesson_count == 0 and not any(day.today for day in state.days)
    WeekState.this_week.fn(state)
    assert state.is_this_week and state.lesson_count == 5


def test_the_parent_makes_renews_and_turns_off_the_calendar_link(engine, family):
    state = WeekState(_reflex_internal_init=True)
    WeekState.load.fn(state)
    assert state.feed_url == ""
    WeekState.make_feed.fn(state)
    first = state.feed_url
    assert first.startswith(get_settings().app_url.rstrip("/") + "/calendar/")
    assert first.endswith(".ics") and state.feed_webcal.startswith("webcal://")
    assert state.feed_since and state.notice
    WeekState.load.fn(state)
    assert state.feed_url == first  # the same link, to copy again

    WeekState.ask_renew_feed.fn(state)
    assert state.confirming == "renew"
    WeekState.keep_feed.fn(state)
    WeekState.confirm_feed_change.fn(state)  # nothing asked, nothing changed
    assert state.feed_url == first
    WeekState.ask_renew_feed.fn(state)
    WeekState.confirm_feed_change.fn(state)
    assert state.feed_url not in ("", first) and state.confirming == ""
    assert len([f for f in _feeds(engine) if f.revoked_at is None]) == 1

    WeekState.ask_revoke_feed.fn(state)
    WeekState.confirm_feed_change.fn(state)
    assert state.feed_url == state.feed_webcal == ""
    assert all(f.revoked_at is not None for f in _feeds(engine))


@pytest.mark.parametrize("who", ["nobody", "provider"])
def test_a_signed_out_caller_or_a_provider_gets_nothing_from_any_handler(engine, family, who):
    _family, holder, tokens = family
    holder["token"] = tokens[who]
    state = WeekState(_reflex_internal_init=True)
    answer = WeekState.load.fn(state)
    assert (answer is not None) == (who == "nobody")  # signed out: to the sign-in page
    for name in HANDLERS:
        getattr(WeekState, name).fn(state)
        assert not state.is_family and state.days == [] and state.feed_url == ""
        assert state.confirming == ""
    assert _feeds(engine) == []


def test_what_the_parent_saw_leaves_when_someone_else_asks(engine, family):
    _family, holder, tokens = family
    state = WeekState(_reflex_internal_init=True)
    WeekState.load.fn(state)
    WeekState.make_feed.fn(state)
    assert state.days and state.feed_url
    holder["token"] = tokens["provider"]
    WeekState.next_week.fn(state)
    assert state.days == [] and state.feed_url == "" and not state.is_family
