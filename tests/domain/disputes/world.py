"""A charged lesson to dispute: the factory's world, its child seated and marked present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.enrollment.api import accept_application
from navigator.domain.enrollment.attendance import mark_attendance
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.db import read_session
from tests.factories import PASSWORD, World, _seq, build_world


@dataclass
class Charged:
    world: World
    enrollment_id: int
    lessons: list[date]
    entry_id: int  # the capture of the first lesson
    charge: int
    admin: Actor  # the municipality's administrator


def noon(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def charge_lesson(world: World, enrollment_id: int, lesson: date, status: str = "present") -> int:
    """Marks the lesson; the id of its capture entry."""
    with world.tx() as s:
        attendance = mark_attendance(
            s, world.provider_user, enrollment_id, lesson, status, today=lesson
        )
        attendance_id = attendance.id
    with read_session(world.engine) as s:
        return s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.attendance_id == attendance_id, LedgerEntry.kind == EntryKind.CAPTURE
            )
        ).one()


def municipality_admin(world: World) -> Actor:
    with world.tx() as s:
        user = create_user(
            s,
            f"admin{next(_seq)}@example.org",
            PASSWORD,
            roles=((Role.MUNICIPALITY_ADMIN, world.municipality_id, None),),
        )
        return Actor.user(user.id)


def build_charged(engine, **kwargs) -> Charged:
    world = build_world(engine, **kwargs)
    enrollment_id = world.apply()
    with world.tx() as s:
        accept_application(s, world.provider_user, enrollment_id, today=world.today)
    with read_session(engine) as s:
        lessons = lesson_dates(s.get(Group, world.group_id))
    entry_id = charge_lesson(world, enrollment_id, lessons[0])
    with read_session(engine) as s:
        charge = s.get(LedgerEntry, entry_id).amount_minor
    return Charged(world, enrollment_id, lessons, entry_id, charge, municipality_admin(world))
