"""The municipality's policy: bad values are refused, a change is kept and audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from navigator.domain.municipalities.api import set_policy
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.municipalities.queries import policy_for_admin
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput
from tests.domain.cabinet import _admin, _audit, _refusal
from tests.factories import World, build_world

GOOD_POLICY = {
    "max_funded_enrollments": 5,
    "absence_charge": "full",
    "prorate_late_start": True,
    "attendance_correction_days": 14,
}

BAD_POLICIES = {
    "no funded enrollments": ({"max_funded_enrollments": 0}, "must_be_positive"),
    "21 funded enrollments": ({"max_funded_enrollments": 21}, "value_too_large"),
    "a bool for enrollments": ({"max_funded_enrollments": True}, "must_be_whole_number"),
    "unknown absence charge": ({"absence_charge": "half"}, "field_not_allowed"),
    "prorate as text": ({"prorate_late_start": "yes"}, "field_required"),
    "prorate as 1": ({"prorate_late_start": 1}, "field_required"),
    "negative correction days": ({"attendance_correction_days": -1}, "must_not_be_negative"),
    "61 correction days": ({"attendance_correction_days": 61}, "value_too_large"),
}


def _policy(world: World) -> dict[str, object]:
    with read_session(world.engine) as s:
        policy = s.exec(
            select(MunicipalityPolicy).where(
                MunicipalityPolicy.municipality_id == world.municipality_id
            )
        ).one()
    return {name: getattr(policy, name) for name in GOOD_POLICY}


@pytest.mark.parametrize("case", list(BAD_POLICIES))
def test_a_bad_policy_value_is_invalid_and_changes_nothing(engine, case):
    world = build_world(engine)
    admin = _admin(world)
    before = _policy(world)
    change, code = BAD_POLICIES[case]

    error = _refusal(
        world,
        lambda s: set_policy(s, admin, world.municipality_id, **{**GOOD_POLICY, **change}),
    )

    assert (type(error), error.code) == (InvalidInput, code)
    assert _policy(world) == before
    assert _audit(world, "policy.updated") == []


def test_a_policy_change_is_kept_and_audited_with_before_and_after(engine):
    world = build_world(engine)
    admin = _admin(world)
    before = _policy(world)
    assert before == {
        "max_funded_enrollments": 3,
        "absence_charge": "none",
        "prorate_late_start": False,
        "attendance_correction_days": 7,
    }

    for _ in range(2):  # the same values again change nothing and log nothing
        with world.tx() as s:
            set_policy(s, admin, world.municipality_id, **GOOD_POLICY)

    assert _policy(world) == GOOD_POLICY
    [event] = _audit(world, "policy.updated")
    assert (event.actor_id, event.payload) == (
        admin.user_id,
        {  # every rule, two-factor sign-in and the dispute window included, before and after
            "before": {**before, "require_two_factor": False, "dispute_window_days": 30},
            "after": {**GOOD_POLICY, "require_two_factor": False, "dispute_window_days": 30},
        },
    )
    with read_session(engine) as s:
        shown = policy_for_admin(s, admin, world.municipality_id)
    assert (shown.max_funded_enrollments, shown.attendance_correction_days) == (5, 14)
