"""Real parallel requests against SQLite and PostgreSQL: the locks, not luck, keep the rules."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from navigator.domain.certificates.models import CertificateAccount
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import Enrollment, EnrollmentStatus
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel


def test_fifty_parallel_accepts_for_the_last_three_seats_seat_exactly_three(engine):
    world = build_world(engine, seats=52)
    for _ in range(2):  # two seats already taken
        parent, child_id, _, _ = world.add_parent_with_child()
        enrollment_id = world.apply(child_id=child_id, parent=parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
    applications = []
    for _ in range(50):
        parent, child_id, _, _ = world.add_parent_with_child()
        applications.append(world.apply(child_id=child_id, parent=parent))
    with world.tx() as s:  # then the group shrank to 5 seats: 50 pending for the last 3
        s.get(Group, world.group_id).seats = 5

    outcomes = run_in_parallel(
        engine,
        [
            lambda s, e=e: accept_application(s, world.provider_user, e, today=world.today)
            for e in applications
        ],
    )

    assert outcomes == Counter({"ok": 3, "group_full": 47})
    with read_session(engine) as s:
        assert s.get(Group, world.group_id).seats_taken == 5
        statuses = Counter(
            s.exec(select(Enrollment.status).where(Enrollment.id.in_(applications))).all()  # type: ignore[union-attr]
        )
    assert statuses == Counter({EnrollmentStatus.ACCEPTED: 3, EnrollmentStatus.APPLIED: 47})
    assert_ledger_invariants(engine)


def test_twenty_parallel_holds_on_a_certificate_that_covers_two_hold_exactly_two(engine):
    # Each group's contract is 8 lessons × 500.00 = 4 000.00; the nominal covers two.
    world = build_world(engine, nominal=800_000, max_funded_enrollments=50)
    applications = [world.apply(group_id=world.add_group()) for _ in range(20)]

    outcomes = run_in_parallel(
        engine,
        [
            lambda s, e=e: accept_application(s, world.provider_user, e, today=world.today)
            for e in applications
        ],
    )

    assert outcomes == Counter({"ok": 2, "insufficient_balance": 18})
    with read_session(engine) as s:
        account = s.get(CertificateAccount, world.account_id)
    assert (account.held_minor, account.available_minor) == (800_000, 0)
    assert_ledger_invariants(engine)


def test_the_same_lesson_marked_in_parallel_is_captured_once(engine):
    world = build_world(engine)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)

    outcomes = run_in_parallel(
        engine,
        [
            lambda s: mark_attendance(
                s, world.provider_user, enrollment_id, world.today, "present", today=world.today
            )
            for _ in range(10)
        ],
    )

    assert outcomes["ok"] == 1
    assert sum(outcomes.values()) == 10
    with read_session(engine) as s:
        assert s.get(Enrollment, enrollment_id).captured_minor == 50_000
    assert_ledger_invariants(engine)
