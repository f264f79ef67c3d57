"""Every screen tells time by its reader's own clock, not UTC: 23:30 UTC on 30 November is
already 1 December in Yaroslavl (the test towns keep Moscow time) and in Vilnius. The
municipality's queues, the provider's keys and disputes, and /notifications for each role
(the culture pass's people read Vilnius time), a register's corrections."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

import navigator.domain.shared.db as db
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import start_session
from navigator.domain.certificates.models import VerificationRequest
from navigator.domain.disputes.api import open_dispute
from navigator.domain.disputes.models import Dispute
from navigator.domain.enrollment.attendance import correct_attendance
from navigator.domain.programs.models import CertificationStatus, Program
from navigator.domain.providers.api import create_provider
from navigator.domain.providers.apikeys import create_api_key
from navigator.domain.providers.models import ApiKey
from navigator.domain.shared.models import AuditEvent, Notification, utcnow
from navigator.i18n.formatting import format_day, format_moment
from navigator.state.app import AppState
from navigator.state.municipality import MunicipalityState
from navigator.state.notifications import NotificationsState
from navigator.state.provider import AttendanceState
from navigator.state.provider_cabinet import DeskState, TeamState
from tests.domain.culture.world import build_culture
from tests.domain.disputes.world import build_charged
from tests.factories import PASSWORD, build_world
from tests.state.test_municipality import _pending_request

LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
NEXT_DAY, SAME_DAY = date(2026, 12, 1), date(2026, 11, 30)
MOSCOW, VILNIUS = "Europe/Moscow", "Europe/Vilnius"
LAST_MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)


class Signed:
    """Whose session cookie the state sees: switched by the test."""

    def __init__(self, engine, monkeypatch) -> None:
        self.engine, self.token = engine, None
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        monkeypatch.setattr(AppState, "_session_token", lambda _state: self.token)

    def as_(self, user_id: int) -> None:
        with db.transaction(self.engine) as s:
            self.token = start_session(s, user_id, utcnow()).token


@pytest.fixture
def signed(engine, monkeypatch) -> Signed:
    return Signed(engine, monkeypatch)


def _next_day_not_utcs(shown: str, lang: str) -> None:
    assert format_day(NEXT_DAY, lang) in shown and format_day(SAME_DAY, lang) not in shown


def test_the_municipalitys_queues_show_its_own_days(engine, signed):
    world = build_world(engine)
    with world.tx() as s:
        admin = create_user(
            s,
            f"admin-late-{world.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
        waiting = create_provider(
            s, municipality_id=world.municipality_id, name="Late studio", kind="private"
        )
        waiting.created_at = LATE
        certified = s.exec(
            select(AuditEvent).where(
                AuditEvent.subject == "program",
                AuditEvent.subject_id == world.program_id,
                AuditEvent.action == "program.certified",
            )
        ).all()[-1]
        certified.at = LATE
        program = s.get(Program, world.program_id)
        program.title = "Робототехника 2"
        program.certification_status = CertificationStatus.SUBMITTED
        s.add_all([waiting, certified, program])
    request_id = _pending_request(world, "Поздний")
    with world.tx() as s:
        request = s.get(VerificationRequest, request_id)
        request.created_at = LATE
        s.add(request)
    signed.as_(admin.id)
    state = MunicipalityState(_reflex_internal_init=True)
    MunicipalityState.load.fn(state)
    lang = state.lang
    [admission] = [a for a in state.admissions if a.name == "Late studio"]
    _next_day_not_utcs(admission.registered, lang)
    [submission] = [x for x in state.submissions if x.id == str(world.program_id)]
    _next_day_not_utcs(submission.last_certified, lang)
    [sent] = [v for v in state.verifications if v.id == str(request_id)]
    _next_day_not_utcs(sent.sent, lang)


def test_the_providers_keys_and_dispute_deadline_show_its_municipalitys_days(engine, signed):
    charged = build_charged(engine, today=LAST_MONDAY)  # a lesson still open to dispute
    world = charged.world
    with world.tx() as s:
        key, _secret = create_api_key(s, world.provider_user, world.provider_id, "1C")
        key.created_at = key.last_used_at = LATE
        s.add(key)
        dispute = open_dispute(s, world.parent, charged.entry_id, comment="болела")
        dispute.answer_due_at = LATE
        s.add(dispute)
    signed.as_(world.provider_user.user_id)
    team = TeamState(_reflex_internal_init=True)
    TeamState.load.fn(team)
    lang = team.lang
    [row] = team.keys
    _next_day_not_utcs(f"{row.created} {row.last_used}", lang)
    desk = DeskState(_reflex_internal_init=True)
    DeskState.load.fn(desk)
    [card] = desk.disputes
    assert format_moment(LATE, lang, MOSCOW) in card.due
    assert format_moment(LATE, lang, "UTC") not in card.due
    with db.read_session(engine) as s:  # nothing of this was written by showing it
        assert s.get(ApiKey, key.id).last_used_at == LATE
        assert s.get(Dispute, dispute.id).answer_due_at == LATE


def test_a_registers_corrections_are_dated_by_the_municipalitys_calendar(engine, signed):
    charged = build_charged(engine, today=LAST_MONDAY)
    world = charged.world
    with world.tx() as s:
        correction = correct_attendance(
            s,
            world.provider_user,
            charged.enrollment_id,
            charged.lessons[0],
            "excused",
            "справка от врача",
            today=world.today,
        )
        correction.corrected_at = LATE
        s.add(correction)
    signed.as_(world.provider_user.user_id)
    state = AttendanceState(_reflex_internal_init=True)
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/provider/groups/{world.group_id}")
    )
    AttendanceState.load.fn(state)
    [line] = state.corrections
    _next_day_not_utcs(line.by, state.lang)


def _told_at_late(engine, user_id: int) -> None:
    with db.transaction(engine) as s:
        s.add(Notification(user_id=user_id, kind="test.late", payload={}, created_at=LATE))


def _shown_moment(signed: Signed, user_id: int) -> tuple[str, str]:
    signed.as_(user_id)
    state = NotificationsState(_reflex_internal_init=True)
    NotificationsState.load.fn(state)
    [late] = state.items
    return late["when"], state.lang


def test_notifications_are_timed_by_each_readers_own_clock(engine, signed):
    world = build_world(engine)
    culture = build_culture(engine)
    with world.tx() as s:
        admin = create_user(
            s,
            f"admin-bell-{world.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    people = {
        "parent": (world.parent.user_id, MOSCOW),
        "provider": (world.provider_user.user_id, MOSCOW),
        "municipality": (admin.id, MOSCOW),
        "coordinator": (culture.coordinator.user_id, VILNIUS),
        "culture operator": (culture.operator.user_id, VILNIUS),
    }
    for who, (user_id, zone) in people.items():
        with db.transaction(engine) as s:  # only the late one is left to show
            for old in s.exec(select(Notification).where(Notification.user_id == user_id)):
                s.delete(old)
        _told_at_late(engine, user_id)
        shown, lang = _shown_moment(signed, user_id)
        assert shown == format_moment(LATE, lang, zone), who
        assert shown != format_moment(LATE, lang, "UTC"), who
