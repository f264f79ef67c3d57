"""The open cabinet's poll reads only the database: its fingerprint moves when the provider
acts, stays put otherwise, and ends when the session does."""

from __future__ import annotations

import pytest

import navigator.domain.shared.db as db
from navigator.domain.accounts.signin import sign_out, start_session
from navigator.domain.enrollment.api import accept_application
from navigator.domain.shared.models import utcnow
from navigator.state.cabinet_watch import cabinet_versions_for
from tests.factories import build_world


def _cabinet_version_for(token: str | None) -> int | None:
    """One tab's answer in a round of its own."""
    return cabinet_versions_for([token])[token]


@pytest.fixture
def world(engine, monkeypatch):
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    return build_world(engine)


def test_the_poll_sees_the_providers_acceptance_and_nothing_else(world):
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    enrollment_id = world.apply()
    applied = _cabinet_version_for(token)
    assert applied is not None and _cabinet_version_for(token) == applied

    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    assert _cabinet_version_for(token) not in (None, applied)


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 10_000])
def test_a_token_that_signs_nobody_in_stops_the_poll(world, token):
    assert _cabinet_version_for(token) is None


def test_signing_out_elsewhere_stops_the_poll(world):
    with world.tx() as s:
        token = start_session(s, world.parent.user_id, utcnow()).token
    assert _cabinet_version_for(token) is not None
    with world.tx() as s:
        sign_out(s, token)
    assert _cabinet_version_for(token) is None
