"""Saving a class's register: a child cancelled a moment earlier is left out, not the whole
class; the same batch sent twice at once is marked once and changes nothing the second time."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import lock_batch, mark_lesson, record_attendance
from navigator.domain.enrollment.models import Attendance
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import read_session
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel


def _class_of_three(world) -> tuple[list[tuple[object, int]], list]:
    seated = []
    for _ in range(3):
        parent, child_id, _certificate, _account = world.add_parent_with_child()
        enrollment_id = world.apply(child_id=child_id, parent=parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
        seated.append((parent, enrollment_id))
    with read_session(world.engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    return seated, lessons


def test_a_register_saved_just_after_a_child_was_cancelled_marks_the_rest_of_the_class(engine):
    world = build_world(engine)
    seated, lessons = _class_of_three(world)
    leaver_parent, leaver = seated[0]
    with world.tx() as s:  # the parent cancels while the teacher's register is open
        cancel_enrollment(s, leaver_parent, leaver)
    grid = {enrollment_id: "present" for _parent, enrollment_id in seated}
    with world.tx() as s:
        marked = mark_lesson(
            s, world.provider_user, world.group_id, lessons[0], grid, today=lessons[0]
        )
    assert marked == 2
    with read_session(engine) as s:
        marks = {a.enrollment_id for a in s.exec(select(Attendance)).all()}
    assert marks == {enrollment_id for _parent, enrollment_id in seated[1:]}
    assert_ledger_invariants(engine)


def test_the_same_batch_sent_twice_at_once_is_marked_once_and_refused_never(engine):
    world = build_world(engine)
    seated, lessons = _class_of_three(world)
    ids = [enrollment_id for _parent, enrollment_id in seated]
    outcomes: Counter = Counter()

    def send_batch(s):  # as the provider API does: the batch's places first, then each mark
        lock_batch(s, ids)
        for enrollment_id in ids:
            outcome = record_attendance(
                s, world.provider_user, enrollment_id, lessons[0], "present", today=lessons[0]
            )
            outcomes[outcome] += 1

    assert run_in_parallel(engine, [send_batch, send_batch]) == Counter({"ok": 2})
    assert outcomes == Counter({"marked": 3, "unchanged": 3})
    with read_session(engine) as s:
        assert len(s.exec(select(Attendance)).all()) == 3
    assert_ledger_invariants(engine)


def test_the_same_mark_sent_twice_at_once_is_recorded_once(engine):
    """Without a batch lock: record_attendance locks the place before it asks "marked yet?"."""
    world = build_world(engine)
    seated, lessons = _class_of_three(world)
    enrollment_id = seated[0][1]
    outcomes: Counter = Counter()

    def send_mark(s):
        outcomes[
            record_attendance(
                s, world.provider_user, enrollment_id, lessons[0], "present", today=lessons[0]
            )
        ] += 1

    assert run_in_parallel(engine, [send_mark, send_mark]) == Counter({"ok": 2})
    assert outcomes == Counter({"marked": 1, "unchanged": 1})
    assert_ledger_invariants(engine)
