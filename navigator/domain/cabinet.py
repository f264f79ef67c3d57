"""What a parent's cabinet shows: their children, certificates and enrollments, nothing else.

Every query starts from the guardian's own user id, so no other family's row can appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlalchemy import select as wide_select  # sqlmodel's select types four columns at most
from sqlmodel import Session, col, select

from navigator.domain.access import Actor
from navigator.domain.certificates import CertificateSummary, certificate_summary
from navigator.domain.errors import NotFound
from navigator.domain.models import (
    LIVE_ENROLLMENT,
    Attendance,
    AttendanceStatus,
    Certificate,
    Child,
    Enrollment,
    EnrollmentOffer,
    Group,
    Municipality,
    Program,
)


@dataclass(frozen=True)
class ChildView:
    id: int
    first_name: str
    last_name: str
    birth_date: date
    municipality_name: str
    currency: str
    certificate: CertificateSummary | None
    district: str = ""


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


def _guardian(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound()
    return actor.user_id


def children_of(session: Session, actor: Actor) -> list[ChildView]:
    guardian_id = _guardian(actor)
    rows = session.exec(
        select(Child, Municipality, col(Certificate.id))
        .join(Municipality, col(Municipality.id) == Child.municipality_id)
        .outerjoin(Certificate, col(Certificate.child_id) == Child.id)
        .where(Child.guardian_id == guardian_id)
        .order_by(col(Child.id))
    ).all()
    return [
        ChildView(
            id=child.id,
            first_name=child.first_name,
            last_name=child.last_name,
            birth_date=child.birth_date,
            municipality_name=municipality.name,
            currency=municipality.currency,
            district=child.district,
            certificate=certificate_summary(session, actor, certificate_id)
            if certificate_id
            else None,
        )
        for child, municipality, certificate_id in rows
        if child.id is not None
    ]


def enrollments_of(session: Session, actor: Actor) -> list[EnrollmentView]:
    guardian_id = _guardian(actor)
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
    guardian_id = _guardian(actor)
    enrollments = session.exec(  # type: ignore[call-overload]
        wide_select(
            col(Enrollment.id),
            col(Enrollment.status),
            col(Enrollment.held_minor),
            col(Enrollment.captured_minor),
            col(Enrollment.released_minor),
            col(Enrollment.refunded_minor),
        )
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(col(Child.guardian_id) == guardian_id)
        .order_by(col(Enrollment.id))
    ).all()
    marks = session.exec(
        select(func.count())
        .select_from(Attendance)
        .join(Enrollment, col(Enrollment.id) == Attendance.enrollment_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Child.guardian_id == guardian_id)
    ).one()
    offers = session.exec(
        select(func.count())
        .select_from(EnrollmentOffer)
        .join(Child, col(Child.id) == EnrollmentOffer.child_id)
        .where(col(Child.guardian_id) == guardian_id, col(EnrollmentOffer.decision) == "pending")
    ).one()
    return hash((tuple(tuple(row) for row in enrollments), marks, offers))
