"""The provider's register form: a child the submitted form does not name stays unmarked
(never "present", never charged); the children it names are marked."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.models import Attendance
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.provider import AttendanceState, RegisterRow
from tests.factories import build_world
from tests.support.handlers import settle


def test_a_child_missing_from_the_submitted_form_is_left_unmarked(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine, today=date.today() - timedelta(days=7))
    seated = []
    for _ in range(2):
        parent, child_id, _certificate, _account = world.add_parent_with_child()
        enrollment_id = world.apply(child_id=child_id, parent=parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
        seated.append(enrollment_id)
    with world.tx() as s:
        token = start_session(s, world.provider_user.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)
    monkeypatch.setattr(AttendanceState, "_load_register", lambda self: None)
    state = AttendanceState(_reflex_internal_init=True)
    state.group_id = str(world.group_id)
    state.rows = [RegisterRow(str(e), f"child {e}", []) for e in seated]

    with db.read_session(engine) as s:  # the group's first lesson, a day of the past week
        lesson = lesson_dates(s.get(Group, world.group_id))[0]
    # the form names only the first child: the second's select was never sent
    settle(
        AttendanceState.save_lesson.fn(
            state, {"lesson_date": lesson.isoformat(), f"status_{seated[0]}": "present"}
        )
    )

    assert state.error == ""
    with db.read_session(engine) as s:
        marks = {(a.enrollment_id, a.status) for a in s.exec(select(Attendance)).all()}
    assert marks == {(seated[0], "present")}
