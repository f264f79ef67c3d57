"""What one register save costs the database: a class of 30 marked present in one save is a
handful of statements for the whole class, not a score of them for every child, and still
writes every child's mark, capture, ledger entry and notification."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_lesson
from navigator.domain.enrollment.models import Attendance, Enrollment, EnrollmentStatus
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.models import Notification
from tests.factories import build_world
from tests.support.invariants import assert_ledger_invariants
from tests.support.parallel import run_in_parallel

CLASS = 30
# Measured on one save of 30: 636 statements (635 on PostgreSQL) while every child was
# checked and marked on its own, 21 a child. As one batch: 11 reads and updates for the
# whole class (12 with SQLite's BEGIN IMMEDIATE), and one INSERT per table on PostgreSQL.
# SQLite cannot promise the order of the ids a multi-row INSERT returns, so there the ORM
# inserts the mark, the ledger entry and the notification one row at a time: 3 a child.
# The bounds leave room for a check or two more, never for a query per child.
MOST_OTHER_STATEMENTS = 16
INSERTS_PER_CHILD_SQLITE = 3


def _within_bounds(engine, statements: list[str], marked: int) -> None:
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    others = [s for s in statements if s not in inserts]
    assert len(others) <= MOST_OTHER_STATEMENTS, "\n".join(others)
    most_inserts = (
        INSERTS_PER_CHILD_SQLITE * marked if engine.dialect.name == "sqlite" else 3
    )  # PostgreSQL: one multi-row INSERT for each of attendance, ledger_entry, notification
    assert len(inserts) <= most_inserts, "\n".join(inserts)


def _class_of(world, size: int) -> list[tuple[int, int]]:
    """`size` funded children seated in the world's group: (enrollment id, guardian id)."""
    seated = []
    for _ in range(size):
        parent, child_id, _certificate, _account = world.add_parent_with_child()
        enrollment_id = world.apply(child_id=child_id, parent=parent)
        with world.tx() as s:
            accept_application(s, world.provider_user, enrollment_id, today=world.today)
        seated.append((enrollment_id, parent.user_id))
    return seated


def _statements_of(engine, work) -> tuple[object, list[str]]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, seen


def test_a_register_of_thirty_is_saved_in_a_few_statements_and_writes_every_capture(engine):
    world = build_world(engine, seats=CLASS)
    seated = _class_of(world, CLASS)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    grid = {enrollment_id: "present" for enrollment_id, _guardian in seated}

    def save() -> int:
        with world.tx() as s:
            return mark_lesson(
                s, world.provider_user, world.group_id, lessons[0], grid, today=lessons[0]
            )

    marked, statements = _statements_of(engine, save)
    assert marked == CLASS
    _within_bounds(engine, statements, CLASS)

    ids = list(grid)
    with read_session(engine) as s:
        marks = s.exec(select(Attendance).where(col(Attendance.enrollment_id).in_(ids))).all()
        assert {m.enrollment_id for m in marks} == set(ids)
        assert all(m.charged_minor > 0 and m.lesson_date == lessons[0] for m in marks)
        captures = s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.CAPTURE)).all()
        # one capture a mark, for the mark's amount, under the key a single mark would use
        assert sorted((c.attendance_id, c.amount_minor) for c in captures) == sorted(
            (m.id, m.charged_minor) for m in marks
        )
        assert {c.idempotency_key for c in captures} == {
            f"capture:{e}:{lessons[0].isoformat()}" for e in ids
        }
        assert all(c.actor_id == world.provider_user.user_id for c in captures)
        # each guardian is told of their own child's capture, and of nothing else
        told = s.exec(select(Notification).where(Notification.kind == "certificate.capture")).all()
        entry_of = {c.enrollment_id: c for c in captures}
        assert sorted(n.user_id for n in told) == sorted(g for _e, g in seated)
        for enrollment_id, guardian in seated:
            note = next(n for n in told if n.payload["enrollment_id"] == enrollment_id)
            assert note.user_id == guardian
            assert note.payload["entry_id"] == entry_of[enrollment_id].id
            assert note.payload["amount_minor"] == entry_of[enrollment_id].amount_minor
        for enrollment in s.exec(select(Enrollment).where(col(Enrollment.id).in_(ids))).all():
            assert enrollment.status == EnrollmentStatus.ACTIVE
            assert enrollment.lessons_charged == 1
            assert enrollment.captured_minor == entry_of[enrollment.id].amount_minor
    assert_ledger_invariants(engine)

    # the same grid saved again marks nothing, moves nothing, and costs no more
    again, statements = _statements_of(engine, save)
    assert again == 0
    _within_bounds(engine, statements, 0)
    with read_session(engine) as s:
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all()) == CLASS


