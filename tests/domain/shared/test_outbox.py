"""Every catalog change leaves an outbox row in its own transaction; a rollback leaves none."""

from __future__ import annotations

import pytest
from sqlmodel import col, delete, select

from navigator.domain.enrollment.api import accept_application
from navigator.domain.providers.api import admit_provider
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict
from navigator.domain.shared.models import CatalogChange
from tests.factories import SYSTEM, build_world


def outbox(engine) -> list[tuple[int | None, int | None]]:
    with read_session(engine) as s:
        return list(
            s.exec(
                select(CatalogChange.program_id, CatalogChange.provider_id).order_by(
                    col(CatalogChange.id)
                )
            )
        )


def clear(world) -> None:
    with world.tx() as s:
        s.exec(delete(CatalogChange))


def test_new_programs_groups_and_seat_changes_are_recorded(engine):
    world = build_world(engine)
    assert (world.program_id, None) in outbox(engine)
    clear(world)
    enrollment_id = world.apply()
    assert outbox(engine) == [(world.program_id, None)]  # a seat promised to the application
    clear(world)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    assert outbox(engine) == [(world.program_id, None)]  # the promised seat taken: one row


def test_a_provider_change_covers_all_its_programs(engine):
    world = build_world(engine)
    clear(world)
    with world.tx() as s:
        provider = s.get(Provider, world.provider_id)
        provider.admitted = False
        s.add(provider)
    with world.tx() as s:
        admit_provider(s, SYSTEM, world.provider_id)
    assert outbox(engine) == [(None, world.provider_id), (None, world.provider_id)]


def test_a_rolled_back_change_leaves_no_row(engine):
    world = build_world(engine, seats=1)
    first = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, first, today=world.today)
    parent, child, _, _ = world.add_parent_with_child()
    second = world.apply(child_id=child, parent=parent)
    clear(world)
    with pytest.raises(Conflict), world.tx() as s:
        accept_application(s, world.provider_user, second, today=world.today)
    assert outbox(engine) == []
