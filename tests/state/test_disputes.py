"""The dispute handlers of the three cabinets, called by name as a browser could call them:
each checks who asks (another family, another provider, another municipality, signed out)
and changes nothing for them; the right person moves the dispute one step; bad input gets a
translated error beside the action."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.models import LedgerEntry
from navigator.domain.disputes.models import Dispute
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.models import Attendance, Enrollment
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.shared.models import AuditEvent, utcnow
from navigator.i18n import text, translate
from navigator.state.app import AppState
from navigator.state.cabinet import CabinetState
from navigator.state.municipality import MunicipalityState
from navigator.state.provider_cabinet import DeskState
from tests.domain.disputes.world import build_charged, municipality_admin
from tests.factories import build_world
from tests.support.handlers import settle

# the Monday of last week: its lessons are inside the dispute window of the real clock
LAST_MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)


class Signed:
    """Whose session cookie the state sees: switched by the test."""

    def __init__(self, monkeypatch) -> None:
        self.token: str | None = None
        monkeypatch.setattr(AppState, "_session_token", lambda _state: self.token)

    def as_(self, world, actor) -> None:
        if actor is None:
            self.token = None
            return
        with world.tx() as s:
            self.token = start_session(s, actor.user_id, utcnow()).token


@pytest.fixture
def scene(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    charged = build_charged(engine, today=LAST_MONDAY)
    other = build_world(engine, today=LAST_MONDAY)
    other_admin = municipality_admin(other)
    return charged, other, other_admin, Signed(monkeypatch)


def _snapshot(engine) -> tuple:
    with db.read_session(engine) as s:
        return (
            [(e.kind, e.amount_minor) for e in s.exec(select(LedgerEntry)).all()],
            [(a.status, a.charged_minor) for a in s.exec(select(Attendance)).all()],
            [(d.id, d.status, d.provider_reason) for d in s.exec(select(Dispute)).all()],
            [p.model_dump() for p in s.exec(select(MunicipalityPolicy)).all()],
            len(s.exec(select(AuditEvent)).all()),
        )


def _dispute_id(engine) -> int:
    with db.read_session(engine) as s:
        return s.exec(select(Dispute.id)).one()


def test_only_the_guardian_disputes_a_charge_of_the_history(engine, scene):
    c, other, _other_admin, signed = scene
    before = _snapshot(engine)
    form = {"entry_id": str(c.entry_id), "comment": ""}
    for actor in (None, other.parent, c.world.provider_user, c.admin):
        signed.as_(c.world, actor)
        state = CabinetState(_reflex_internal_init=True)
        settle(CabinetState.dispute_charge.fn(state, form))
        assert state.history_error != "" and state.history_notice == ""
        assert _snapshot(engine) == before
    for bad in ({"entry_id": "x"}, {"entry_id": ["1"]}, "not a form", {}):
        settle(CabinetState.dispute_charge.fn(state, bad))
        assert state.history_error != ""
    assert _snapshot(engine) == before

    signed.as_(c.world, c.world.parent)
    state = CabinetState(_reflex_internal_init=True)
    CabinetState.show_history.fn(state, str(c.world.child_id))
    [line] = [h for h in state.history if h.entry_id == str(c.entry_id)]
    assert line.can_dispute and line.dispute == ""
    assert all(not h.can_dispute for h in state.history if h.entry_id != str(c.entry_id))
    settle(
        CabinetState.dispute_charge.fn(state, {"entry_id": str(c.entry_id), "comment": "болела"})
    )
    assert state.history_error == "" and state.history_notice == text("dispute_sent", state.lang)
    [line] = [h for h in state.history if h.entry_id == str(c.entry_id)]
    assert line.dispute == text("dispute_state_open", state.lang) and not line.can_dispute
    # a hold's line has no button, and its id sent by hand is refused in words
    with db.read_session(engine) as s:
        hold = s.exec(select(LedgerEntry.id).where(LedgerEntry.kind == "hold")).first()
    settle(CabinetState.dispute_charge.fn(state, {"entry_id": str(hold)}))
    assert state.history_error == translate("dispute_not_a_charge", state.lang)
    settle(CabinetState.dispute_charge.fn(state, {"entry_id": str(c.entry_id)}))
    assert "уже" in state.history_error or "already" in state.history_error


def test_only_the_teaching_provider_answers_on_its_desk(engine, scene):
    c, other, _other_admin, signed = scene
    signed.as_(c.world, c.world.parent)
    settle(
        CabinetState.dispute_charge.fn(
            CabinetState(_reflex_internal_init=True), {"entry_id": str(c.entry_id)}
        )
    )
    dispute_id = str(_dispute_id(engine))
    before = _snapshot(engine)
    for actor in (None, other.provider_user, c.world.parent, c.admin):
        signed.as_(c.world, actor)
        state = DeskState(_reflex_internal_init=True)
        DeskState.load.fn(state)
        assert state.disputes == []
        DeskState.accept_dispute.fn(state, dispute_id)
        assert state.error != ""
        DeskState.start_contest.fn(state, dispute_id)
        DeskState.contest_dispute.fn(state, {"reason": "she was there"})
        assert state.error != ""
        assert _snapshot(engine) == before

    signed.as_(c.world, c.world.provider_user)
    state = DeskState(_reflex_internal_init=True)
    DeskState.load.fn(state)
    [card] = state.disputes
    assert card.id == dispute_id and card.due != "" and card.contestable
    DeskState.start_contest.fn(state, "not an id")
    assert state.contesting == ""
    DeskState.start_contest.fn(state, dispute_id)
    DeskState.contest_dispute.fn(state, {"reason": "   "})  # a contest says why
    assert state.error != "" and _snapshot(engine) == before
    DeskState.contest_dispute.fn(state, {"reason": "she was there, signed sheet"})
    assert state.error == "" and state.contesting == ""
    [card] = state.disputes
    assert card.waiting and not card.contestable


def test_only_that_municipality_decides_and_the_refund_shows_in_the_history(engine, scene):
    c, _other, other_admin, signed = scene
    signed.as_(c.world, c.world.parent)
    settle(
        CabinetState.dispute_charge.fn(
            CabinetState(_reflex_internal_init=True), {"entry_id": str(c.entry_id)}
        )
    )
    dispute_id = str(_dispute_id(engine))
    signed.as_(c.world, c.world.provider_user)
    desk = DeskState(_reflex_internal_init=True)
    DeskState.start_contest.fn(desk, dispute_id)
    DeskState.contest_dispute.fn(desk, {"reason": "was there"})
    before = _snapshot(engine)
    for actor in (None, other_admin, c.world.parent, c.world.provider_user):
        signed.as_(c.world, actor)
        state = MunicipalityState(_reflex_internal_init=True)
        MunicipalityState.load.fn(state)
        assert state.disputes == []
        for kind in ("uphold", "keep"):
            MunicipalityState.start_decision.fn(state, kind, dispute_id)
            MunicipalityState.decide.fn(state, {"reason": "decided"})
            assert _snapshot(engine) == before

    signed.as_(c.world, c.admin)
    state = MunicipalityState(_reflex_internal_init=True)
    MunicipalityState.load.fn(state)
    [line] = state.disputes
    assert line.id == dispute_id and line.provider_reason == "was there"
    MunicipalityState.start_decision.fn(state, "uphold", dispute_id)
    MunicipalityState.decide.fn(state, {"reason": ""})
    assert state.error != "" and _snapshot(engine) == before
    MunicipalityState.decide.fn(state, {"reason": "no signature in the register"})
    assert state.error == "" and state.disputes == []
    [row] = state.dispute_report
    assert (row.opened, row.refunded) == ("1", "1")

    signed.as_(c.world, c.world.parent)
    cabinet = CabinetState(_reflex_internal_init=True)
    CabinetState.show_history.fn(cabinet, str(c.world.child_id))
    [line] = [h for h in cabinet.history if h.entry_id == str(c.entry_id)]
    assert line.dispute == text("dispute_state_upheld", cabinet.lang)
    refund = next(
        h
        for h in cabinet.history
        if h.direction == "in" and h.note == "no signature in the register"
    )
    assert refund.amount.endswith(line.amount)  # "+" and the very charge


def test_the_waitlist_criteria_form_refuses_unknown_criteria_and_saves_levels(engine, scene):
    c, _other, _other_admin, signed = scene
    signed.as_(c.world, c.admin)
    state = MunicipalityState(_reflex_internal_init=True)
    MunicipalityState.load.fn(state)
    before = _snapshot(engine)
    MunicipalityState.save_waitlist_priority.fn(state, {"level_orphan": "1"})
    assert "orphan" in state.error and _snapshot(engine) == before
    MunicipalityState.save_waitlist_priority.fn(state, {"level_disability": "9"})
    assert state.error != "" and _snapshot(engine) == before
    MunicipalityState.save_waitlist_priority.fn(
        state, {"level_disability": "1", "level_large_family": "1", "level_home_municipality": "2"}
    )
    assert state.error == ""
    assert {(x.name, x.level) for x in state.waitlist_criteria} == {
        ("disability", "1"),
        ("large_family", "1"),
        ("home_municipality", "2"),
    }
    with db.read_session(engine) as s:
        policy = s.exec(
            select(MunicipalityPolicy).where(
                MunicipalityPolicy.municipality_id == c.world.municipality_id
            )
        ).one()
    assert policy.waitlist_priority == [["disability", "large_family"], ["home_municipality"]]
    MunicipalityState.save_policy.fn(
        state,
        {
            "max_funded_enrollments": "3",
            "absence_charge": "none",
            "attendance_correction_days": "7",
            "dispute_window_days": "0",
        },
    )
    assert state.error != ""
    MunicipalityState.save_policy.fn(
        state,
        {
            "max_funded_enrollments": "3",
            "absence_charge": "none",
            "attendance_correction_days": "7",
            "dispute_window_days": "45",
        },
    )
    assert state.error == "" and state.policy_dispute_days == "45"


def test_the_parent_sees_the_place_in_the_queue_and_why(engine, scene):
    _c, _other, _other_admin, signed = scene
    world = build_world(engine, seats=1, today=LAST_MONDAY)
    first = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, first, today=world.today)
    parent, child, _cert, _acc = world.add_parent_with_child()
    waiting = world.apply(child_id=child, parent=parent)
    signed.as_(world, parent)
    state = CabinetState(_reflex_internal_init=True)
    state._reload()
    [card] = [e for e in state.enrollments if e.id == str(waiting)]
    assert card.queue == text("queue_place", state.lang, place=1, count=1)
    assert card.queue_why.startswith(text("queue_no_priority", state.lang, date="")[:10])
    with db.read_session(engine) as s:
        assert s.get(Enrollment, waiting).status == "waitlisted"
