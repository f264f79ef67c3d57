"""The header's links come from one statement; it must say what each cabinet's own check
says, for every kind of person."""

from __future__ import annotations

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.culture.access import (
    HeaderRoles,
    header_roles,
    is_culture_operator,
    schools_of,
)
from navigator.domain.municipalities.queries import municipalities_of
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import read_session, transaction
from tests.domain.culture.world import build_culture
from tests.factories import PASSWORD, build_world


def _one_by_one(session, actor: Actor) -> HeaderRoles:
    return HeaderRoles(
        provider=bool(providers_of(session, actor)),
        admin=bool(municipalities_of(session, actor)),
        coordinator=bool(schools_of(session, actor)),
        culture_operator=is_culture_operator(session, actor),
    )


def test_the_header_roles_agree_with_each_cabinets_check(engine):
    world = build_world(engine)
    culture = build_culture(engine)
    with transaction(engine) as s:
        admin = create_user(
            s, "admin@roles.example", PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )  # fmt: skip
        operator = create_user(
            s, "op@roles.example", PASSWORD, roles=((Role.OPERATOR, None, None),)
        )
        nobody = create_user(s, "nobody@roles.example", PASSWORD)
        people = {
            "parent": world.parent,
            "provider": world.provider_user,
            "admin": Actor.user(admin.id),  # type: ignore[arg-type]
            "operator": Actor.user(operator.id),  # type: ignore[arg-type]
            "nobody": Actor.user(nobody.id),  # type: ignore[arg-type]
            "coordinator": culture.coordinator,
            "culture operator": culture.operator,
            "culture provider": culture.provider_user,
        }
    expected = {
        "parent": HeaderRoles(),
        "provider": HeaderRoles(provider=True),
        "admin": HeaderRoles(admin=True),
        "operator": HeaderRoles(admin=True),
        "nobody": HeaderRoles(),
        "coordinator": HeaderRoles(coordinator=True),
        "culture operator": HeaderRoles(culture_operator=True),
        "culture provider": HeaderRoles(provider=True),
    }
    with read_session(engine) as s:
        for who, actor in people.items():
            assert header_roles(s, actor) == _one_by_one(s, actor) == expected[who], who
        assert header_roles(s, Actor(user_id=None)) == HeaderRoles()
