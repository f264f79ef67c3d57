"""An e-journal's upload writes its new marks as a register does, in a few statements for the
whole upload, and still does exactly what marking its rows one by one did: the same rows
marked, left, corrected and refused (with the same reasons), the same ledger, the same
notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application, cancel_enrollment
from navigator.domain.enrollment.attendance import (
    UploadedMark,
    UploadOutcome,
    _lock_upload,
    mark_attendance,
    record_attendance,
    record_upload,
)
from navigator.domain.enrollment.models import Attendance, AttendanceCorrection, Enrollment
from navigator.domain.enrollment.queries import check_enrollment_of
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Busy, DomainError
from navigator.domain.shared.models import Notification
from tests.domain.enrollment.test_register_cost import _class_of, _statements_of
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants

CLASS = 30
# Measured on one upload of 30 new marks on PostgreSQL: 600-odd statements while every row
# was checked and marked on its own (a savepoint, the provider's check, five reads, a lock,
# the mark, a ledger post: about 20 a row). Checked row by row but written as a register:
# 12 reads, locks and updates for the whole upload (13 with SQLite's BEGIN IMMEDIATE), and
# one multi-row INSERT per table on PostgreSQL (SQLite inserts rows one at a time: the mark,
# its ledger entry, its notification). The bounds leave room for a check or two more, never
# for a query per row.
MOST_OTHER_STATEMENTS = 16
INSERTS_PER_MARK_SQLITE = 3


def _within_bounds(engine, statements: list[str], marked: int) -> None:
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    others = [s for s in statements if s not in inserts]
    assert len(others) <= MOST_OTHER_STATEMENTS, "\n".join(others)
    most_inserts = INSERTS_PER_MARK_SQLITE * marked if engine.dialect.name == "sqlite" else 3
    assert len(inserts) <= most_inserts, "\n".join(inserts)


class _Undo(Exception):
    """Raised at the end of a transaction to roll it back: the next run starts afresh."""


def test_an_upload_of_thirty_new_marks_costs_a_few_statements_and_writes_every_capture(engine):
    world = build_world(engine, seats=CLASS)
    seated = _class_of(world, CLASS)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    rows = [UploadedMark(e, lessons[0], "present") for e, _guardian in seated]

    def upload() -> UploadOutcome:
        with world.tx() as s:
            return record_upload(s, world.provider_user, world.provider_id, rows, today=lessons[0])

    outcome, statements = _statements_of(engine, upload)
    assert (outcome.marked, outcome.unchanged, outcome.refused) == (CLASS, 0, [])
    _within_bounds(engine, statements, CLASS)
    with read_session(engine) as s:
        marks = s.exec(select(Attendance)).all()
        captures = s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.CAPTURE)).all()
        told = s.exec(select(Notification).where(Notification.kind == "certificate.capture")).all()
        places = s.exec(select(Enrollment)).all()
    assert sorted(m.enrollment_id for m in marks) == sorted(e for e, _g in seated)
    assert all(m.charged_minor > 0 and m.marked_by_id == world.provider_user.user_id for m in marks)
    # one capture a mark, for the mark's amount, under the key a single mark would use
    assert sorted((c.attendance_id, c.amount_minor) for c in captures) == sorted(
        (m.id, m.charged_minor) for m in marks
    )
    assert {c.idempotency_key for c in captures} == {
        f"capture:{e}:{lessons[0].isoformat()}" for e, _g in seated
    }
    assert sorted(n.user_id for n in told) == sorted(g for _e, g in seated)
    charged = {m.enrollment_id: m.charged_minor for m in marks}
    for place in places:
        assert (place.status, place.lessons_charged) == ("active", 1)
        assert place.captured_minor == charged[place.id]
    assert_ledger_invariants(engine)

    # the same upload again finds every row as it is: nothing moves, and it costs no more
    again, statements = _statements_of(engine, upload)
    assert (again.marked, again.unchanged, again.refused) == (0, CLASS, [])
    _within_bounds(engine, statements, 0)
    with read_session(engine) as s:
        now = s.exec(select(Attendance)).all()
        assert sorted((m.id, m.status, m.charged_minor) for m in now) == sorted(
            (m.id, m.status, m.charged_minor) for m in marks
        )
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all()) == CLASS


def _row_by_row(
    session: Session,
    actor: Actor,
    provider_id: int,
    marks: list[UploadedMark],
    today: date | None,
) -> UploadOutcome:
    """The upload as it was written before its new marks were batched: the same locks first,
    then each row on its own in a savepoint, exactly as `record_attendance` takes one mark."""
    _lock_upload(session, provider_id, marks)
    outcome = UploadOutcome()
    for index, mark in enumerate(marks):
        try:
            with session.begin_nested():
                check_enrollment_of(session, provider_id, mark.enrollment_id)
                done = record_attendance(
                    session,
                    actor,
                    mark.enrollment_id,
                    mark.lesson_date,
                    mark.status,
                    correction_reason=mark.correction_reason,
                    today=today,
                )
        except Busy:
            raise
        except DomainError as error:
            outcome.refused.append((index, error))
            continue
        setattr(outcome, done, getattr(outcome, done) + 1)
    return outcome


# what the transaction holds, read again: not the objects the session already has
FRESH = {"populate_existing": True}


def _world_after(s: Session, ledger_from: int, notes_from: int) -> dict:
    """Everything an upload can change, without the ids a run draws from the database's
    sequences (a rolled-back run on PostgreSQL still used some): marks by place and date,
    the new ledger entries and notifications in the order written, each naming the mark,
    correction or entry it is about by what it is."""
    marks = s.exec(select(Attendance).order_by(col(Attendance.id)).execution_options(**FRESH)).all()
    lesson_of = {m.id: (m.enrollment_id, m.lesson_date) for m in marks}
    corrections = s.exec(
        select(AttendanceCorrection)
        .order_by(col(AttendanceCorrection.id))
        .execution_options(**FRESH)
    ).all()
    corrected = {c.id: (c.enrollment_id, c.lesson_date) for c in corrections}
    entries = s.exec(
        select(LedgerEntry)
        .where(LedgerEntry.id > ledger_from)
        .order_by(col(LedgerEntry.id))
        .execution_options(**FRESH)
    ).all()
    position = {e.id: n for n, e in enumerate(entries)}

    def key(entry: LedgerEntry) -> str:
        head, _colon, tail = entry.idempotency_key.rpartition(":")
        if head.endswith(":correction") and tail.isdigit():  # ...:correction:<its id>
            return f"{head}:{corrected[int(tail)]}"
        return entry.idempotency_key

    notes = s.exec(
        select(Notification)
        .where(Notification.id > notes_from)
        .order_by(col(Notification.id))
        .execution_options(**FRESH)
    ).all()
    return {
        "marks": {
            (m.enrollment_id, m.lesson_date): (m.status, m.charged_minor, m.marked_by_id)
            for m in marks
        },
        "corrections": [
            (
                c.enrollment_id,
                c.lesson_date,
                c.from_status,
                c.to_status,
                c.reason,
                c.refunded_minor,
                c.captured_minor,
            )
            for c in corrections
        ],
        "entries": [
            (
                e.kind,
                e.amount_minor,
                e.account_id,
                e.enrollment_id,
                lesson_of.get(e.attendance_id),
                key(e),
                e.actor_id,
                e.note,
            )
            for e in entries
        ],
        "notifications": [
            (
                n.user_id,
                n.kind,
                {
                    name: position.get(value) if name.endswith("entry_id") else value
                    for name, value in n.payload.items()
                },
            )
            for n in notes
        ],
        "places": [
            (
                p.id,
                p.status,
                p.held_minor,
                p.captured_minor,
                p.released_minor,
                p.refunded_minor,
                p.lessons_charged,
            )
            for p in s.exec(
                select(Enrollment).order_by(col(Enrollment.id)).execution_options(**FRESH)
            ).all()
        ],
        "accounts": [
            (a.id, a.available_minor, a.held_minor, a.captured_minor, a.refunded_minor)
            for a in s.exec(
                select(CertificateAccount)
                .order_by(col(CertificateAccount.id))
                .execution_options(**FRESH)
            ).all()
        ],
    }


def _run(world, upload, rows, today, ledger_from: int, notes_from: int) -> tuple[tuple, dict]:
    """One upload in a transaction rolled back after: what it answered and left."""
    with pytest.raises(_Undo), world.tx() as s:
        outcome = upload(s, world.provider_user, world.provider_id, rows, today=today)
        s.flush()
        answered = (
            outcome.marked,
            outcome.corrected,
            outcome.unchanged,
            [(index, error.code, error.params) for index, error in outcome.refused],
        )
        after = _world_after(s, ledger_from, notes_from)
        raise _Undo
    return answered, after


def _marks_so_far(engine) -> tuple[int, int]:
    """The last ledger entry's and notification's ids: what an upload adds comes after."""
    with read_session(engine) as s:
        ledger_from = s.exec(select(func.max(LedgerEntry.id))).one() or 0
        notes_from = s.exec(select(func.max(Notification.id))).one() or 0
    return ledger_from, notes_from


def test_a_mixed_upload_does_exactly_what_marking_its_rows_one_by_one_did(engine):
    """New marks (present, a paid absence, a free excused lesson; a child's places in two
    groups on one account), a row found as it is, a different mark without a reason, a
    correction, a lesson marked and corrected in the same upload, the same row twice, another
    provider's child, an unknown place, a date that is not a date, a lesson ahead of today,
    a day with no lesson, a bad status, a correction whose window closed, a cancelled
    child: the batched upload and the row-by-row one answer alike and leave the same world."""
    world = build_world(engine, absence_charge="full", seats=10)
    second_group = world.add_group()
    seated = _class_of(world, 6)
    (first, guardian), (second, _), (third, _), (fourth, _), (cancelled, _), (sixth, _) = seated
    with read_session(engine) as s:  # the first child also in the second group: one account
        child_id = s.get(Enrollment, first).child_id
    elsewhere = world.apply(child_id, second_group, Actor.user(guardian))
    with world.tx() as s:
        accept_application(s, world.provider_user, elsewhere, today=world.today)
    with world.tx() as s:
        cancel_enrollment(s, world.provider_user, cancelled, by_guardian=False)
    other = build_world(engine, today=world.today)
    theirs = other.apply()
    with other.tx() as s:
        accept_application(s, other.provider_user, theirs, today=other.today)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
        assert lessons == lesson_dates(s.get(Group, second_group))
    today = lessons[4]  # a Monday, two weeks in; the lessons of the last week still correctable
    for place, lesson in ((first, lessons[0]), (second, lessons[3])):
        with world.tx() as s:
            mark_attendance(s, world.provider_user, place, lesson, "present", today=today)
    with other.tx() as s:
        mark_attendance(s, other.provider_user, theirs, lessons[4], "present", today=today)
    no_lesson = lessons[4] - timedelta(days=1)  # a Sunday

    rows = [
        UploadedMark(first, lessons[4], "present"),  # marked
        UploadedMark(second, lessons[4], "absent"),  # marked: an absence is paid here
        UploadedMark(third, lessons[4], "excused"),  # marked, free
        UploadedMark(first, lessons[0], "present"),  # unchanged
        UploadedMark(first, lessons[0], "absent"),  # already marked
        UploadedMark(second, lessons[3], "excused", "Болел"),  # corrected: refund, held again
        UploadedMark(theirs, lessons[4], "absent"),  # another provider's: not found
        UploadedMark(third, "2026-09-21", "present"),  # type: ignore[arg-type]  # not a date
        UploadedMark(third, lessons[5], "present"),  # ahead of today
        UploadedMark(fourth, no_lesson, "present"),  # not a lesson
        UploadedMark(elsewhere, lessons[4], "present"),  # marked: the same account again
        UploadedMark(fourth, lessons[4], "present"),  # marked, then corrected below
        UploadedMark(fourth, lessons[4], "excused", "Ошибка"),  # corrected
        UploadedMark(third, lessons[4], "excused"),  # the same row again: unchanged
        UploadedMark(fourth, lessons[3], "asleep"),  # not a status
        UploadedMark(first, lessons[0], "excused", "Ошибка"),  # the window closed
        UploadedMark(999_999, lessons[4], "present"),  # no such place
        UploadedMark(cancelled, lessons[4], "present"),  # not enrolled any more
        UploadedMark(second, lessons[1], "present"),  # marked, after the corrections
        UploadedMark(fourth, lessons[3], "present"),  # marked
        UploadedMark(fourth, date(2001, 1, 1), "present"),  # before the contract
        UploadedMark(sixth, lessons[4], "present"),  # marked (queued)
        UploadedMark(sixth, lessons[4], "asleep", "Ошибка"),  # its correction refused
        UploadedMark(sixth, lessons[3], "present"),  # the same place marked after it
        UploadedMark(elsewhere, lessons[3], "excused"),  # marked, free
        UploadedMark(first, lessons[3], "present"),  # marked (queued): the same account
        UploadedMark(elsewhere, lessons[3], "present", "Был"),  # corrected: now charged
    ]
    expected_refusals = [
        (4, "attendance_already_marked"),
        (6, "not_found"),
        (7, "date_invalid"),
        (8, "attendance_in_future"),
        (9, "attendance_not_a_lesson"),
        (14, "field_not_allowed"),
        (15, "correction_window_closed"),
        (16, "not_found"),
        (17, "attendance_not_enrolled"),
        (20, "attendance_not_a_lesson"),
        (22, "field_not_allowed"),
    ]
    ledger_from, notes_from = _marks_so_far(engine)
    with read_session(engine) as s:
        before = _world_after(s, ledger_from, notes_from)

    batched = _run(world, record_upload, rows, today, ledger_from, notes_from)
    one_by_one = _run(world, _row_by_row, rows, today, ledger_from, notes_from)
    marked, corrected, unchanged, refused = batched[0]
    assert [(index, code) for index, code, _params in refused] == expected_refusals
    assert (marked, corrected, unchanged) == (11, 3, 2)
    assert batched == one_by_one
    entries = batched[1]["entries"]
    assert [kind for kind, *_rest in entries] == [
        "capture",  # the first child's lesson
        "capture",  # the second's paid absence
        "refund",  # the second's corrected lesson, refunded and held again
        "hold",
        "capture",  # the first child's other place, on the same account
        "capture",  # the fourth child's lesson, then its correction
        "refund",
        "hold",
        "capture",  # the second child's earlier lesson
        "capture",  # the fourth child's earlier lesson
        "capture",  # the sixth child's lesson (its correction refused), then its earlier one
        "capture",
        "capture",  # the first child's earlier lesson, then the other place's, corrected
        "capture",
    ]
    # nothing of the other provider's changed: their child's mark and place are as they were
    assert batched[1]["marks"][theirs, lessons[4]] == before["marks"][theirs, lessons[4]]
    assert [p for p in batched[1]["places"] if p[0] == theirs] == [
        p for p in before["places"] if p[0] == theirs
    ]
    assert_ledger_invariants(engine)
    # the API's path, no today given (each child's municipality's own): alike too
    assert _run(world, record_upload, rows, None, ledger_from, notes_from) == _run(
        world, _row_by_row, rows, None, ledger_from, notes_from
    )
    # and the upload once for real: committed, it leaves what it showed, and a sound ledger
    with world.tx() as s:
        outcome = record_upload(s, world.provider_user, world.provider_id, rows, today=today)
    assert (outcome.marked, outcome.corrected, outcome.unchanged) == (marked, corrected, unchanged)
    assert [(i, e.code, e.params) for i, e in outcome.refused] == refused
    with read_session(engine) as s:
        assert _world_after(s, ledger_from, notes_from) == batched[1]
    assert_ledger_invariants(engine)


def test_a_capture_the_ledger_refuses_in_a_batch_refuses_its_row_only(engine):
    """An account whose hold drifted below its place's (released by hand, the ledger still
    sound): its row of a 30-row upload is refused with the ledger's reason, the batch it was
    in is recorded row by row instead, and every other row is marked and charged, exactly as
    marking the rows one by one did; no error escapes the upload."""
    world = build_world(engine, seats=CLASS)
    seated = _class_of(world, CLASS)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
        drifted, drifted_guardian = seated[17]
        account_id = s.get(Enrollment, drifted).account_id
        held = s.get(CertificateAccount, account_id).held_minor
    with world.tx() as s:  # the account's hold released, its place still holding its share
        ledger.post(
            s,
            account_id,
            EntryKind.RELEASE,
            held,
            f"drift:{account_id}",
            actor_id=None,
            notify_user_id=None,
        )
    rows = [UploadedMark(e, lessons[0], "present") for e, _guardian in seated[:20]]
    rows += [
        UploadedMark(seated[5][0], lessons[0], "present"),  # the same row again: unchanged
        UploadedMark(seated[6][0], lessons[0], "absent"),  # marked a moment ago: refused
        UploadedMark(seated[3][0], lessons[0], "excused", "Болел"),  # saves the batch first
    ]
    rows += [UploadedMark(e, lessons[0], "present") for e, _guardian in seated[20:]]
    ledger_from, notes_from = _marks_so_far(engine)

    batched = _run(world, record_upload, rows, lessons[0], ledger_from, notes_from)
    one_by_one = _run(world, _row_by_row, rows, lessons[0], ledger_from, notes_from)
    marked, corrected, unchanged, refused = batched[0]
    assert [(index, code) for index, code, _params in refused] == [
        (17, "capture_exceeds_hold"),
        (21, "attendance_already_marked"),
    ]
    assert (marked, corrected, unchanged) == (CLASS - 1, 1, 1)
    assert batched == one_by_one
    assert (drifted, lessons[0]) not in batched[1]["marks"]
    assert drifted_guardian not in {user for user, _kind, _payload in batched[1]["notifications"]}

    with world.tx() as s:  # for real this time
        outcome = record_upload(s, world.provider_user, world.provider_id, rows, today=lessons[0])
    assert [(i, e.code, e.params) for i, e in outcome.refused] == refused
    assert (outcome.marked, outcome.corrected, outcome.unchanged) == (CLASS - 1, 1, 1)
    with read_session(engine) as s:
        assert _world_after(s, ledger_from, notes_from) == batched[1]
    assert_ledger_invariants(engine)
