"""The header's person and links come from one statement, on every event; it must say what
the session check and each cabinet's own check say, for every kind of person."""

from __future__ import annotations

from datetime import timedelta

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import sign_out, start_session, user_for_token
from navigator.domain.culture.access import (
    HeaderPerson,
    HeaderRoles,
    header_person,
    is_culture_operator,
    schools_of,
)
from navigator.domain.municipalities.queries import municipalities_of
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.models import utcnow
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
    with transaction(engine) as s:
        tokens = {
            who: start_session(s, actor.user_id, utcnow()).token for who, actor in people.items()
        }  # type: ignore[arg-type]
        expired = start_session(s, world.parent.user_id, utcnow() - timedelta(days=400)).token  # type: ignore[arg-type]
        ended = start_session(s, world.parent.user_id, utcnow()).token  # type: ignore[arg-type]
        sign_out(s, ended)
    with read_session(engine) as s:
        for who, actor in people.items():
            person = header_person(s, tokens[who])
            user = user_for_token(s, tokens[who])
            assert user is not None
            assert person == HeaderPerson(actor.user_id, user.email, expected[who]), who  # type: ignore[arg-type]
            assert person.roles == _one_by_one(s, actor), who
        for token in (expired, ended, tokens["parent"] + "x", "x" * 5000, "", None):
            assert header_person(s, token) is None  # signs nobody in: the header shows no one
