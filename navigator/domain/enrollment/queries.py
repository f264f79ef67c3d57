"""Reading enrollments: a provider's applications and monthly statement, a parent's
enrollments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as wide_select
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.queries import guardian_id_of
from navigator.domain.enrollment.models import (
    LIVE_ENROLLMENT,
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentOffer,
)
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.validation import is_row_id


@dataclass(frozen=True)
class ApplicationRow:
    enrollment_id: int
    status: str
    child_name: str
    child_birth_date: date
    program_title: str
    group_id: int
    group_name: str
    applied_at: Any
    funded: bool
    certificate_share_minor: int
    copayment_minor: int
    reason: str


def applications_of(session: Session, actor: Actor, provider_id: int) -> list[ApplicationRow]:
    """Every enrollment in the provider's groups, newest first, with the child it is for."""
    check_provider_staff(session, actor, provider_id)
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(Enrollment, Child, Group, Program)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(col(Program.provider_id) == provider_id)
        .order_by(col(Enrollment.id).desc())
    ).all()
    return [
        ApplicationRow(
            enrollment_id=e.id,
            status=e.status,
            child_name=f"{c.first_name} {c.last_name}",
            child_birth_date=c.birth_date,
            program_title=p.title,
            group_id=g.id,
            group_name=g.name,
            applied_at=e.applied_at,
            funded=e.funded,
            certificate_share_minor=e.certificate_share_minor,
            copayment_minor=e.copayment_minor,
            reason=e.reason or "",
        )
        for e, c, g, p in rows
    ]


@dataclass(frozen=True)
class StatementRow:
    group_id: int
    program_title: str
    group_name: str
    lessons: int  # lesson dates of the month with the register filled in
    attendances: int  # children present
    captured_minor: int  # paid from certificates
    copayments_minor: int  # due from parents


def monthly_statement(
    session: Session, actor: Actor, provider_id: int, year: int, month: int
) -> tuple[str, list[StatementRow]]:
    """The month's lessons and money by group, and the currency.

    A lesson the certificate paid for (present, or absent when the municipality charges
    absences) is charged; the parent owes the lesson's price less what the certificate paid.
    """
    check_provider_staff(session, actor, provider_id)
    if not (
        isinstance(year, int)
        and isinstance(month, int)
        and 2000 <= year <= 2100
        and 1 <= month <= 12
    ):
        raise InvalidInput("date_invalid", field="month")
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    provider = get_row(session, Provider, provider_id)
    assert provider is not None
    currency = get_row(session, Municipality, provider.municipality_id).currency  # type: ignore[union-attr]
    present = col(Attendance.status) == AttendanceStatus.PRESENT
    charged = present | (col(Attendance.charged_minor) > 0)
    owed = col(Enrollment.price_per_lesson_minor) - col(Attendance.charged_minor)
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(
            col(Group.id),
            col(Program.title),
            col(Group.name),
            func.count(func.distinct(col(Attendance.lesson_date))),
            func.sum(case((present, 1), else_=0)),
            func.sum(col(Attendance.charged_minor)),
            func.sum(case((charged & (owed > 0), owed), else_=0)),
        )
        .join(Enrollment, col(Enrollment.id) == Attendance.enrollment_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(
            col(Program.provider_id) == provider_id,
            col(Attendance.lesson_date) >= first,
            col(Attendance.lesson_date) < after,
        )
        .group_by(col(Group.id), col(Program.title), col(Group.name))
        .order_by(col(Program.title), col(Group.name), col(Group.id))
    ).all()
    return currency, [
        StatementRow(
            group_id=group_id,
            program_title=title,
            group_name=name,
            lessons=int(lessons),
            attendances=int(attendances or 0),
            captured_minor=int(captured or 0),
            copayments_minor=int(copayments or 0),
        )
        for group_id, title, name, lessons, attendances, captured, copayments in rows
    ]


def check_enrollment_of(session: Session, provider_id: int, enrollment_id: int) -> None:
    """NotFound unless the enrollment is in one of this provider's groups (an API key acts
    for one provider, even when its creator works for several)."""
    owner = (
        session.exec(
            select(Program.provider_id)
            .join(Group, col(Group.program_id) == Program.id)
            .join(Enrollment, col(Enrollment.group_id) == Group.id)
            .where(Enrollment.id == enrollment_id)
        ).first()
        if is_row_id(enrollment_id)
        else None
    )
    if owner is None or owner != provider_id:
        raise NotFound()


@dataclass(frozen=True)
class EnrollmentView:
    id: int
    child_name: str
    program_id: int
    program_title: str
    group_name: str
    timetable: list[dict[str, object]]
    starts_on: date
    ends_on: date
    status: str
    currency: str
    held_minor: int
    captured_minor: int  # paid for lessons so far, after any corrections' refunds
    hold_remaining_minor: int
    copayment_minor: int
    present: int
    marked: int
    can_cancel: bool
    reason: str = ""


