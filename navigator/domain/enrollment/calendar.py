"""A family's lessons: every lesson of every child of a parent, for the week view and the
calendar feed.

A lesson is a date of the timetable the municipality certified (`Group.as_certified`): the
register is kept on those dates and a certificate pays for them, so a change waiting for
review is not a lesson yet. A date already marked in the register stays a lesson. Times are
the municipality's local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select as wide_select
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_parent
from navigator.domain.accounts.models import Child
from navigator.domain.enrollment.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
)
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program, ProgramFormat
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_date

# Whose lessons a family sees. An application not decided yet shows as pending (the week
# view only: a subscribed calendar gets no lesson that may not happen); a waitlisted,
# cancelled or rejected one never; a completed one up to the day it ended.
SEATED = (EnrollmentStatus.ACCEPTED, EnrollmentStatus.ACTIVE)
PENDING = (EnrollmentStatus.APPLIED,)
ENDED = (EnrollmentStatus.COMPLETED,)
MAX_RANGE_DAYS = 800  # about two school years: the feed's window with room to spare


@dataclass(frozen=True)
class FamilyLesson:
    enrollment_id: int
    day: date
    starts_at: datetime | None  # aware, in the municipality's zone; None: hours not set yet
    ends_at: datetime | None
    child_id: int
    child_first_name: str  # never the surname: the feed leaves the site
    program_id: int
    program_title: str
    group_name: str
    address: str
    online: bool
    pending: bool  # an application the provider has not accepted yet
    mark: str  # "present", "absent", "excused", or "" while the lesson is not marked


@dataclass(frozen=True)
class FamilyWeek:
    monday: date
    today: date  # the family's municipality's own date
    lessons: list[FamilyLesson]

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]


def family_today(session: Session, actor: Actor) -> date:
    """Today where the family lives: the municipality of its first child (UTC with none)."""
    guardian_id = check_parent(session, actor)
    municipality = session.exec(
        select(Municipality)
        .join(Child, col(Child.municipality_id) == Municipality.id)
        .where(Child.guardian_id == guardian_id)
        .order_by(col(Child.id))
    ).first()
    return local_today(municipality) if municipality is not None else utcnow().date()


def family_week(
    session: Session, actor: Actor, day: date | None = None, *, today: date | None = None
) -> FamilyWeek:
    """The lessons of the week (Monday to Sunday) that holds `day`, this week by default."""
    check_parent(session, actor)
    today = today or family_today(session, actor)
    day = check_date(day, "start_date") if day is not None else today
    monday = day - timedelta(days=day.weekday())
    return FamilyWeek(
        monday, today, family_lessons(session, actor, monday, monday + timedelta(days=6))
    )


def family_lessons(
    session: Session, actor: Actor, first: date, last: date, *, with_pending: bool = True
) -> list[FamilyLesson]:
    """Every lesson of the parent's children from `first` to `last`, both included, in order."""
    guardian_id = check_parent(session, actor)
    first, last = check_date(first, "start_date"), check_date(last, "end_date")
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput("date_invalid", field="end_date")
    statuses = [*SEATED, *ENDED, *(PENDING if with_pending else ())]
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(Enrollment, Child, Group, Program, Municipality)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(col(Child.guardian_id) == guardian_id, col(Enrollment.status).in_(statuses))
        .order_by(col(Enrollment.id))
    ).all()
    marks: dict[tuple[int, date], str] = {
        (a.enrollment_id, a.lesson_date): a.status
        for a in session.exec(
            select(Attendance).where(
                col(Attendance.enrollment_id).in_([e.id for e, *_ in rows]),
                col(Attendance.lesson_date) >= first,
                col(Attendance.lesson_date) <= last,
            )
        ).all()
    }
    lessons = [
        lesson
        for enrollment, child, group, program, municipality in rows
        for lesson in _lessons(
            enrollment, child, group.as_certified(), program, municipality, first, last, marks
        )
    ]
    return sorted(
        lessons,
        key=lambda x: (
            x.day,
            x.starts_at.time() if x.starts_at else time.min,
            x.child_first_name,
            x.program_title,
            x.enrollment_id,
        ),
    )


def _lessons(
    enrollment: Enrollment,
    child: Child,
    group: Group,
    program: Program,
    municipality: Municipality,
    first: date,
    last: date,
    marks: dict[tuple[int, date], str],
) -> list[FamilyLesson]:
    """One enrollment's lessons in the window: its certified dates from the contract's first
    lesson (to the day it ended, once completed), and any date marked in the register."""
    zone = ZoneInfo(municipality.timezone)
    assert enrollment.id is not None and child.id is not None and program.id is not None
    slots = {int(s["weekday"]): (str(s["start"]), str(s["end"])) for s in group.timetable}
    excluded = set(group.excluded_dates)
    until = min(last, group.ends_on)
    if enrollment.status in ENDED and enrollment.ended_at is not None:
        until = min(until, enrollment.ended_at.astimezone(zone).date())
    since = max(first, group.starts_on, enrollment.contract_starts_on)
    days = {
        since + timedelta(days=n)
        for n in range((until - since).days + 1)
        if (since + timedelta(days=n)).isoweekday() in slots
        and (since + timedelta(days=n)).isoformat() not in excluded
    }
    days |= {d for (e, d) in marks if e == enrollment.id}
    shown = program.shown
    lessons = []
    for day in sorted(days):
        start, end = slots.get(day.isoweekday(), ("", ""))
        lessons.append(
            FamilyLesson(
                enrollment_id=enrollment.id,
                day=day,
                starts_at=_moment(day, start, zone),
                ends_at=_moment(day, end, zone),
                child_id=child.id,
                child_first_name=child.first_name,
                program_id=program.id,
                program_title=str(shown.get("title") or program.title),
                group_name=group.name,
                address=str(shown.get("address") or ""),
                online=shown.get("format") == ProgramFormat.ONLINE,
                pending=enrollment.status in PENDING,
                mark=marks.get((enrollment.id, day), ""),
            )
        )
    return lessons


def _moment(day: date, hours: str, zone: ZoneInfo) -> datetime | None:
    """The hours ("16:00") on the day, in the municipality's zone; None while not agreed."""
    if not hours:
        return None
    return datetime.combine(day, time.fromisoformat(hours), tzinfo=zone)
