"""A provider's people: owners invite by e-mail, invitees join, owners remove; nobody else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import LoginAttempt, Membership, Role, User
from navigator.domain.programs.queries import programs_of
from navigator.domain.providers.apikeys import actor_for_key, create_api_key
from navigator.domain.providers.models import Provider
from navigator.domain.providers.staff import (
    accept_invitation,
    invitation_for_token,
    invite_staff,
    remove_staff,
    revoke_invitation,
    staff_of,
)
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.mail import deliver_pending
from navigator.domain.shared.models import OutgoingMail, utcnow
from tests.factories import PASSWORD as PASSWORD_OF_FACTORY
from tests.factories import build_world

APP = "https://navigator.example"
PASSWORD = "staff-pass-2026"


def _owner(world) -> Actor:
    with world.tx() as s:
        user = create_user(
            s,
            f"owner{world.provider_id}@example.org",
            PASSWORD,
            roles=((Role.PROVIDER_OWNER, None, world.provider_id),),
        )
    return Actor.user(user.id)


def _invite(world, owner, email, role="provider_staff") -> str:
    """Invite and return the token from the letter, as the invitee would click it."""
    with world.tx() as s:
        invite_staff(s, owner, world.provider_id, email, role, app_url=APP, locale="en")
    with read_session(world.engine) as s:
        letter = s.exec(select(OutgoingMail).order_by(col(OutgoingMail.id).desc())).first()
    assert letter.recipient == email.strip().lower()
    found = re.search(re.escape(APP) + r"/invite\?token=([\w-]+)", letter.body)
    assert found and "Дом творчества" in letter.subject
    return found.group(1)


def _accept(world, token, password=PASSWORD, again=PASSWORD):
    with world.tx() as s:
        return accept_invitation(s, token, password, again, client_address="10.0.0.1")


def test_an_invitee_sets_a_password_and_works_for_the_provider_but_cannot_invite(engine):
    world = build_world(engine)
    owner = _owner(world)
    token = _invite(world, owner, " New.Teacher@Example.org ")
    with read_session(engine) as s:
        view = invitation_for_token(s, token)
    assert (view.email, view.role, view.has_account) == (
        "new.teacher@example.org",
        "provider_staff",
        False,
    )
    with pytest.raises(InvalidInput):
        _accept(world, token, again="something-else-1")
    signed_in = _accept(world, token)
    teacher = Actor.user(signed_in.user_id)
    with read_session(engine) as s:
        assert [p.id for p in programs_of(s, teacher, world.provider_id)] == [world.program_id]
    with pytest.raises(Conflict) as raised, world.tx() as s:
        invite_staff(s, teacher, world.provider_id, "x@example.org", "provider_staff", app_url=APP)
    assert raised.value.code == "owner_only"
    with pytest.raises(InvalidInput) as raised:  # a link works once
        _accept(world, token)
    assert raised.value.code == "invitation_invalid"


def test_an_existing_account_proves_itself_with_its_password_and_failures_count(engine):
    world = build_world(engine)
    owner = _owner(world)
    with world.tx() as s:
        create_user(s, "parent.teacher@example.org", PASSWORD, roles=((Role.PARENT, None, None),))
    token = _invite(world, owner, "parent.teacher@example.org")
    with read_session(engine) as s:
        assert invitation_for_token(s, token).has_account
    assert _accept(world, token, password="wrong-password-1") is None
    with read_session(engine) as s:
        assert len(s.exec(select(LoginAttempt)).all()) == 2  # per e-mail and per address
        assert not s.exec(
            select(Membership).where(
                Membership.provider_id == world.provider_id,
                Membership.role == "provider_staff",
                Membership.user_id != world.provider_user.user_id,
            )
        ).all()
    signed_in = _accept(world, token)
    with read_session(engine) as s:
        roles = {
            m.role
            for m in s.exec(select(Membership).where(Membership.user_id == signed_in.user_id)).all()
        }
    assert roles == {"parent", "provider_staff"}


def test_a_new_invitation_replaces_the_old_and_withdrawn_or_expired_links_fail(engine):
    world = build_world(engine)
    owner = _owner(world)
    first = _invite(world, owner, "helper@example.org")
    second = _invite(world, owner, "helper@example.org", "provider_owner")
    for bad in (first, "", "x" * 500, None, 42, "no-such-token"):
        with pytest.raises(InvalidInput), read_session(engine) as s:
            invitation_for_token(s, bad)
    with read_session(engine) as s:
        rows = staff_of(s, owner, world.provider_id)
    pending = [r for r in rows if r.pending]
    assert [(r.email, r.role) for r in pending] == [("helper@example.org", "provider_owner")]
    with world.tx() as s:
        revoke_invitation(s, owner, world.provider_id, pending[0].invitation_id)
    with pytest.raises(InvalidInput):
        _accept(world, second)
    third = _invite(world, owner, "helper@example.org")
    later = utcnow() + timedelta(days=8)
    with pytest.raises(InvalidInput), world.tx() as s:
        accept_invitation(s, third, PASSWORD, PASSWORD, client_address="x", now=later)


def test_members_are_not_invited_twice_and_bad_addresses_or_roles_are_refused(engine):
    world = build_world(engine)
    owner = _owner(world)
    cases = [
        (f"owner{world.provider_id}@example.org", "provider_staff", Conflict),
        ("not-an-address", "provider_staff", InvalidInput),
        ("", "provider_staff", InvalidInput),
        ("a@example.org", "municipality_admin", InvalidInput),
        ("a@example.org", "operator", InvalidInput),
        ("a@example.org", "root", InvalidInput),
        (["a@example.org"], "provider_staff", InvalidInput),
    ]
    for email, role, error in cases:
        with pytest.raises(error), world.tx() as s:
            invite_staff(s, owner, world.provider_id, email, role, app_url=APP)
    with read_session(engine) as s:
        assert s.exec(select(OutgoingMail)).all() == []


def test_removing_someone_ends_their_access_and_their_keys_but_the_last_owner_stays(engine):
    world = build_world(engine)
    owner = _owner(world)
    staff_id = world.provider_user.user_id
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "journal")
    with pytest.raises(Conflict) as raised, world.tx() as s:
        remove_staff(s, owner, world.provider_id, owner.user_id)
    assert raised.value.code == "last_owner"
    with world.tx() as s:
        remove_staff(s, owner, world.provider_id, staff_id)
    with pytest.raises(NotFound), read_session(engine) as s:
        programs_of(s, world.provider_user, world.provider_id)
    with world.tx() as s:
        assert actor_for_key(s, secret) is None
    with pytest.raises(NotFound), world.tx() as s:
        remove_staff(s, owner, world.provider_id, staff_id)  # already gone


def test_another_provider_or_a_parent_sees_and_changes_nothing(engine):
    world = build_world(engine)
    owner = _owner(world)
    _invite(world, owner, "pending@example.org")
    other = build_world(engine)
    stranger = _owner(other)
    with read_session(engine) as s:
        invitation_id = next(
            r.invitation_id for r in staff_of(s, owner, world.provider_id) if r.pending
        )
    calls = [
        lambda s, a: staff_of(s, a, world.provider_id),
        lambda s, a: invite_staff(
            s, a, world.provider_id, "spy@example.org", "provider_owner", app_url=APP
        ),
        lambda s, a: remove_staff(s, a, world.provider_id, owner.user_id),
        lambda s, a: revoke_invitation(s, a, world.provider_id, invitation_id),
        lambda s, a: revoke_invitation(s, a, other.provider_id, invitation_id),
    ]
    for actor in (stranger, world.parent):
        for call in calls:
            with pytest.raises(NotFound), world.tx() as s:
                call(s, actor)
    with read_session(engine) as s:
        rows = staff_of(s, owner, world.provider_id)
    assert [r.email for r in rows if r.pending] == ["pending@example.org"]
    assert len([r for r in rows if not r.pending]) == 2


def test_a_returning_member_finds_their_old_keys_revoked(engine):
    world = build_world(engine)
    owner = _owner(world)
    with world.tx() as s:
        _key, secret = create_api_key(s, world.provider_user, world.provider_id, "journal")
        email = s.get(User, world.provider_user.user_id).email
        remove_staff(s, owner, world.provider_id, world.provider_user.user_id)
    token = _invite(world, owner, email)
    assert _accept(world, token, password=PASSWORD_OF_FACTORY) is not None
    with world.tx() as s:
        assert actor_for_key(s, secret) is None


def test_an_organisation_name_with_a_line_break_cannot_break_the_mail(engine, tmp_path):
    world = build_world(engine)
    owner = _owner(world)
    with world.tx() as s:
        s.get(Provider, world.provider_id).name = "Клуб\r\nBcc: everyone@example.org"
    with world.tx() as s:
        invite_staff(s, owner, world.provider_id, "a@example.org", "provider_staff", app_url=APP)
    (path,) = deliver_pending(engine, tmp_path)
    assert "\nBcc:" not in path.read_text().split("\n\n", 1)[0]
