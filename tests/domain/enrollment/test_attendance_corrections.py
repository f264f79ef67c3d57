"""Correcting a mark: inside the window only, audited, and the money follows the correction."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.models import CertificateAccount, LedgerEntry
from navigator.domain.enrollment.api import (
    accept_application,
    cancel_enrollment,
    complete_enrollment,
)
from navigator.domain.enrollment.attendance import (
    UploadedMark,
    correct_attendance,
    mark_attendance,
    record_upload,
)
from navigator.domain.enrollment.models import Attendance, AttendanceCorrection, Enrollment
from navigator.domain.enrollment.queries import monthly_statement
from navigator.domain.funding.periods import close_period
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.api import create_provider
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.models import Notification
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants


def _seated(world):
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(world.engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    return enrollment_id, lessons


def _money(world, enrollment_id):
    with read_session(world.engine) as s:
        account = s.get(CertificateAccount, world.account_id)
        enrollment = s.get(Enrollment, enrollment_id)
        return account.available_minor, enrollment.hold_remaining_minor


def _snapshot(world):
    with read_session(world.engine) as s:
        return (
            [(e.kind, e.amount_minor) for e in s.exec(select(LedgerEntry)).all()],
            [(a.lesson_date, a.status, a.charged_minor) for a in s.exec(select(Attendance)).all()],
            len(s.exec(select(AttendanceCorrection)).all()),
        )


def test_removing_a_presence_refunds_its_capture_and_holds_it_again(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson = lessons[0]
    before = _money(world, enrollment_id)
    with world.tx() as s:
        charged = mark_attendance(
            s, world.provider_user, enrollment_id, lesson, "present", today=lesson
        ).charged_minor
    assert charged > 0 and _money(world, enrollment_id) == (before[0], before[1] - charged)

    with world.tx() as s:
        correction = correct_attendance(
            s,
            world.provider_user,
            enrollment_id,
            lesson,
            "absent",
            "ill, marked by mistake",
            today=lesson + timedelta(days=2),
        )
    assert correction.refunded_minor == charged and correction.captured_minor == 0
    # the parent's free balance never moved; the remaining lessons are covered again
    assert _money(world, enrollment_id) == before
    with read_session(engine) as s:
        audit = s.exec(select(AttendanceCorrection)).one()
        assert (audit.from_status, audit.to_status, audit.actor_id) == (
            "present",
            "absent",
            world.provider_user.user_id,
        )
        assert audit.reason == "ill, marked by mistake"
        kinds = [e.kind for e in s.exec(select(LedgerEntry).order_by(col(LedgerEntry.id))).all()]
        assert kinds[-3:] == ["capture", "refund", "hold"]
        notices = [n.kind for n in s.exec(select(Notification)).all()]
        assert "certificate.refund_held" in notices  # the refund held again: one notice
        attendance = s.exec(select(Attendance)).one()
        assert (attendance.status, attendance.charged_minor) == ("absent", 0)
    assert_ledger_invariants(engine)


def test_flipping_a_mark_back_and_forth_moves_the_money_each_time_exactly_once(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson, later = lessons[1], lessons[1] + timedelta(days=1)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, lesson, "absent", today=later)
    start = _money(world, enrollment_id)
    for status in ("present", "excused", "present"):
        with world.tx() as s:
            correct_attendance(
                s, world.provider_user, enrollment_id, lesson, status, "register fixed", today=later
            )
    available, remaining = _money(world, enrollment_id)
    with read_session(engine) as s:
        attendance = s.exec(select(Attendance)).one()
        kinds = [e.kind for e in s.exec(select(LedgerEntry).order_by(col(LedgerEntry.id))).all()]
    assert kinds[-4:] == ["capture", "refund", "hold", "capture"]
    assert attendance.charged_minor > 0
    assert (available, remaining) == (start[0], start[1] - attendance.charged_minor)
    assert_ledger_invariants(engine)


def test_the_month_statement_shows_the_corrected_figures(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson = lessons[0]
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, lesson, "present", today=lesson)
    with world.tx() as s:
        correct_attendance(
            s, world.provider_user, enrollment_id, lesson, "excused", "doctor's note", today=lesson
        )
    with read_session(engine) as s:
        _currency, (row,) = monthly_statement(
            s, world.provider_user, world.provider_id, lesson.year, lesson.month
        )
    assert (row.attendances, row.captured_minor, row.copayments_minor) == (0, 0, 0)


@pytest.mark.parametrize(
    ("status", "reason", "days_later", "error"),
    [
        ("absent", "late fix", 8, Conflict),  # the default window is seven days
        ("present", "same mark", 1, InvalidInput),
        ("absent", "", 1, InvalidInput),
        ("absent", "   ", 1, InvalidInput),
        ("absent", "x" * 301, 1, InvalidInput),
        ("absent", "bad\x00byte", 1, InvalidInput),
        ("asleep", "unknown mark", 1, InvalidInput),
        ("absent", None, 1, InvalidInput),
        (["absent"], "wrong type", 1, InvalidInput),
    ],
)
def test_a_bad_correction_changes_nothing(engine, status, reason, days_later, error):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson = lessons[0]
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, lesson, "present", today=lesson)
    before = _snapshot(world)
    with pytest.raises(error), world.tx() as s:
        correct_attendance(
            s,
            world.provider_user,
            enrollment_id,
            lesson,
            status,
            reason,
            today=lesson + timedelta(days=days_later),
        )
    assert _snapshot(world) == before


def test_an_unmarked_lesson_or_another_providers_child_answers_not_found(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    with world.tx() as s:
        mark_attendance(
            s, world.provider_user, enrollment_id, lessons[0], "present", today=lessons[0]
        )
        other = create_provider(s, municipality_id=world.municipality_id, name="X", kind="private")
        stranger = Actor.user(
            create_user(
                s,
                "stranger@example.org",
                "stranger-pass-1",
                roles=((Role.PROVIDER_OWNER, None, other.id),),
            ).id
        )
    before = _snapshot(world)
    for actor, enrollment, lesson in (
        (world.provider_user, enrollment_id, lessons[1]),  # never marked
        (stranger, enrollment_id, lessons[0]),
        (world.parent, enrollment_id, lessons[0]),
        (world.provider_user, 10**9, lessons[0]),
        (world.provider_user, "1", lessons[0]),
    ):
        with pytest.raises(NotFound), world.tx() as s:
            correct_attendance(s, actor, enrollment, lesson, "absent", "try", today=lessons[1])
    assert _snapshot(world) == before


def test_after_cancelling_a_refund_goes_back_to_the_balance_and_no_new_charge_is_taken(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson, later = lessons[0], lessons[1] + timedelta(days=1)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, lesson, "present", today=lesson)
        mark_attendance(s, world.provider_user, enrollment_id, lessons[1], "absent", today=later)
    with world.tx() as s:
        cancel_enrollment(s, world.parent, enrollment_id)
    available, _ = _money(world, enrollment_id)
    with world.tx() as s:
        refund = correct_attendance(
            s, world.provider_user, enrollment_id, lesson, "absent", "was away", today=later
        ).refunded_minor
    assert _money(world, enrollment_id) == (available + refund, 0)
    with pytest.raises(Conflict), world.tx() as s:
        correct_attendance(
            s, world.provider_user, enrollment_id, lessons[1], "present", "was here", today=later
        )
    assert_ledger_invariants(engine)


def test_a_closed_period_keeps_its_payments(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    lesson = lessons[0]
    with world.tx() as s:
        mark_attendance(s, world.provider_user, enrollment_id, lesson, "present", today=lesson)
    with world.tx() as s:
        close_period(s, SYSTEM, world.period_id)
    before = _snapshot(world)
    with pytest.raises(Conflict) as raised, world.tx() as s:
        correct_attendance(
            s, world.provider_user, enrollment_id, lesson, "absent", "late fix", today=lesson
        )
    assert raised.value.code == "correction_period_closed"
    assert _snapshot(world) == before


def test_corrections_then_completion_release_exactly_what_is_left(engine):
    world = build_world(engine)
    enrollment_id, lessons = _seated(world)
    for i, lesson in enumerate(lessons):
        with world.tx() as s:
            mark_attendance(s, world.provider_user, enrollment_id, lesson, "present", today=lesson)
        if i % 3 == 0:
            with world.tx() as s:
                correct_attendance(
                    s, world.provider_user, enrollment_id, lesson, "absent", "fix", today=lesson
                )
    with world.tx() as s:
        complete_enrollment(s, world.provider_user, enrollment_id)
    with read_session(engine) as s:
        enrollment = s.get(Enrollment, enrollment_id)
        charged = sum(a.charged_minor for a in s.exec(select(Attendance)).all())
    assert enrollment.captured_minor - enrollment.refunded_minor == charged
    assert enrollment.hold_remaining_minor == 0
    # every presence was paid in full: the corrections did not shrink the remaining lessons
    presences = sum(1 for i in range(len(lessons)) if i % 3)
    assert charged == presences * enrollment.certificate_share_minor // enrollment.funded_lessons
    assert_ledger_invariants(engine)


@pytest.mark.parametrize("to_status", ["present", "excused"])
def test_a_policy_change_after_marking_does_not_change_what_a_correction_moves(engine, to_status):
    """An absence charged under "absences cost full", corrected after the policy became "free"."""
    from navigator.domain.municipalities.api import set_policy

    world = build_world(engine, absence_charge="full")
    enrollment_id, lessons = _seated(world)
    lesson = lessons[0]
    with world.tx() as s:
        charged = mark_attendance(
            s, world.provider_user, enrollment_id, lesson, "absent", today=lesson
        ).charged_minor
        set_policy(
            s,
            SYSTEM,
            world.municipality_id,
            max_funded_enrollments=3,
            absence_charge="none",
            prorate_late_start=False,
            attendance_correction_days=7,
        )
    assert charged > 0
    with world.tx() as s:
        correct_attendance(
            s,
            world.provider_user,
            enrollment_id,
            lesson,
            to_status,
            "wrong mark",
            today=lesson + timedelta(days=1),
        )
    with read_session(engine) as s:
        enrollment = s.get(Enrollment, enrollment_id)
        paid = enrollment.captured_minor - enrollment.refunded_minor
    # present: the lesson stays paid once (no second capture); excused: it is refunded
    assert paid == (charged if to_status == "present" else 0)
    assert_ledger_invariants(engine)


class _Undo(Exception):
    """Raised at the end of a transaction to roll it back: every order starts afresh."""


def test_an_upload_of_marks_and_corrections_in_any_order_takes_its_locks_in_order(engine):
    """Every order of one upload's rows (a lesson marked and corrected in the same upload,
    an earlier mark corrected, another child on another account marked)
    applies as the rows say: a lock taken against the order (LockOrderError, an HTTP 500)
    would raise here, and the ledger matches the marks in every one."""
    world = build_world(engine)
    first, lessons = _seated(world)
    parent, child_id, _certificate, _account = world.add_parent_with_child()
    second = world.apply(child_id, world.group_id, parent)
    with world.tx() as s:
        accept_application(s, world.provider_user, second, today=world.today)
    earlier, lesson = lessons[0], lessons[1]
    today = lesson + timedelta(days=1)
    with world.tx() as s:
        mark_attendance(s, world.provider_user, first, earlier, "present", today=today)
    rows = [
        UploadedMark(first, lesson, "present"),
        UploadedMark(first, lesson, "excused", "ill"),
        UploadedMark(first, earlier, "excused", "ill"),
        UploadedMark(second, lesson, "present"),
    ]
    for order in itertools.permutations(rows):
        marks = {(first, earlier): "present"}  # what each row should find and leave
        expected = {"marked": 0, "corrected": 0, "unchanged": 0, "refused": []}
        for index, row in enumerate(order):
            found = marks.get((row.enrollment_id, row.lesson_date))
            if found is None:
                expected["marked"] += 1
            elif found == row.status:
                expected["unchanged"] += 1
                continue
            elif row.correction_reason is None:
                expected["refused"].append((index, "attendance_already_marked"))
                continue
            else:
                expected["corrected"] += 1
            marks[(row.enrollment_id, row.lesson_date)] = row.status
        with pytest.raises(_Undo), world.tx() as s:
            outcome = record_upload(
                s, world.provider_user, world.provider_id, list(order), today=today
            )
            assert {
                "marked": outcome.marked,
                "corrected": outcome.corrected,
                "unchanged": outcome.unchanged,
                "refused": [(i, error.code) for i, error in outcome.refused],
            } == expected, order
            s.flush()
            written = s.exec(select(Attendance)).all()
            assert {(a.enrollment_id, a.lesson_date): a.status for a in written} == marks
            for enrollment in s.exec(select(Enrollment)).all():
                charged = sum(a.charged_minor for a in written if a.enrollment_id == enrollment.id)
                assert enrollment.captured_minor - enrollment.refunded_minor == charged, order
            raise _Undo
    assert_ledger_invariants(engine)
