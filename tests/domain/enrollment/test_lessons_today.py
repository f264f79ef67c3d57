"""The provider's desk opens on today's lessons: the groups that meet today on the certified
timetable, how many children sit in each and how many are marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import lessons_today, mark_attendance
from navigator.domain.programs.api import update_group
from navigator.domain.programs.models import Group
from navigator.domain.shared.errors import DomainError
from tests.factories import build_world


def test_todays_groups_with_their_children_and_marks(engine):
    world = build_world(engine)  # Mondays and Wednesdays, 16:00–17:30; today is a Monday
    tuesday_only = world.add_group(weekdays=(2,))
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with world.tx() as s:
        [lesson] = lessons_today(s, world.provider_user, world.provider_id, world.today)
    assert (lesson.group_id, lesson.starts, lesson.ends) == (world.group_id, "16:00", "17:30")
    assert (lesson.children, lesson.marked) == (1, 0)

    with world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, world.today, "present", today=world.today
        )
    with world.tx() as s:
        [lesson] = lessons_today(s, world.provider_user, world.provider_id, world.today)
        assert lesson.marked == 1
        tuesday = lessons_today(
            s, world.provider_user, world.provider_id, world.today + timedelta(days=1)
        )
    assert [t.group_id for t in tuesday] == [tuesday_only]


def test_a_weekday_added_after_certification_is_not_a_lesson_yet(engine):
    """Until the municipality certifies the change, the register keeps to what it paid for."""
    world = build_world(engine)
    with world.tx() as s:
        group = s.get(Group, world.group_id)
        update_group(
            s,
            world.provider_user,
            world.group_id,
            name=group.name,
            timetable=[{"weekday": d, "start": "16:00", "end": "17:30"} for d in (1, 2, 3)],
            starts_on=group.starts_on,
            ends_on=group.ends_on,
            seats=group.seats,
            price_per_lesson_minor=group.price_per_lesson_minor,
        )
    with world.tx() as s:
        assert (
            lessons_today(
                s, world.provider_user, world.provider_id, world.today + timedelta(days=1)
            )
            == []
        )


def test_another_providers_desk_is_refused(engine):
    world = build_world(engine)
    other = build_world(engine)
    with world.tx() as s, pytest.raises(DomainError):
        lessons_today(s, other.provider_user, world.provider_id, world.today)
