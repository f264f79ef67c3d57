"""Who at a provider may do what: staff revoke only their own API keys, an owner anyone's;
an organisation the municipality has not admitted invites nobody (no mail goes out)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.providers.api import create_provider
from navigator.domain.providers.apikeys import create_api_key, revoke_api_key
from navigator.domain.providers.models import ApiKey
from navigator.domain.providers.staff import invite_staff
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.models import OutgoingMail
from tests.factories import PASSWORD, build_world

APP = "http://localhost:3000"


def _member(world, role: Role, provider_id: int | None = None) -> Actor:
    with world.tx() as s:
        user = create_user(
            s,
            f"{role.value}.{provider_id or world.provider_id}.{id(world)}@example.org",
            PASSWORD,
            roles=((role, None, provider_id or world.provider_id),),
        )
        return Actor.user(user.id)


def test_staff_cannot_revoke_an_owners_key_but_the_owner_can_revoke_anyones(engine):
    world = build_world(engine)
    owner = _member(world, Role.PROVIDER_OWNER)
    with world.tx() as s:
        owners_key, _secret = create_api_key(s, owner, world.provider_id, "e-journal")
        staff_key, _secret = create_api_key(s, world.provider_user, world.provider_id, "mine")
    with pytest.raises(Conflict) as refused, world.tx() as s:
        revoke_api_key(s, world.provider_user, owners_key.id)
    assert refused.value.code == "owner_only"
    with world.tx() as s:
        revoke_api_key(s, world.provider_user, staff_key.id)  # their own
        revoke_api_key(s, owner, owners_key.id)
    with world.tx() as s:
        another, _secret = create_api_key(s, world.provider_user, world.provider_id, "again")
    with world.tx() as s:
        revoke_api_key(s, owner, another.id)  # an owner revokes a staff member's key
    with read_session(engine) as s:
        assert all(k.revoked_at is not None for k in s.exec(select(ApiKey)).all())


def test_a_provider_not_yet_admitted_invites_nobody(engine):
    world = build_world(engine)
    with world.tx() as s:
        waiting = create_provider(
            s, municipality_id=world.municipality_id, name="Новая студия", kind="private"
        )
    owner = _member(world, Role.PROVIDER_OWNER, waiting.id)
    with pytest.raises(Conflict) as refused, world.tx() as s:
        invite_staff(s, owner, waiting.id, "victim@example.org", "provider_staff", app_url=APP)
    assert refused.value.code == "provider_not_admitted"
    assert "допущена" in refused.value.message("ru")
    with read_session(engine) as s:
        assert s.exec(select(OutgoingMail)).all() == []
