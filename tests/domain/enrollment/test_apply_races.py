"""Parents applying at once for the last seats, in real OS processes on both databases: the
seats promised to applications awaiting a decision are counted under the group's lock, so
exactly as many applications as there are seats stay pending, every other parent is put on
the waiting list and told, and no request ends in a raw database error."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from navigator.domain.enrollment.models import Enrollment
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import Notification
from tests.factories import build_world
from tests.support.parallel import apply_in_process, race_processes

PARENTS = 6


def test_six_parents_at_once_for_two_seats_leave_two_pending_and_four_told_they_wait(engine):
    world = build_world(engine, seats=2)
    families = [world.add_parent_with_child()[:2] for _ in range(PARENTS)]
    url = engine.url.render_as_string(hide_password=False)
    jobs = [(parent.user_id, child, world.group_id, world.today) for parent, child in families]
    outcomes = Counter(race_processes(apply_in_process, url, jobs))
    assert outcomes == Counter({"applied": 2, "waitlisted": 4}), outcomes
    with read_session(engine) as s:
        statuses = Counter(
            s.exec(select(Enrollment.status).where(Enrollment.group_id == world.group_id)).all()
        )
        told = s.exec(
            select(Notification.user_id).where(Notification.kind == "enrollment.waitlisted")
        ).all()
    assert statuses == Counter({"applied": 2, "waitlisted": 4})
    assert len(set(told)) == 4
