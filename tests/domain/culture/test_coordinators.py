"""A school's coordinators, as the operator and coordinators invite them by e-mail and as
others try to join, leave a school without one, or act for another school."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import SignedIn
from navigator.domain.culture.access import schools_of
from navigator.domain.culture.coordinators import (
    accept_coordinator_invitation,
    coordinator_invitation,
    coordinators_of,
    invite_coordinator,
    remove_coordinator,
)
from navigator.domain.culture.models import (
    CoordinatorInvitation,
    School,
    SchoolCoordinator,
)
from navigator.domain.culture.roster import roster_of
from navigator.domain.culture.years import import_schools
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from navigator.domain.shared.models import OutgoingMail
from tests.domain.culture.people import a_parent, assert_translated, count
from tests.domain.culture.world import NOW, PASSWORD, build_culture
from tests.support.mail import last_link


def _invite(world, email: str, *, by: Actor | None = None, school_id: int | None = None, **kw):
    with world.tx() as s:
        return invite_coordinator(
            s,
            by or world.operator,
            school_id or world.school_id,
            email,
            app_url="http://test",
            now=kw.pop("now", NOW),
            **kw,
        )


def _token(world, email: str) -> str:
    link = last_link(world.engine, email, routes.CULTURE_INVITE)
    return parse_qs(urlsplit(link).query)["token"][0]


def _accept(world, token: str, password: str = PASSWORD, again: str | None = None, **kw):
    with world.tx() as s:
        return accept_coordinator_invitation(
            s,
            token,
            password,
            password if again is None else again,
            client_address="127.0.0.1",
            now=kw.pop("now", NOW),
            **kw,
        )


def _members(world, school_id: int | None = None) -> set[int]:
    with read_session(world.engine) as s:
        return set(
            s.exec(
                select(SchoolCoordinator.user_id).where(
                    SchoolCoordinator.school_id == (school_id or world.school_id)
                )
            ).all()
        )


def _new_school(world, code: str) -> int:
    with world.tx() as s:
        import_schools(
            s,
            world.operator,
            world.year_id,
            f"code,name,municipality,pupils\n{code},Naujoji mokykla,Utena,30",
        )
        return s.exec(select(School.id).where(School.code == code)).one()  # type: ignore[return-value]


def test_the_operator_invites_a_schools_first_coordinator_by_mail(engine):
    world = build_culture(engine)
    school_id = _new_school(world, "0777")
    assert _members(world, school_id) == set()
    _invite(world, "Vadove@Mokykla.example ", school_id=school_id, locale="en")
    with read_session(engine) as s:
        letter = s.exec(
            select(OutgoingMail).where(OutgoingMail.recipient == "vadove@mokykla.example")
        ).one()
    assert "Naujoji mokykla" in letter.subject and "/culture/invite?token=" in letter.body
    token = _token(world, "vadove@mokykla.example")
    with read_session(engine) as s:
        view = coordinator_invitation(s, token, now=NOW)
    assert (view.school_name, view.email, view.has_account) == (
        "Naujoji mokykla",
        "vadove@mokykla.example",
        False,
    )
    with read_session(engine) as s:  # the token itself is never stored
        assert count(engine, CoordinatorInvitation, CoordinatorInvitation.token_hash == token) == 0
    signed_in = _accept(world, token)
    assert isinstance(signed_in, SignedIn)
    assert _members(world, school_id) == {signed_in.user_id}
    coordinator = Actor.user(signed_in.user_id)
    with read_session(engine) as s:
        assert [school.id for school in schools_of(s, coordinator)] == [school_id]
        rows = coordinators_of(s, coordinator, school_id, now=NOW)
    assert [(row.email, row.pending) for row in rows] == [("vadove@mokykla.example", False)]


def test_a_coordinator_invites_a_second_and_an_invitation_works_once(engine):
    world = build_culture(engine)
    _invite(world, "antra@mokykla.example", by=world.coordinator)
    with read_session(engine) as s:
        rows = coordinators_of(s, world.coordinator, world.school_id, now=NOW)
    assert [row.pending for row in rows] == [False, True]
    token = _token(world, "antra@mokykla.example")
    second = _accept(world, token)
    assert len(_members(world)) == 2
    with pytest.raises(InvalidInput) as refused:
        _accept(world, token)  # the same link again
    assert refused.value.code == "invitation_invalid"
    assert_translated(refused.value)
    with pytest.raises(InvalidInput):
        _accept(world, token, "another password 1", now=NOW + timedelta(minutes=5))
    assert count(engine, User, User.email == "antra@mokykla.example") == 1
    with read_session(engine) as s:
        assert roster_of(s, Actor.user(second.user_id), world.school_id)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "token", ["forged-token-000000000000000000000000000000", "", "x" * 5000, None, 12345, ["t"]]
)
def test_a_forged_token_is_refused(engine, token):
    world = build_culture(engine)
    _invite(world, "kita@mokykla.example")
    members = _members(world)
    with read_session(engine) as s, pytest.raises(InvalidInput) as refused:
        coordinator_invitation(s, token, now=NOW)
    assert refused.value.code == "invitation_invalid"
    with pytest.raises(InvalidInput):
        _accept(world, token)
    assert _members(world) == members
    assert count(engine, User, User.email == "kita@mokykla.example") == 0


def test_an_invitation_expires_after_a_week(engine):
    world = build_culture(engine)
    _invite(world, "velai@mokykla.example")
    token = _token(world, "velai@mokykla.example")
    week = NOW + timedelta(days=7)
    with read_session(engine) as s, pytest.raises(InvalidInput):
        coordinator_invitation(s, token, now=week)
    with pytest.raises(InvalidInput):
        _accept(world, token, now=week)
    assert count(engine, User, User.email == "velai@mokykla.example") == 0
    assert isinstance(_accept(world, token, now=week - timedelta(minutes=1)), SignedIn)


def test_a_new_account_needs_the_password_twice(engine):
    world = build_culture(engine)
    _invite(world, "nauja@mokykla.example")
    token = _token(world, "nauja@mokykla.example")
    with pytest.raises(InvalidInput) as refused:
        _accept(world, token, PASSWORD, "culture pass typo")
    assert refused.value.code == "passwords_differ"
    assert count(engine, User, User.email == "nauja@mokykla.example") == 0
    assert isinstance(_accept(world, token), SignedIn)


def test_an_existing_account_joins_only_with_its_own_password(engine):
    world = build_culture(engine)
    with read_session(engine) as s:
        staff = s.get(User, world.provider_user.user_id)
    _invite(world, staff.email)  # the provider's owner also coordinates a school
    token = _token(world, staff.email)
    with read_session(engine) as s:
        assert coordinator_invitation(s, token, now=NOW).has_account
    assert _accept(world, token, "not my password 123") is None
    assert staff.id not in _members(world)
    with pytest.raises(NotFound), read_session(engine) as s:
        roster_of(s, world.provider_user, world.school_id)
    signed_in = _accept(world, token, PASSWORD, "whatever is typed twice")
    assert isinstance(signed_in, SignedIn) and signed_in.user_id == staff.id
    assert staff.id in _members(world)
    with read_session(engine) as s:
        assert s.get(User, staff.id).password_hash == staff.password_hash


def test_the_last_coordinator_stays_and_a_second_one_can_go(engine):
    world = build_culture(engine)
    only = world.coordinator.user_id
    for who in (world.coordinator, world.operator):
        with world.tx() as s, pytest.raises(Conflict) as refused:
            remove_coordinator(s, who, world.school_id, only)  # type: ignore[arg-type]
        assert refused.value.code == "last_coordinator"
        assert_translated(refused.value)
    second = world.new_coordinator(by=world.coordinator)
    with world.tx() as s:
        remove_coordinator(s, world.coordinator, world.school_id, second.user_id)  # type: ignore[arg-type]
    assert _members(world) == {only}
    with read_session(engine) as s, pytest.raises(NotFound):
        roster_of(s, second, world.school_id)
    with world.tx() as s, pytest.raises(NotFound):  # no longer one of them
        remove_coordinator(s, world.coordinator, world.school_id, second.user_id)  # type: ignore[arg-type]


def test_only_the_operator_replaces_and_the_school_never_has_none(engine):
    world = build_culture(engine)
    old = world.coordinator.user_id
    with pytest.raises(NotFound):
        _invite(world, "nauja@mokykla.example", by=world.coordinator, replaces_user_id=old)
    with pytest.raises(NotFound):  # someone who is not the school's coordinator
        _invite(world, "nauja@mokykla.example", replaces_user_id=world.provider_user.user_id)
    assert (
        count(engine, CoordinatorInvitation, CoordinatorInvitation.email == "nauja@mokykla.example")
        == 0
    )
    _invite(world, "nauja@mokykla.example", replaces_user_id=old)
    assert _members(world) == {old}  # until the new one accepts
    signed_in = _accept(world, _token(world, "nauja@mokykla.example"))
    assert _members(world) == {signed_in.user_id}  # type: ignore[union-attr]
    with read_session(engine) as s, pytest.raises(NotFound):
        roster_of(s, world.coordinator, world.school_id)
    with world.tx() as s, pytest.raises(Conflict):
        remove_coordinator(s, world.operator, world.school_id, signed_in.user_id)  # type: ignore[union-attr]


def test_a_coordinator_being_replaced_cannot_turn_the_replacement_into_a_plain_invitation(
    engine,
):
    world = build_culture(engine)
    old = world.coordinator.user_id
    _invite(world, "nauja@mokykla.example", replaces_user_id=old)
    replacement = _token(world, "nauja@mokykla.example")
    with pytest.raises(Conflict) as refused:  # the old one sends the same address a link
        _invite(world, "nauja@mokykla.example", by=world.coordinator)
    assert refused.value.code == "coordinator_replacement_pending"
    assert_translated(refused.value)
    signed_in = _accept(world, replacement)
    assert _members(world) == {signed_in.user_id}  # type: ignore[union-attr]


def test_a_coordinator_acts_for_their_own_school_only(engine):
    world = build_culture(engine)
    other = build_culture(engine)
    outsiders = (other.coordinator, world.provider_user, a_parent(engine), Actor(user_id=None))
    for outsider in outsiders:
        with pytest.raises(NotFound):
            _invite(world, "isibrovelis@example.org", by=outsider)
        with read_session(engine) as s, pytest.raises(NotFound):
            coordinators_of(s, outsider, world.school_id, now=NOW)
        with world.tx() as s, pytest.raises(NotFound):
            remove_coordinator(s, outsider, world.school_id, world.coordinator.user_id)  # type: ignore[arg-type]
    assert count(engine, OutgoingMail, OutgoingMail.recipient == "isibrovelis@example.org") == 0
    assert (
        count(engine, CoordinatorInvitation, CoordinatorInvitation.school_id == world.school_id)
        == 1
    )
    with world.tx() as s, pytest.raises(NotFound):  # another school's coordinator by id
        remove_coordinator(s, world.coordinator, world.school_id, other.coordinator.user_id)  # type: ignore[arg-type]
    for wrong in ("1", 1.5, True, None, -1, 2**70):
        with world.tx() as s, pytest.raises(NotFound):
            remove_coordinator(s, world.coordinator, world.school_id, wrong)  # type: ignore[arg-type]
        if wrong is not None:  # None: an invitation that replaces no one
            with pytest.raises(NotFound):
                _invite(world, "nauja@mokykla.example", replaces_user_id=wrong)
    assert _members(other) == {other.coordinator.user_id}


def test_an_existing_coordinator_is_not_invited_again(engine):
    world = build_culture(engine)
    with read_session(engine) as s:
        email = s.get(User, world.coordinator.user_id).email
    with pytest.raises(Conflict) as refused:
        _invite(world, email.upper(), by=world.coordinator)
    assert refused.value.code == "coordinator_already"
    assert_translated(refused.value)


def test_one_inbox_gets_at_most_three_invitations_an_hour_and_only_the_last_works(engine):
    world = build_culture(engine)
    for minute in range(3):
        _invite(world, "daug@mokykla.example", now=NOW + timedelta(minutes=minute))
        if minute == 0:
            first = _token(world, "daug@mokykla.example")
    with pytest.raises(TooManyAttempts) as refused:
        _invite(world, "daug@mokykla.example", by=world.coordinator, now=NOW + timedelta(minutes=3))
    assert_translated(refused.value)
    assert count(engine, OutgoingMail, OutgoingMail.recipient == "daug@mokykla.example") == 3
    with pytest.raises(InvalidInput):  # a newer invitation replaced it
        _accept(world, first)
    _invite(world, "daug@mokykla.example", now=NOW + timedelta(minutes=61))
    assert isinstance(_accept(world, _token(world, "daug@mokykla.example")), SignedIn)
    with read_session(engine) as s:
        pending = s.exec(
            select(CoordinatorInvitation).where(
                CoordinatorInvitation.email == "daug@mokykla.example",
                col(CoordinatorInvitation.revoked_at).is_(None),
                col(CoordinatorInvitation.accepted_at).is_(None),
            )
        ).all()
    assert pending == []


def test_one_inviter_sends_at_most_thirty_invitations_an_hour(engine):
    world = build_culture(engine)
    schools = [world.school_id, _new_school(world, "0888")]  # twenty may wait per school
    for n in range(1, 30):  # the world's operator invited its first coordinator at NOW
        _invite(world, f"mokytojas{n}@mokykla.example", school_id=schools[n % 2])
    with pytest.raises(TooManyAttempts):
        _invite(world, "mokytojas30@mokykla.example", school_id=schools[0])
    assert count(engine, OutgoingMail, OutgoingMail.recipient == "mokytojas30@mokykla.example") == 0
    _invite(world, "mokytojas30@mokykla.example", by=world.coordinator)  # another inviter
    _invite(world, "mokytojas31@mokykla.example", now=NOW + timedelta(hours=1, minutes=1))
