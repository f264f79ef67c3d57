"""A family's children: no duplicates, a bounded number (one certificate per child by its
national identifier: tests/domain/certificates/test_verification.py)."""

from __future__ import annotations

from datetime import date

import pytest

from navigator.domain.accounts.children import MAX_CHILDREN_PER_GUARDIAN, add_child
from navigator.domain.shared.errors import Conflict
from tests.factories import build_world


def _child(world, parent, first="Пётр", last="Сидоров", born=date(2016, 4, 1)):
    with world.tx() as s:
        return add_child(
            s,
            parent,
            guardian_id=parent.user_id,
            municipality_id=world.municipality_id,
            first_name=first,
            last_name=last,
            birth_date=born,
        ).id


def test_the_same_child_twice_in_one_account_is_refused(engine):
    world = build_world(engine)
    _child(world, world.parent)
    with pytest.raises(Conflict) as refused:
        _child(world, world.parent, first=" пётр ", last="СИДОРОВ")
    assert refused.value.code == "child_exists"


def test_an_account_holds_a_bounded_number_of_children(engine):
    world = build_world(engine)
    existing = 1  # build_world's own child
    for n in range(MAX_CHILDREN_PER_GUARDIAN - existing):
        _child(world, world.parent, first=f"Ребёнок{n}")
    with pytest.raises(Conflict) as refused:
        _child(world, world.parent, first="Лишний")
    assert refused.value.code == "too_many_children"