def test_a_register_saved_as_one_batch_keeps_every_rule_of_a_single_mark(engine):
    """Absences paid where the municipality says so, an excused lesson free, and a grid
    with a place of another group, a bad status or a date ahead refused whole."""
    world = build_world(engine, absence_charge="full")
    seated = _class_of(world, 3)
    (present, _g1), (absent, _g2), (excused, _g3) = seated
    other_group = world.add_group()
    parent, child_id, _certificate, _account = world.add_parent_with_child()
    stranger = world.apply(child_id=child_id, group_id=other_group, parent=parent)
    with world.tx() as s:
        accept_application(s, world.provider_user, stranger, today=world.today)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    grid = {present: "present", absent: "absent", excused: "excused"}
    refused = [
        ({**grid, stranger: "present"}, lessons[0], NotFound),
        ({**grid, excused: "asleep"}, lessons[0], InvalidInput),
        (grid, lessons[1], InvalidInput),  # ahead of the register's today
    ]
    for statuses, day, error in refused:
        with pytest.raises(error), world.tx() as s:
            mark_lesson(s, world.provider_user, world.group_id, day, statuses, today=lessons[0])
    with read_session(engine) as s:
        assert s.exec(select(Attendance)).all() == []
        assert s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all() == []

    with world.tx() as s:
        assert (
            mark_lesson(s, world.provider_user, world.group_id, lessons[0], grid, today=lessons[0])
            == 3
        )
    with read_session(engine) as s:
        charged = {a.enrollment_id: a.charged_minor for a in s.exec(select(Attendance)).all()}
        captures = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all()
    assert charged[present] > 0 and charged[absent] > 0 and charged[excused] == 0
    assert sorted(c.enrollment_id for c in captures) == sorted([present, absent])
    assert_ledger_invariants(engine)


def test_two_registers_sharing_children_in_opposite_orders_both_save(engine):
    """Ten children in two groups, their places in one group in the order of their
    accounts and in the other in the reverse order: both registers saved at once lock the
    accounts in the same (id) order, so neither waits for the other in a circle."""
    world = build_world(engine)
    second_group = world.add_group()
    children = [world.add_parent_with_child() for _ in range(10)]
    places: dict[int, list[int]] = {world.group_id: [], second_group: []}
    for group_id, family in ((world.group_id, children), (second_group, children[::-1])):
        for parent, child_id, _certificate, _account in family:
            enrollment_id = world.apply(child_id=child_id, group_id=group_id, parent=parent)
            with world.tx() as s:
                accept_application(s, world.provider_user, enrollment_id, today=world.today)
            places[group_id].append(enrollment_id)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
        assert lessons == lesson_dates(s.get(Group, second_group))

    def save(group_id: int):
        def call(s) -> None:
            marked = mark_lesson(
                s,
                world.provider_user,
                group_id,
                lessons[0],
                dict.fromkeys(places[group_id], "present"),
                today=lessons[0],
            )
            assert marked == 10

        return call

    for _round in range(3):  # the first save might just be lucky with its timing
        assert run_in_parallel(engine, [save(world.group_id), save(second_group)]) == Counter(
            {"ok": 2}
        )
        lessons = lessons[1:]
    with read_session(engine) as s:
        assert len(s.exec(select(LedgerEntry).where(LedgerEntry.kind == "capture")).all()) == 60
    assert_ledger_invariants(engine)
