"""Random sequences of every ledger operation: whatever happens, the money adds up.

After each step: no balance below zero, captured ≤ held per enrollment, seats taken ≤
capacity, the account counters equal the ledger's sums, a corrected lesson's refund matches
its capture; a refused step changes nothing.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from navigator.domain.certificates.models import CertificateAccount, LedgerEntry
from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    complete_enrollment,
    reject_application,
)
from navigator.domain.enrollment.attendance import correct_attendance, mark_attendance
from navigator.domain.enrollment.models import Enrollment
from navigator.domain.funding.periods import close_period
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants

LESSON_DAYS = [date(2026, 9, d) for d in (7, 9, 14, 16, 21, 23, 28, 30)] + [date(2026, 9, 8)]

operations = st.one_of(
    st.tuples(st.just("apply"), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("accept"), st.integers(0, 7)),
    st.tuples(st.just("reject"), st.integers(0, 7)),
    st.tuples(
        st.just("mark"),
        st.integers(0, 7),
        st.integers(0, len(LESSON_DAYS) - 1),
        st.sampled_from(["present", "absent", "excused"]),
    ),
    st.tuples(
        st.just("correct"),
        st.integers(0, 7),
        st.integers(0, len(LESSON_DAYS) - 1),
        st.sampled_from(["present", "absent", "excused"]),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 7), st.booleans()),
    st.tuples(st.just("complete"), st.integers(0, 7)),
    st.tuples(
        st.just("close"),
    ),
)


def snapshot(engine):
    with read_session(engine) as s:
        return (
            s.exec(select(func.count()).select_from(LedgerEntry)).one(),
            tuple(
                s.exec(
                    select(CertificateAccount.held_minor, CertificateAccount.captured_minor)
                ).all()
            ),
            tuple(s.exec(select(Group.seats_taken).order_by(Group.id)).all()),
            tuple(s.exec(select(Enrollment.status).order_by(Enrollment.id)).all()),
        )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=25))
def test_any_sequence_of_operations_keeps_the_ledger_whole(engine, steps):
    world = build_world(
        engine, nominal=700_000, seats=2, max_funded_enrollments=2, absence_charge="full"
    )
    groups = [world.group_id, world.add_group(seats=1, price=30_000, weekdays=(1, 2, 3))]
    children = [(world.parent, world.child_id)]
    for fund in (True, False):
        parent, child_id, _, _ = world.add_parent_with_child(fund=fund)
        children.append((parent, child_id))
    enrollments: list[int] = []

    def run(step):
        kind = step[0]
        if kind == "apply":
            parent, child_id = children[step[1]]
            enrollments.append(
                world.apply(child_id=child_id, group_id=groups[step[2]], parent=parent)
            )
            return
        if kind == "close":
            with world.tx() as s:
                close_period(s, SYSTEM, world.period_id)
            return
        if not enrollments:
            return
        target = enrollments[step[1] % len(enrollments)]
        with world.tx() as s:
            if kind == "accept":
                accept_application(s, world.provider_user, target, today=world.today)
            elif kind == "reject":
                reject_application(s, world.provider_user, target, reason="no")
            elif kind == "mark":
                day = LESSON_DAYS[step[2]]
                mark_attendance(s, world.provider_user, target, day, step[3], today=day)
            elif kind == "correct":
                day = LESSON_DAYS[step[2]]
                correct_attendance(s, world.provider_user, target, day, step[3], "fix", today=day)
            elif kind == "cancel":
                by_guardian = step[2]
                child_id = s.get(Enrollment, target).child_id
                actor = (
                    next(p for p, c in children if c == child_id)
                    if by_guardian
                    else world.provider_user
                )
                cancel_enrollment(s, actor, target, by_guardian=by_guardian)
            elif kind == "complete":
                complete_enrollment(s, world.provider_user, target)

    for step in steps:
        before = snapshot(engine)
        try:
            run(step)
        except DomainError:
            assert snapshot(engine) == before, f"a refused {step} changed something"
        assert_ledger_invariants(engine)
