"""/security, called by name as a browser could: a parent gets nothing, an administrator
turns two-factor sign-in on with a code, and the recovery codes leave with the person."""

from __future__ import annotations

import pytest

import navigator.domain.shared.db as db
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import start_session
from navigator.domain.accounts.two_factor import code_at, step_of
from navigator.domain.shared.models import utcnow
from navigator.state.app import AppState
from navigator.state.security import SecurityState
from tests.domain.cabinet import _admin
from tests.factories import PASSWORD, build_world


@pytest.fixture
def people(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    world = build_world(engine)
    admin = _admin(world)
    with world.tx() as s:
        tokens = {
            "admin": start_session(s, admin.user_id, utcnow()).token,
            "parent": start_session(s, world.parent.user_id, utcnow()).token,
        }
    holder = {"token": tokens["admin"]}
    monkeypatch.setattr(AppState, "_session_token", lambda self: holder["token"])
    return world, admin, holder, tokens


def _secret(engine, user_id: int) -> str:
    with db.read_session(engine) as s:
        return s.get(User, user_id).totp_pending_secret


def test_a_parent_cannot_turn_it_on_through_any_handler(engine, people):
    world, _admin_actor, holder, tokens = people
    holder["token"] = tokens["parent"]
    state = SecurityState(_reflex_internal_init=True)
    SecurityState.load.fn(state)
    assert not state.offered
    SecurityState.start.fn(state)
    assert state.error and state.setup_secret == ""
    for payload in ({"code": "000000"}, None, "x", {"code": ["1"]}):
        SecurityState.finish.fn(state, payload)
        SecurityState.disable.fn(state, payload)
        assert state.error
    assert _secret(engine, world.parent.user_id) == ""


def test_an_admin_turns_it_on_and_the_codes_leave_with_the_person(engine, people):
    _world, admin, holder, tokens = people
    state = SecurityState(_reflex_internal_init=True)
    SecurityState.load.fn(state)
    assert state.offered and not state.enabled
    SecurityState.start.fn(state)
    assert state.setup_uri.startswith("otpauth://totp/") and state.setup_secret
    SecurityState.finish.fn(state, {"code": "000000", "password": PASSWORD})
    assert state.error and not state.enabled and state.recovery_codes == []
    secret = _secret(engine, admin.user_id)
    assert state.setup_secret.replace(" ", "") == secret
    right = code_at(secret, step_of(utcnow()))
    SecurityState.finish.fn(state, {"code": right, "password": "not it"})
    assert state.error and not state.enabled
    SecurityState.finish.fn(state, {"code": right, "password": PASSWORD})
    assert state.error == "" and state.enabled and len(state.recovery_codes) == 10
    assert state.codes_left == 10

    holder["token"] = tokens["parent"]  # someone else in the same tab
    state._user_id()
    assert state.recovery_codes == [] and not state.enabled
