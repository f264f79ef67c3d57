"""Sign-ups and invitations are limited per address, per e-mail and per inviter, so nobody
floods an inbox or mints accounts; a refused attempt sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.throttle import LIMITS, spend_attempt
from navigator.domain.providers.staff import invite_staff
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import TooManyAttempts
from navigator.domain.shared.models import OutgoingMail, utcnow
from tests.domain.providers.test_rights import _member
from tests.factories import build_world

APP = "http://localhost:3000"


def test_one_inbox_gets_three_invitations_an_hour_whoever_sends_them(engine):
    from navigator.domain.accounts.models import Role

    world = build_world(engine)
    owner = _member(world, Role.PROVIDER_OWNER)
    for role in ("provider_staff", "provider_owner", "provider_staff"):
        with world.tx() as s:
            invite_staff(s, owner, world.provider_id, "victim@example.org", role, app_url=APP)
    with pytest.raises(TooManyAttempts) as refused, world.tx() as s:
        invite_staff(
            s, owner, world.provider_id, "victim@example.org", "provider_staff", app_url=APP
        )
    assert refused.value.code == "too_many_requests"
    assert "60" in refused.value.message("en")
    with read_session(engine) as s:
        letters = s.exec(select(OutgoingMail).where(OutgoingMail.recipient == "victim@example.org"))
        assert len(letters.all()) == 3
    with world.tx() as s:  # another address is fine
        invite_staff(
            s, owner, world.provider_id, "teacher@example.org", "provider_staff", app_url=APP
        )
    later = utcnow() + timedelta(hours=1, minutes=1)
    with world.tx() as s:  # and the same inbox again an hour later
        invite_staff(
            s,
            owner,
            world.provider_id,
            "victim@example.org",
            "provider_staff",
            app_url=APP,
            now=later,
        )


def test_attempts_are_counted_per_subject_up_to_the_limit(engine):
    world = build_world(engine)
    limit = LIMITS[("register", "address")]
    for _ in range(limit):
        with world.tx() as s:
            spend_attempt(s, "register", "address", "203.0.113.7")
    with pytest.raises(TooManyAttempts), world.tx() as s:
        spend_attempt(s, "register", "address", "203.0.113.7")
    with world.tx() as s:
        spend_attempt(s, "register", "address", "203.0.113.8")
        spend_attempt(s, "register", "email", "203.0.113.7")  # another kind, another count
