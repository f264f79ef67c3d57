"""The certificate ledger through the domain services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.certificates.api import fund_certificate
from navigator.domain.certificates.models import CertificateAccount, LedgerEntry
from navigator.domain.certificates.queries import statement
from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    complete_enrollment,
)
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.enrollment.models import AttendanceStatus, Enrollment, EnrollmentStatus
from navigator.domain.enrollment.terms import lesson_share, quote
from navigator.domain.funding.periods import close_period
from navigator.domain.programs.models import Group
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, NotFound
from navigator.domain.shared.models import Notification
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants

LESSONS = [date(2026, 9, d) for d in (7, 9, 14, 16, 21, 23, 28, 30)]


def account(world, account_id=None) -> CertificateAccount:
    with read_session(world.engine) as s:
        return s.get(CertificateAccount, account_id or world.account_id)


def enrollment(world, enrollment_id) -> Enrollment:
    with read_session(world.engine) as s:
        return s.get(Enrollment, enrollment_id)


def accepted(world, **kwargs) -> int:
    enrollment_id = world.apply(**kwargs)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    return enrollment_id


def test_funding_credits_the_nominal_and_the_statement_shows_it(engine):
    world = build_world(engine, nominal=1_000_000)
    assert account(world).available_minor == 1_000_000
    with read_session(engine) as s:
        lines = statement(s, world.parent, world.certificate_id)
    assert [(line.kind, line.amount_minor) for line in lines] == [("credit", 1_000_000)]
    assert_ledger_invariants(engine)


def test_quote_splits_contract_between_certificate_and_parent(engine):
    world = build_world(engine, nominal=300_000, price=50_000)
    with read_session(engine) as s:
        terms = quote(s, world.parent, world.child_id, world.group_id, today=world.today)
    assert terms.lessons == 8
    assert terms.contract_minor == 400_000
    assert terms.certificate_share_minor == 300_000
    assert terms.copayment_minor == 100_000
    assert (terms.first_lesson, terms.last_lesson) == (LESSONS[0], LESSONS[-1])


def test_a_child_outside_the_programs_ages_is_refused_before_any_price(engine):
    world = build_world(engine)  # a program for ages 7 to 14
    parent, child_id, _cert, _account = world.add_parent_with_child(
        birth_date=date(world.today.year - 16, 1, 1)
    )
    with pytest.raises(Conflict) as refused, read_session(engine) as s:
        quote(s, parent, child_id, world.group_id, today=world.today)
    assert (refused.value.code, refused.value.params["age"]) == ("age_does_not_fit", 16)


def test_accepting_holds_the_certificate_share_and_takes_a_seat(engine):
    world = build_world(engine, nominal=1_000_000)
    enrollment_id = accepted(world)
    row = enrollment(world, enrollment_id)
    assert row.status == EnrollmentStatus.ACCEPTED
    assert row.held_minor == 400_000
    assert account(world).available_minor == 600_000
    assert account(world).held_minor == 400_000
    with read_session(engine) as s:
        assert s.get(Group, world.group_id).seats_taken == 1
        kinds = [
            n.kind
            for n in s.exec(
                select(Notification).where(Notification.user_id == world.parent.user_id)
            )
        ]
    assert "certificate.hold" in kinds
    assert_ledger_invariants(engine)


def test_each_attended_lesson_captures_its_share_and_all_lessons_capture_the_whole_hold(engine):
    world = build_world(engine, nominal=1_000_000)
    enrollment_id = accepted(world)
    for day in LESSONS:
        with world.tx() as s:
            mark_attendance(
                s, world.provider_user, enrollment_id, day, AttendanceStatus.PRESENT, today=day
            )
    row = enrollment(world, enrollment_id)
    assert row.captured_minor == row.held_minor == 400_000
    assert account(world).available_minor == 600_000
    assert account(world).captured_minor == 400_000
    with world.tx() as s:
        complete_enrollment(s, world.provider_user, enrollment_id)
    assert enrollment(world, enrollment_id).status == EnrollmentStatus.COMPLETED
    assert_ledger_invariants(engine)


def test_partial_coverage_spreads_the_certificate_share_evenly_over_lessons(engine):
    world = build_world(engine, nominal=100_001, price=50_000)
    enrollment_id = accepted(world)
    charged = []
    for day in LESSONS:
        with world.tx() as s:
            charged.append(
                mark_attendance(
                    s, world.provider_user, enrollment_id, day, "present", today=day
                ).charged_minor
            )
    assert sum(charged) == 100_001
    assert max(charged) - min(charged) <= 1
    assert account(world).available_minor == 0
    assert_ledger_invariants(engine)


def test_absence_costs_nothing_by_default_and_the_full_share_when_policy_says_so(engine):
    free = build_world(engine, absence_charge="none")
    enrollment_id = accepted(free)
    with free.tx() as s:
        assert (
            mark_attendance(
                s, free.provider_user, enrollment_id, LESSONS[0], "absent", today=LESSONS[0]
            ).charged_minor
            == 0
        )
    charged = build_world(engine, absence_charge="full")
    enrollment_id = accepted(charged)
    with charged.tx() as s:
        assert (
            mark_attendance(
                s, charged.provider_user, enrollment_id, LESSONS[0], "absent", today=LESSONS[0]
            ).charged_minor
            == 50_000
        )
        assert (
            mark_attendance(
                s, charged.provider_user, enrollment_id, LESSONS[1], "excused", today=LESSONS[1]
            ).charged_minor
            == 0
        )
    assert_ledger_invariants(engine)


def test_cancelling_releases_the_rest_frees_the_seat_and_promotes_the_waitlist(engine):
    world = build_world(engine, seats=1)
    first = accepted(world)
    _parent2, child2, _cert2, _acc2 = world.add_parent_with_child()
    second = world.apply(child_id=child2, parent=_parent2)
    assert enrollment(world, second).status == EnrollmentStatus.WAITLISTED
    with world.tx() as s:
        mark_attendance(s, world.provider_user, first, LESSONS[0], "present", today=LESSONS[0])
    with world.tx() as s:
        cancel_enrollment(s, world.parent, first, reason="moved away")
    row = enrollment(world, first)
    assert row.status == EnrollmentStatus.CANCELLED
    assert row.captured_minor == 50_000 and row.released_minor == 350_000
    assert account(world).available_minor == 1_000_000 - 50_000
    assert enrollment(world, second).status == EnrollmentStatus.APPLIED
    with read_session(engine) as s:
        assert s.get(Group, world.group_id).seats_taken == 0
    assert_ledger_invariants(engine)


def test_repeating_any_operation_changes_nothing(engine):
    world = build_world(engine)
    enrollment_id = accepted(world)

    def snapshot():
        with read_session(engine) as s:
            return (
                len(s.exec(select(LedgerEntry)).all()),
                account(world).available_minor,
                s.get(Group, world.group_id).seats_taken,
            )

    before = snapshot()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
        fund_certificate(s, world.parent, world.certificate_id, world.period_id, today=world.today)
    assert snapshot() == before
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    after_cancel = snapshot()
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    assert snapshot() == after_cancel
    with world.tx() as s:
        close_period(s, SYSTEM, world.period_id)
    closed = snapshot()
    with world.tx() as s:
        close_period(s, SYSTEM, world.period_id)
    assert snapshot() == closed
    assert_ledger_invariants(engine)


def test_marking_the_same_lesson_twice_is_refused_and_debits_once(engine):
    world = build_world(engine)
    enrollment_id = accepted(world)
    with world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, LESSONS[0], "present", today=LESSONS[0]
        )
    with pytest.raises(Conflict) as error, world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, LESSONS[0], "absent", today=LESSONS[0]
        )
    assert error.value.code == "attendance_already_marked"
    assert enrollment(world, enrollment_id).captured_minor == 50_000
    assert_ledger_invariants(engine)


def test_closing_the_period_releases_holds_and_expires_the_unspent_nominal(engine):
    world = build_world(engine, nominal=1_000_000)
    enrollment_id = accepted(world)
    with world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, LESSONS[0], "present", today=LESSONS[0]
        )
    with world.tx() as s:
        summary = close_period(s, SYSTEM, world.period_id)
    assert summary.released_minor == 350_000
    assert summary.expired_minor == 950_000
    acc = account(world)
    assert acc.available_minor == 0 and acc.held_minor == 0 and acc.expired_minor == 950_000
    with world.tx() as s:
        later = mark_attendance(
            s, world.provider_user, enrollment_id, LESSONS[1], "present", today=LESSONS[1]
        )
    assert later.charged_minor == 0
    with read_session(engine) as s:
        kinds = [line.kind for line in statement(s, world.parent, world.certificate_id)]
    assert kinds == ["credit", "hold", "capture", "release", "expire"]
    assert_ledger_invariants(engine)


def test_accept_is_refused_when_the_certificate_no_longer_covers_the_agreed_share(engine):
    world = build_world(engine, nominal=500_000, max_funded_enrollments=5)
    other_group = world.add_group()
    first = world.apply()
    second = world.apply(group_id=other_group)
    with world.tx() as s:
        accept_application(s, world.provider_user, first, today=world.today)
    with pytest.raises(Conflict) as error, world.tx() as s:
        accept_application(s, world.provider_user, second, today=world.today)
    assert error.value.code == "insufficient_balance"
    assert enrollment(world, second).status == EnrollmentStatus.APPLIED
    assert account(world).available_minor == 100_000
    assert_ledger_invariants(engine)


def test_a_child_cannot_exceed_the_funded_programs_limit(engine):
    world = build_world(engine, nominal=10_000_000, max_funded_enrollments=1)
    world.apply()
    with pytest.raises(Conflict) as error:
        world.apply(group_id=world.add_group())
    assert error.value.code == "funded_limit_reached"


def test_an_unfunded_certificate_pays_nothing_and_the_parent_pays_all(engine):
    world = build_world(engine)
    parent, child_id, _certificate_id, _ = world.add_parent_with_child(fund=False)
    enrollment_id = world.apply(child_id=child_id, parent=parent)
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    row = enrollment(world, enrollment_id)
    assert (row.certificate_share_minor, row.copayment_minor, row.held_minor) == (0, 400_000, 0)


def test_funding_is_refused_when_the_cap_is_reached_but_not_bounded_by_the_budget(engine):
    world = build_world(engine, cap=1)
    _parent, _child, certificate_id, _ = world.add_parent_with_child(fund=False)
    with pytest.raises(Conflict) as error, world.tx() as s:
        fund_certificate(s, SYSTEM, certificate_id, world.period_id, today=world.today)
    assert error.value.code == "period_certificate_cap_reached"

    # the budget bounds what holds commit; crediting more than it is the municipality's choice
    generous = build_world(engine, nominal=1_000_000, budget=1_500_000)
    _parent, _child, certificate_id, _ = generous.add_parent_with_child(fund=False)
    with generous.tx() as s:
        account = fund_certificate(
            s, SYSTEM, certificate_id, generous.period_id, today=generous.today
        )
        assert account.credited_minor == 1_000_000


def test_another_parent_and_another_provider_see_nothing(engine):
    world = build_world(engine)
    enrollment_id = accepted(world)
    intruder, _child, _cert, _ = world.add_parent_with_child()
    stranger_world = build_world(engine)
    with pytest.raises(NotFound), read_session(engine) as s:
        statement(s, intruder, world.certificate_id)
    with pytest.raises(NotFound), world.tx() as s:
        cancel_enrollment(s, intruder, enrollment_id)
    with pytest.raises(NotFound), world.tx() as s:
        mark_attendance(
            s, stranger_world.provider_user, enrollment_id, LESSONS[0], "present", today=LESSONS[0]
        )
    with pytest.raises(NotFound), world.tx() as s:
        accept_application(s, Actor.user(world.parent.user_id), enrollment_id)
    with pytest.raises(NotFound), read_session(engine) as s:
        quote(s, intruder, world.child_id, world.group_id)
    assert enrollment(world, enrollment_id).status == EnrollmentStatus.ACCEPTED


def test_lesson_shares_sum_to_the_certificate_share():
    for share in (0, 1, 7, 100_001, 399_999):
        for lessons in (1, 3, 8, 33):
            assert sum(lesson_share(share, lessons, k) for k in range(1, lessons + 1)) == share
    assert lesson_share(100, 4, 5) == 0


def test_waitlisted_applications_take_no_money_until_a_seat_frees(engine):
    world = build_world(engine, seats=1)
    accepted(world)
    parent2, child2, _cert, account2 = world.add_parent_with_child()
    waiting = world.apply(child_id=child2, parent=parent2)
    with pytest.raises(Conflict) as error, world.tx() as s:
        accept_application(s, world.provider_user, waiting, today=world.today)
    assert error.value.code == "enrollment_not_pending"
    assert account(world, account2).available_minor == 1_000_000
    assert world.today + timedelta(days=1)  # the world's clock is fixed; nothing else moved