def enrollments_of(session: Session, actor: Actor) -> list[EnrollmentView]:
    guardian_id = guardian_id_of(actor)
    present = func.sum(case((col(Attendance.status) == AttendanceStatus.PRESENT, 1), else_=0))
    counts = (
        select(
            col(Attendance.enrollment_id).label("enrollment_id"),
            present.label("present"),
            func.count().label("marked"),
        )
        .group_by(col(Attendance.enrollment_id))
        .subquery()
    )
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(
            Enrollment, Child, Group, Program, Municipality, counts.c.present, counts.c.marked
        )
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .outerjoin(counts, counts.c.enrollment_id == Enrollment.id)
        .where(col(Child.guardian_id) == guardian_id)
        .order_by(col(Enrollment.id).desc())
    ).all()
    return [
        EnrollmentView(
            id=enrollment.id,
            child_name=f"{child.first_name} {child.last_name}",
            program_id=program.id,
            program_title=program.title,
            group_name=group.name,
            timetable=list(group.timetable),
            starts_on=group.starts_on,
            ends_on=group.ends_on,
            status=enrollment.status,
            currency=municipality.currency,
            held_minor=enrollment.held_minor,
            captured_minor=enrollment.captured_minor - enrollment.refunded_minor,
            hold_remaining_minor=enrollment.hold_remaining_minor,
            copayment_minor=enrollment.copayment_minor,
            present=int(present_count or 0),
            marked=int(marked or 0),
            can_cancel=enrollment.status in LIVE_ENROLLMENT,
            reason=enrollment.reason or "",
        )
        for enrollment, child, group, program, municipality, present_count, marked in rows
        if enrollment.id is not None and program.id is not None
    ]


def cabinet_version(session: Session, actor: Actor) -> int:
    """A cheap fingerprint of what the cabinet shows: it changes when anything there moves."""
    guardian_id = guardian_id_of(actor)
    # an id no guardian can have is read as a family with nothing in its cabinet
    return cabinet_versions(session, [guardian_id]).get(guardian_id, _EMPTY_CABINET)


# guardians in one IN list: a thousand open cabinets never make one huge statement
GUARDIANS_PER_STATEMENT = 500


def cabinet_versions(session: Session, guardian_ids: list[int]) -> dict[int, int]:
    """The fingerprint of each guardian's cabinet (what `cabinet_version` is for one), in
    three statements per GUARDIANS_PER_STATEMENT guardians however many there are: every
    open cabinet of a worker is polled at once."""
    if not isinstance(guardian_ids, list | tuple | set | frozenset):
        return {}
    wanted = sorted({g for g in guardian_ids if is_row_id(g)})
    enrollments: dict[int, list[tuple[Any, ...]]] = {g: [] for g in wanted}
    marks: dict[int, int] = {}
    offers: dict[int, int] = {}
    for start in range(0, len(wanted), GUARDIANS_PER_STATEMENT):
        chunk = wanted[start : start + GUARDIANS_PER_STATEMENT]
        for guardian_id, *enrollment in session.exec(  # type: ignore[call-overload]
            wide_select(
                col(Child.guardian_id),
                col(Enrollment.id),
                col(Enrollment.status),
                col(Enrollment.held_minor),
                col(Enrollment.captured_minor),
                col(Enrollment.released_minor),
                col(Enrollment.refunded_minor),
            )
            .join(Child, col(Child.id) == Enrollment.child_id)
            .where(col(Child.guardian_id).in_(chunk))
            .order_by(col(Child.guardian_id), col(Enrollment.id))
        ):
            enrollments[guardian_id].append(tuple(enrollment))
        marks.update(
            session.exec(  # type: ignore[call-overload]
                wide_select(col(Child.guardian_id), func.count())
                .select_from(Attendance)
                .join(Enrollment, col(Enrollment.id) == Attendance.enrollment_id)
                .join(Child, col(Child.id) == Enrollment.child_id)
                .where(col(Child.guardian_id).in_(chunk))
                .group_by(col(Child.guardian_id))
            ).all()
        )
        offers.update(
            session.exec(  # type: ignore[call-overload]
                wide_select(col(Child.guardian_id), func.count())
                .select_from(EnrollmentOffer)
                .join(Child, col(Child.id) == EnrollmentOffer.child_id)
                .where(
                    col(Child.guardian_id).in_(chunk), col(EnrollmentOffer.decision) == "pending"
                )
                .group_by(col(Child.guardian_id))
            ).all()
        )
    return {
        g: _fingerprint((tuple(enrollments[g]), marks.get(g, 0), offers.get(g, 0))) for g in wanted
    }


def _fingerprint(figures: tuple[Any, ...]) -> int:
    """The same number in every worker process (Python's own hash of a text is seeded anew in
    each: a tab moved to another worker would reload for nothing)."""
    digest = hashlib.blake2b(repr(figures).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_EMPTY_CABINET = _fingerprint(((), 0, 0))  # no enrollment, no mark, no offer
