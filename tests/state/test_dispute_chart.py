"""The provider reports' charts on the municipality's screen: one bar pair per provider,
so two providers of the same name stay two bars with their own figures."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.disputes.api import open_dispute
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.municipality import MunicipalityState
from tests.domain.cabinet import _second_provider
from tests.domain.disputes.world import build_charged, charge_lesson, noon


def test_two_providers_of_the_same_name_are_two_bars_of_their_own(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    c = build_charged(engine)  # «Дом творчества»: 2 lessons charged, 1 disputed
    charge_lesson(c.world, c.enrollment_id, c.lessons[1])
    with c.world.tx() as s:
        open_dispute(s, c.world.parent, c.entry_id, now=noon(c.lessons[0] + timedelta(days=1)))
    # a namesake: 1 lesson charged, disputed
    staff, _program, group_id = _second_provider(c.world, "Дом творчества")
    parent, child_id, _certificate, _account = c.world.add_parent_with_child()
    enrollment_id = c.world.apply(child_id=child_id, group_id=group_id, parent=parent)
    with c.world.tx() as s:
        accept_application(s, staff, enrollment_id, today=c.world.today)
    with db.read_session(engine) as s:
        lesson = lesson_dates(s.get(Group, group_id))[0]
    with c.world.tx() as s:
        attendance_id = mark_attendance(s, staff, enrollment_id, lesson, "present", today=lesson).id
    with db.read_session(engine) as s:
        entry_id = s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.attendance_id == attendance_id, LedgerEntry.kind == EntryKind.CAPTURE
            )
        ).one()
    with c.world.tx() as s:
        open_dispute(s, parent, entry_id, now=noon(lesson + timedelta(days=1)))
        token = start_session(s, c.admin.user_id, utcnow()).token
    monkeypatch.setattr(AppState, "_session_token", lambda self: token)

    state = MunicipalityState(_reflex_internal_init=True)
    MunicipalityState.load.fn(state)
    assert state.period_id == str(c.world.period_id)
    MunicipalityState.show_report.fn(state, "disputes")
    assert state.error == ""
    assert [row[:3] for row in state.report_rows] == [
        ["Дом творчества", "1", "1"],
        ["Дом творчества", "2", "1"],
    ]
    assert state.chart == [  # disputes, and disputes per 100 lessons: never added together
        {"label": "Дом творчества", "first": 1.0, "second": 100.0},
        {"label": "Дом творчества", "first": 1.0, "second": 50.0},
    ]
    MunicipalityState.show_report.fn(state, "providers")  # money by provider: the same
    assert state.error == "" and len(state.chart) == 2
    assert {bar["label"] for bar in state.chart} == {"Дом творчества"}
