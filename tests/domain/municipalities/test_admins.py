"""Naming a municipality's administrators: only the operator does it, once per person."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import verify_password
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.municipalities.api import create_admin
from navigator.domain.municipalities.queries import municipalities_of
from navigator.domain.shared.db import read_session
from tests.domain.cabinet import _admin, _audit, _operator, _outcome, _target
from tests.factories import SYSTEM, World, build_world


def _memberships(world: World, email: str) -> list[tuple[str, int | None]]:
    with read_session(world.engine) as s:
        return [
            (m.role, m.municipality_id)
            for m in s.exec(
                select(Membership)
                .join(User, col(User.id) == Membership.user_id)
                .where(User.email == email)
                .order_by(col(Membership.id))
            ).all()
        ]


def test_only_the_operator_names_administrators_of_a_known_municipality(engine):
    world = build_world(engine)
    target = _target(world)
    admin = _admin(world)

    def create(actor: Actor, code: str) -> Callable[[Session], object]:
        return lambda s: create_admin(
            s, actor, email="new.admin@example.org", municipality_code=code
        )

    assert _outcome(world, create(admin, target.code)) == "not_found"  # an admin names nobody
    assert _outcome(world, create(world.parent, target.code)) == "not_found"
    assert _outcome(world, create(SYSTEM, "atlantis")) == "not_found"
    assert _memberships(world, "new.admin@example.org") == []
    assert _audit(world, "admin.added") == []


def test_create_admin_makes_an_account_or_adds_the_role_to_one_once(engine):
    world = build_world(engine)
    target = _target(world)
    operator = _operator(world)

    with world.tx() as s:
        user, created = create_admin(
            s,
            operator,
            email=" New.Admin@Example.org ",
            municipality_code=target.code,
            full_name="Анна Петрова",
            password="admin-pass-2026",
        )
        assert (user.email, user.full_name, user.locale, created) == (
            "new.admin@example.org",
            "Анна Петрова",
            "ru",
            True,
        )
        assert verify_password("admin-pass-2026", user.password_hash)
    with read_session(engine) as s:
        parent_email = s.get(User, world.parent.user_id).email
    for _ in range(2):
        with world.tx() as s:
            existing, created = create_admin(
                s, SYSTEM, email=parent_email, municipality_code=target.code
            )
        assert (existing.id, created) == (world.parent.user_id, False)

    admin_role = (Role.MUNICIPALITY_ADMIN, world.municipality_id)
    assert _memberships(world, "new.admin@example.org") == [admin_role]
    assert _memberships(world, parent_email) == [(Role.PARENT, None), admin_role]
    events = _audit(world, "admin.added")
    assert [(e.subject_id, e.actor_id, e.payload) for e in events] == [
        (user.id, operator.user_id, {"email": "new.admin@example.org"}),
        (world.parent.user_id, None, {"email": parent_email}),
    ]
    with read_session(engine) as s:  # and the new admin now reaches the cabinet
        assert [m.id for m in municipalities_of(s, Actor.user(user.id))] == [world.municipality_id]
