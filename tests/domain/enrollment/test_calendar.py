"""A family's week: every lesson of each child, in the municipality's time, marked as the
register says; never another family's, never a cancelled place, and only for a parent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from navigator.domain.accounts.access import Actor
from navigator.domain.enrollment.api import cancel_enrollment
from navigator.domain.enrollment.calendar import family_lessons, family_week
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from tests.domain.enrollment.family import THEATRE, build_family


def _week(family, day=None):
    with read_session(family.world.engine) as s:
        return family_week(s, family.world.parent, day, today=family.world.today)


def test_the_week_shows_both_childrens_lessons_day_by_day(engine):
    family = build_family(engine)
    week = _week(family)
    monday = family.world.today
    assert week.monday == monday and week.today == monday
    seen = [
        (lesson.day - monday, lesson.child_first_name, lesson.program_title, lesson.pending)
        for lesson in week.lessons
    ]
    assert seen == [
        (timedelta(0), "Аня", "Робототехника", False),
        (timedelta(1), "Борис", THEATRE, False),
        (timedelta(2), "Аня", "Робототехника", False),
        (timedelta(3), "Борис", THEATRE, False),
        (timedelta(4), "Аня", "Робототехника", True),  # the application waiting for Friday
    ]
    first = week.lessons[0]
    assert first.mark == "present" and week.lessons[2].mark == ""
    # 16:00 in Moscow, whatever the server's zone
    assert first.starts_at.utcoffset() == timedelta(hours=3)
    assert (first.starts_at.hour, first.starts_at.minute) == (16, 0)
    assert (first.ends_at.hour, first.ends_at.minute) == (17, 30)
    assert week.lessons[1].address.startswith("ул. Ленина")
    assert {lesson.group_name for lesson in week.lessons} and all(
        "Петров" not in lesson.child_first_name for lesson in week.lessons
    )


def test_another_familys_lessons_never_appear(engine):
    family = build_family(engine)
    lessons = _week(family).lessons
    assert family.other_enrollment not in {lesson.enrollment_id for lesson in lessons}
    with read_session(engine) as s:
        theirs = family_week(s, family.other_parent, today=family.world.today).lessons
    assert {lesson.enrollment_id for lesson in theirs} == {family.other_enrollment}


def test_a_cancelled_place_and_the_weeks_after_the_groups_show_nothing(engine):
    family = build_family(engine)
    with family.world.tx() as s:
        cancel_enrollment(s, family.world.parent, family.waiting)
    assert [lesson.day.isoweekday() for lesson in _week(family).lessons] == [1, 2, 3, 4]
    after = _week(family, family.world.today + timedelta(weeks=5))
    assert after.lessons == [] and after.monday == family.world.today + timedelta(weeks=5)
    midweek = _week(family, family.world.today + timedelta(days=9))  # a Wednesday
    assert midweek.monday == family.world.today + timedelta(weeks=1)


def test_a_provider_or_the_system_has_no_family_here(engine):
    family = build_family(engine)
    with read_session(engine) as s:
        for actor in (family.world.provider_user, Actor.system(), Actor.user(10**9)):
            with pytest.raises(NotFound):
                family_week(s, actor)
            with pytest.raises(NotFound):
                family_lessons(s, actor, family.world.today, family.world.today)


def test_a_range_backwards_or_too_long_is_refused(engine):
    family = build_family(engine)
    today = family.world.today
    with read_session(engine) as s:
        with pytest.raises(InvalidInput):
            family_lessons(s, family.world.parent, today, today - timedelta(days=1))
        with pytest.raises(InvalidInput):
            family_lessons(s, family.world.parent, today, today + timedelta(days=5000))
        with pytest.raises(InvalidInput):
            family_week(s, family.world.parent, "2026-09-07")  # type: ignore[arg-type]
