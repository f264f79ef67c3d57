"""The budget and the certificate cap: never set below what is used, and holds keep within them.

Also when two providers accept at once; crediting is bounded by the cap, not the budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import Session

from navigator.domain.certificates.api import fund_certificate
from navigator.domain.certificates.ledger import period_money
from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.funding.periods import update_period
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput
from tests.domain.cabinet import (
    CONTRACT,
    LESSONS,
    _accepted,
    _admin,
    _audit,
    _count,
    _ledger_totals,
    _mark,
    _outcome,
    _period,
    _refusal,
    _second_provider,
    _unfunded_child,
)
from tests.factories import SYSTEM, World, build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel


def test_the_budget_never_drops_below_what_is_committed_and_spent(engine):
    world = build_world(engine, budget=10_000_000)
    admin = _admin(world)
    enrollment_id = _accepted(world)
    _mark(world, enrollment_id, LESSONS[0])  # 50.000 spent, 350.000 still held

    def update(budget: object, cap: object = 1000) -> Callable[[Session], object]:
        return lambda s: update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=budget,
            max_funded_certificates=cap,
        )

    error = _refusal(world, update(CONTRACT - 1))
    assert (type(error), error.code, error.params["committed_minor"]) == (
        Conflict,
        "budget_below_committed",
        CONTRACT,
    )
    assert _period(world).budget_minor == 10_000_000
    assert _audit(world, "period.updated") == []

    assert _outcome(world, update(CONTRACT)) == "ok"  # exactly what is used is enough
    assert _period(world).budget_minor == CONTRACT
    [event] = _audit(world, "period.updated")
    assert (event.payload["before"]["budget_minor"], event.payload["after"]["budget_minor"]) == (
        10_000_000,
        CONTRACT,
    )


@pytest.mark.parametrize(
    ("budget", "code"),
    [
        (-5, "must_be_positive"),
        (0, "must_be_positive"),
        (True, "must_be_whole_number"),
        ("1000000", "must_be_whole_number"),
        (1.5, "must_be_whole_number"),
    ],
)
def test_a_budget_that_is_not_a_positive_whole_number_is_invalid(engine, budget, code):
    world = build_world(engine, budget=10_000_000)
    admin = _admin(world)
    error = _refusal(
        world,
        lambda s: update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=budget,
            max_funded_certificates=5,
        ),
    )
    assert (type(error), error.code) == (InvalidInput, code)
    assert (_period(world).budget_minor, _period(world).max_funded_certificates) == (
        10_000_000,
        1000,
    )


def test_the_certificate_cap_never_drops_below_the_certificates_funded(engine):
    world = build_world(engine)
    admin = _admin(world)
    world.add_parent_with_child()  # two funded now

    def cap(value: int) -> Callable[[Session], object]:
        return lambda s: update_period(
            s,
            admin,
            world.period_id,
            name="2026/27",
            budget_minor=100_000_000,
            max_funded_certificates=value,
        )

    error = _refusal(world, cap(1))
    assert (type(error), error.code, error.params) == (Conflict, "cap_below_funded", {"funded": 2})
    assert _period(world).max_funded_certificates == 1000
    assert _outcome(world, cap(2)) == "ok"
    assert _period(world).max_funded_certificates == 2


def _funded_applicant(world: World, group_id: int | None = None) -> int:
    parent, child_id, _, _ = world.add_parent_with_child()
    return world.apply(child_id=child_id, parent=parent, group_id=group_id)


def test_an_acceptance_whose_hold_would_pass_the_budget_is_refused_and_takes_nothing(engine):
    world = build_world(engine, budget=700_000)
    first = _accepted(world)
    second = _funded_applicant(world)
    entries = _count(world, LedgerEntry)

    def accept(s: Session) -> object:
        return accept_application(s, world.provider_user, second, today=world.today)

    error = _refusal(world, accept)

    assert (type(error), error.code, error.params["remaining_minor"]) == (
        Conflict,
        "period_budget_exhausted",
        300_000,
    )
    with read_session(engine) as s:
        refused = s.get(Enrollment, second)
        assert (refused.status, refused.held_minor) == (EnrollmentStatus.APPLIED, 0)
        assert s.get(Group, world.group_id).seats_taken == 1
        assert period_money(s, world.period_id) == (CONTRACT, 0)
    assert _count(world, LedgerEntry) == entries

    # a capture moves money from committed to spent: still no room
    _mark(world, first, LESSONS[0])
    assert _refusal(world, accept).code == "period_budget_exhausted"
    # a release gives the rest of the hold back to the budget
    with world.tx() as s:
        cancel_enrollment(s, world.parent, first)
    assert _outcome(world, accept) == "ok"
    with read_session(engine) as s:
        assert period_money(s, world.period_id) == (CONTRACT, 50_000)
    assert_ledger_invariants(engine)


def test_holds_that_fill_the_budget_exactly_are_accepted_and_the_next_is_not(engine):
    world = build_world(engine, budget=2 * CONTRACT)
    applications = [_funded_applicant(world) for _ in range(3)]
    outcomes = [
        _outcome(
            world, lambda s, e=e: accept_application(s, world.provider_user, e, today=world.today)
        )
        for e in applications
    ]
    assert outcomes == ["ok", "ok", "period_budget_exhausted"]
    with read_session(engine) as s:
        assert period_money(s, world.period_id) == (2 * CONTRACT, 0)


def test_an_acceptance_the_certificate_does_not_pay_for_ignores_the_budget(engine):
    world = build_world(engine, budget=CONTRACT)
    _accepted(world)
    parent, child_id, _ = _unfunded_child(world)
    enrollment_id = world.apply(child_id=child_id, parent=parent)
    with world.tx() as s:
        accepted = accept_application(s, world.provider_user, enrollment_id, today=world.today)
        assert (accepted.status, accepted.held_minor, accepted.copayment_minor) == (
            EnrollmentStatus.ACCEPTED,
            0,
            CONTRACT,
        )


def test_crediting_is_bounded_by_the_certificate_cap_not_by_the_budget(engine):
    world = build_world(engine, nominal=1_000_000, budget=500_000, cap=3)
    world.add_parent_with_child()
    world.add_parent_with_child()
    _, _, fourth = _unfunded_child(world)

    error = _refusal(
        world, lambda s: fund_certificate(s, SYSTEM, fourth, world.period_id, today=world.today)
    )

    assert (type(error), error.code) == (Conflict, "period_certificate_cap_reached")
    period = _period(world)
    assert (period.credited_minor, period.funded_certificates) == (3_000_000, 3)
    assert _ledger_totals(world)[EntryKind.CREDIT] == 3_000_000
    assert_ledger_invariants(engine)


def test_two_providers_accepting_at_once_cannot_both_take_the_last_of_the_budget(engine):
    """The budget fits one hold of the two: the period lock, not luck, decides which."""
    world = build_world(engine, budget=CONTRACT + CONTRACT // 2)
    other_staff, _, other_group = _second_provider(world)  # 8 lessons × 500.00 too
    here = _funded_applicant(world)
    there = _funded_applicant(world, group_id=other_group)

    outcomes = run_in_parallel(
        engine,
        [
            lambda s: accept_application(s, world.provider_user, here, today=world.today),
            lambda s: accept_application(s, other_staff, there, today=world.today),
        ],
    )

    assert outcomes == Counter({"ok": 1, "period_budget_exhausted": 1})
    with read_session(engine) as s:
        committed, spent = period_money(s, world.period_id)
        statuses = sorted(s.get(Enrollment, e).status for e in (here, there))
    assert (committed, spent) == (CONTRACT, 0)
    assert committed + spent <= _period(world).budget_minor
    assert statuses == [EnrollmentStatus.ACCEPTED, EnrollmentStatus.APPLIED]
    assert_ledger_invariants(engine)
