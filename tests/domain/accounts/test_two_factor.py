"""Two-factor sign-in for staff who move money or rules: a code from an app after the
password, single-use recovery codes, and a municipality that requires it of its admins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import LoginSession, User
from navigator.domain.accounts.signin import (
    MAX_CODE_TRIES,
    CodeNeeded,
    SignedIn,
    finish_sign_in,
    sign_in,
    start_session,
)
from navigator.domain.accounts.two_factor import (
    code_at,
    finish_setup,
    start_setup,
    status,
    step_of,
    turn_off,
)
from navigator.domain.funding.periods import periods_of
from navigator.domain.municipalities.api import set_policy
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, TooManyAttempts
from navigator.domain.shared.models import OutgoingMail, utcnow
from tests.domain.cabinet import _admin
from tests.factories import PASSWORD, World, build_world

ADDRESS = "203.0.113.9"


def _email(world: World, actor: Actor) -> str:
    with read_session(world.engine) as s:
        return s.get(User, actor.user_id).email


def _turn_on(world: World, actor: Actor) -> tuple[str, list[str]]:
    """Set up as on screen: the secret, then a code from it; (secret, recovery codes)."""
    with world.tx() as s:
        secret = start_setup(s, actor).secret
    now = utcnow()
    with world.tx() as s:
        codes = finish_setup(s, actor, code_at(secret, step_of(now)), password=PASSWORD, now=now)
    return secret, codes


def _sign_in(world: World, email: str, password: str = PASSWORD):
    with world.tx() as s:
        return sign_in(s, email, password, ADDRESS)


def _second_step(world: World, challenge: str, code: str, now=None):
    with world.tx() as s:
        return finish_sign_in(s, challenge, code, ADDRESS, now=now)


def test_with_it_on_the_password_alone_does_not_sign_in(engine):
    world = build_world(engine)
    admin = _admin(world)
    email = _email(world, admin)
    with world.tx() as s:
        other_session = start_session(s, admin.user_id, utcnow())
    secret, codes = _turn_on(world, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    with read_session(engine) as s:  # turning it on ended the sessions a password opened
        mine = s.exec(select(LoginSession).where(LoginSession.user_id == admin.user_id)).all()
    assert mine == [] and other_session.token

    first = _sign_in(world, email)
    assert isinstance(first, CodeNeeded)
    later = utcnow() + timedelta(seconds=40)  # the setup's code was spent: the next step's
    signed_in = _second_step(world, first.challenge, code_at(secret, step_of(later)), later)
    assert isinstance(signed_in, SignedIn) and signed_in.user_id == admin.user_id
    with pytest.raises(InvalidInput):  # a challenge works once
        _second_step(world, first.challenge, code_at(secret, step_of(later)), later)

    again = _sign_in(world, email)  # the same code cannot be replayed on a new challenge
    assert _second_step(world, again.challenge, code_at(secret, step_of(later)), later) is None


def test_a_wrong_code_is_counted_and_a_challenge_takes_a_few_tries(engine):
    world = build_world(engine)
    admin = _admin(world)
    secret, _codes = _turn_on(world, admin)
    first = _sign_in(world, _email(world, admin))
    for wrong in ("000000", "12345", "abcdef", "", None):
        assert _second_step(world, first.challenge, wrong) is None
    with pytest.raises(InvalidInput):  # MAX_CODE_TRIES spent: the right code comes too late
        later = utcnow() + timedelta(seconds=60)
        _second_step(world, first.challenge, code_at(secret, step_of(later)), later)
    assert MAX_CODE_TRIES == 5
    # wrong codes count like wrong passwords: the e-mail is locked for the window
    with pytest.raises(TooManyAttempts):
        _sign_in(world, _email(world, admin))
    after_window = utcnow() + timedelta(minutes=16)
    with world.tx() as s:
        expired = sign_in(s, _email(world, admin), PASSWORD, ADDRESS, now=after_window)
    much_later = after_window + timedelta(minutes=6)
    with pytest.raises(InvalidInput):  # a challenge lasts minutes
        _second_step(world, expired.challenge, code_at(secret, step_of(much_later)), much_later)


def test_a_recovery_code_works_once(engine):
    world = build_world(engine)
    admin = _admin(world)
    _secret, codes = _turn_on(world, admin)
    email = _email(world, admin)
    first = _sign_in(world, email)
    typed = f"{codes[0][:5]}-{codes[0][5:]}".upper()  # as printed, in capitals
    assert isinstance(_second_step(world, first.challenge, typed), SignedIn)
    second = _sign_in(world, email)
    assert _second_step(world, second.challenge, codes[0]) is None
    with read_session(engine) as s:
        assert status(s, admin).recovery_codes_left == 9


def test_setting_up_takes_a_code_and_turning_off_too(engine):
    world = build_world(engine)
    owner = _admin(world)
    with world.tx() as s:
        secret = start_setup(s, owner).secret
    for wrong in ("000000", "", None, 123456):
        with pytest.raises(InvalidInput), world.tx() as s:
            finish_setup(s, owner, wrong, password=PASSWORD)
    with pytest.raises(InvalidInput) as no_password, world.tx() as s:  # a session alone
        finish_setup(s, owner, code_at(secret, step_of(utcnow())), password="guess")
    assert no_password.value.code == "password_wrong"
    with read_session(engine) as s:
        assert not status(s, owner).enabled  # a mistyped key never locks anyone out
    now = utcnow()
    with world.tx() as s:
        finish_setup(s, owner, code_at(secret, step_of(now)), password=PASSWORD, now=now)
    with pytest.raises(InvalidInput), world.tx() as s:
        turn_off(s, owner, "000000", password=PASSWORD)
    later = now + timedelta(seconds=30)
    with pytest.raises(InvalidInput), world.tx() as s:
        turn_off(s, owner, code_at(secret, step_of(later)), password="guess", now=later)
    with world.tx() as s:
        turn_off(s, owner, code_at(secret, step_of(later)), password=PASSWORD, now=later)
    with read_session(engine) as s:  # the address was told both times
        subjects = s.exec(
            select(OutgoingMail.subject).where(OutgoingMail.recipient == _email(world, owner))
        ).all()
    assert len(subjects) == 2
    assert isinstance(_sign_in(world, _email(world, owner)), SignedIn)


def test_it_is_offered_to_staff_who_move_money_or_rules_only(engine):
    world = build_world(engine)
    with pytest.raises(Conflict) as refused, world.tx() as s:
        start_setup(s, world.parent)
    assert refused.value.code == "two_factor_not_offered"
    with read_session(engine) as s:
        assert not status(s, world.parent).offered


def test_a_municipality_can_require_it_of_its_administrators(engine):
    world = build_world(engine)
    careful, careless = _admin(world), _second_admin(world)
    with pytest.raises(Conflict) as self_lockout, world.tx() as s:
        _require(s, careful)
    assert self_lockout.value.code == "two_factor_required_self"
    _turn_on(world, careful)
    with world.tx() as s:
        _require(s, careful)
    with read_session(engine) as s:
        assert periods_of(s, careful, world.municipality_id)
        with pytest.raises(Conflict) as refused:
            periods_of(s, careless, world.municipality_id)
    assert refused.value.code == "two_factor_required"
    _turn_on(world, careless)
    with read_session(engine) as s:
        assert periods_of(s, careless, world.municipality_id)


def _require(s, actor: Actor) -> None:
    set_policy(
        s,
        actor,
        _municipality(s, actor),
        max_funded_enrollments=3,
        absence_charge="none",
        prorate_late_start=False,
        attendance_correction_days=7,
        require_two_factor=True,
    )


def _municipality(s, actor: Actor) -> int:
    from navigator.domain.municipalities.queries import municipalities_of

    return municipalities_of(s, actor)[0].id


def _second_admin(world: World) -> Actor:
    from navigator.domain.accounts.api import create_user
    from navigator.domain.accounts.models import Role

    with world.tx() as s:
        user = create_user(
            s,
            f"admin2.{world.municipality_id}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
    return Actor.user(user.id)
