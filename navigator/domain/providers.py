"""A provider's own work: sign-up, its programs and groups, applications, the register.

Every function takes the acting user and checks they are staff of the provider that owns
the row; another provider's id answers NotFound, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as wide_select  # sqlmodel's select types four columns at most
from sqlmodel import Session, col, select

from navigator.domain.access import Actor, check_provider_staff
from navigator.domain.accounts import create_user
from navigator.domain.calendar import lesson_dates, local_today
from navigator.domain.catalog import (
    ProgramFields,
    check_not_archived,
    clean_program,
    create_group,
    create_program,
    create_provider,
    group_terms,
    policy_of,
)
from navigator.domain.db import locked
from navigator.domain.enrollment import SEATED_ENROLLMENT, mark_attendance
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.models import (
    LIVE_ENROLLMENT,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    CertificationStatus,
    Child,
    Enrollment,
    Group,
    Membership,
    Municipality,
    Program,
    ProgramListing,
    Provider,
    Role,
    User,
    utcnow,
)
from navigator.domain.signin import SignedIn, start_session
from navigator.domain.validation import check_choice, check_text

STAFF_ROLES = (Role.PROVIDER_OWNER, Role.PROVIDER_STAFF)
MAX_REGISTER_ROWS = 60


def register_provider(
    session: Session,
    *,
    email: str,
    password: str,
    password_again: str,
    organisation: str,
    kind: str,
    licence_number: str,
    municipality_id: int,
    locale: str = "ru",
) -> SignedIn:
    """An organisation and its owner; it lists programs once the municipality admits it."""
    if password != password_again:
        raise InvalidInput("passwords_differ")
    if not isinstance(municipality_id, int) or session.get(Municipality, municipality_id) is None:
        raise InvalidInput("field_required", field="municipality_id")
    provider = create_provider(
        session,
        municipality_id=municipality_id,
        name=organisation,
        kind=kind,
        licence_number=licence_number,
    )
    user = create_user(
        session, email, password, locale=locale, roles=((Role.PROVIDER_OWNER, None, provider.id),)
    )
    assert user.id is not None
    return start_session(session, user.id, utcnow())


def providers_of(session: Session, actor: Actor) -> list[Provider]:
    """The organisations this user works for."""
    if actor.user_id is None:
        return []
    return list(
        session.exec(
            select(Provider)
            .join(Membership, col(Membership.provider_id) == Provider.id)
            .where(Membership.user_id == actor.user_id, col(Membership.role).in_(STAFF_ROLES))
            .order_by(col(Provider.id))
        ).all()
    )


def _program(session: Session, actor: Actor, program_id: int, *, lock: bool = False) -> Program:
    program = (
        (locked(session, Program, program_id) if lock else session.get(Program, program_id))
        if isinstance(program_id, int)
        else None
    )
    if program is None:
        raise NotFound()
    check_provider_staff(session, actor, program.provider_id)
    return program


def _group(
    session: Session, actor: Actor, group_id: int, *, lock: bool = False
) -> tuple[Group, Program]:
    group = (
        (locked(session, Group, group_id) if lock else session.get(Group, group_id))
        if isinstance(group_id, int)
        else None
    )
    if group is None:
        raise NotFound()
    return group, _program(session, actor, group.program_id)


def _back_to_review(program: Program) -> None:
    """A certified program that changes goes back to the municipality before it is paid again."""
    if program.certification_status == CertificationStatus.CERTIFIED:
        program.certification_status = CertificationStatus.SUBMITTED


def programs_of(session: Session, actor: Actor, provider_id: int) -> list[Program]:
    check_provider_staff(session, actor, provider_id)
    return list(
        session.exec(
            select(Program)
            .where(Program.provider_id == provider_id)
            .order_by(col(Program.id).desc())
        ).all()
    )


def program_for_staff(session: Session, actor: Actor, program_id: int) -> Program:
    return _program(session, actor, program_id)


def update_program(
    session: Session, actor: Actor, program_id: int, fields: ProgramFields
) -> Program:
    """Edit a program; a certified one returns to review (its price terms may have changed)."""
    program = _program(session, actor, program_id, lock=True)
    check_not_archived(program)
    cleaned = clean_program(replace(fields, external_id=program.external_id))
    changed = {k: v for k, v in cleaned.items() if getattr(program, k) != v}
    if not changed:
        return program
    for name, value in changed.items():
        setattr(program, name, value)
    _back_to_review(program)
    program.updated_at = utcnow()
    session.add(program)
    session.flush()
    return program


_LISTING_MOVES = {
    ProgramListing.LISTED: {ProgramListing.SUSPENDED},
    ProgramListing.SUSPENDED: {ProgramListing.LISTED, ProgramListing.ARCHIVED},
    ProgramListing.ARCHIVED: {ProgramListing.SUSPENDED},
}


def set_listing(
    session: Session, actor: Actor, program_id: int, listing: ProgramListing | str
) -> Program:
    """Pause a program (out of the catalog, contracts run on), resume it, archive or restore it.

    Only a paused program is archived, and only once no child is enrolled or waiting in any
    of its groups: an archived program is read-only. A restored one comes back paused.
    """
    target = ProgramListing(check_choice(listing, "listing", ProgramListing))
    program = _program(session, actor, program_id, lock=True)
    current = ProgramListing(program.listing)
    if target is current:
        return program
    if target not in _LISTING_MOVES[current]:
        raise Conflict("listing_transition", current=current.value, target=target.value)
    if target is ProgramListing.ARCHIVED:
        live = session.exec(
            select(func.count())
            .select_from(Enrollment)
            .join(Group, col(Group.id) == Enrollment.group_id)
            .where(Group.program_id == program_id, col(Enrollment.status).in_(LIVE_ENROLLMENT))
        ).one()
        if live:
            raise Conflict("archive_with_children", count=live)
    program.listing = target
    program.updated_at = utcnow()
    session.add(program)
    session.flush()
    return program


def groups_of(session: Session, actor: Actor, program_id: int) -> list[Group]:
    _program(session, actor, program_id)
    return list(
        session.exec(
            select(Group).where(Group.program_id == program_id).order_by(col(Group.id))
        ).all()
    )


def update_group(session: Session, actor: Actor, group_id: int, **terms: Any) -> Group:
    """New timetable, dates, seats or price. A new price on a certified program sends it to review;
    seats never drop below the children already seated."""
    group, _program_row = _group(session, actor, group_id, lock=True)
    program = _program(session, actor, group.program_id, lock=True)
    check_not_archived(program)
    cleaned = group_terms(program, **terms)
    if cleaned["seats"] < group.seats_taken:
        raise InvalidInput("import_seats_below_taken", taken=group.seats_taken)
    if cleaned["price_per_lesson_minor"] != group.price_per_lesson_minor:
        _back_to_review(program)
        session.add(program)
    for name, value in cleaned.items():
        setattr(group, name, value)
    session.add(group)
    session.flush()
    return group


def set_enrollment_open(session: Session, actor: Actor, group_id: int, is_open: bool) -> Group:
    group, program = _group(session, actor, group_id, lock=True)
    check_not_archived(program)
    group.enrollment_open = is_open is True
    session.add(group)
    session.flush()
    return group


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
class Register:
    """A group's attendance register: children × lesson dates."""

    group_id: int
    program_id: int
    dates: list[date]
    children: list[tuple[int, str]]  # (enrollment id, child's name)
    marks: dict[tuple[int, date], str]
    correctable_from: date  # marks of lessons on or after this date may still be corrected


def register_of(
    session: Session, actor: Actor, group_id: int, today: date | None = None
) -> Register:
    """Lesson dates up to today (the latest MAX_REGISTER_ROWS) and the seated children.

    Today is the municipality's own date unless given.
    """
    group, program = _group(session, actor, group_id)
    if today is None:
        today = local_today(session.get(Municipality, program.municipality_id))  # type: ignore[arg-type]
    dates = [d for d in lesson_dates(group) if d <= today][-MAX_REGISTER_ROWS:]
    seated = session.exec(
        select(Enrollment, Child)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Enrollment.group_id == group_id, col(Enrollment.status).in_(list(SEATED_ENROLLMENT)))
        .order_by(col(Child.last_name), col(Child.first_name))
    ).all()
    ids = [e.id for e, _c in seated if e.id is not None]
    marks = {
        (a.enrollment_id, a.lesson_date): a.status
        for a in session.exec(
            select(Attendance).where(col(Attendance.enrollment_id).in_(ids))
        ).all()
    }
    window = policy_of(session, program.municipality_id).attendance_correction_days
    return Register(
        group_id=group_id,
        program_id=program.id,  # type: ignore[arg-type]
        dates=dates,
        correctable_from=today - timedelta(days=window),
        children=[(e.id, f"{c.last_name} {c.first_name}") for e, c in seated if e.id is not None],
        marks=marks,
    )


def mark_lesson(
    session: Session,
    actor: Actor,
    group_id: int,
    lesson_date: date,
    statuses: dict[int, str],
    *,
    today: date | None = None,
) -> int:
    """Mark one date for several children of one group at once; the number newly marked.

    Children already marked for that date are left as they are (a correction is its own,
    audited step), so saving the same grid twice changes nothing.
    """
    _group(session, actor, group_id)
    if len(statuses) > 500:
        raise InvalidInput("value_too_large", field="statuses", max=500)
    marked = 0
    for enrollment_id, status in statuses.items():
        enrollment = (
            session.get(Enrollment, enrollment_id) if isinstance(enrollment_id, int) else None
        )
        if enrollment is None or enrollment.group_id != group_id:
            raise NotFound()
        if session.exec(
            select(func.count()).where(
                Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
            )
        ).one():
            continue
        mark_attendance(session, actor, enrollment_id, lesson_date, status, today=today)
        marked += 1
    return marked


@dataclass(frozen=True)
class CorrectionRow:
    lesson_date: date
    child_name: str
    from_status: str
    to_status: str
    reason: str
    refunded_minor: int
    captured_minor: int
    corrected_by: str
    corrected_at: datetime


def corrections_of(session: Session, actor: Actor, group_id: int) -> list[CorrectionRow]:
    """The group's audit trail of changed marks, newest first."""
    _group(session, actor, group_id)
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(AttendanceCorrection, Child, User)
        .join(Enrollment, col(Enrollment.id) == AttendanceCorrection.enrollment_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .outerjoin(User, col(User.id) == AttendanceCorrection.actor_id)
        .where(col(Enrollment.group_id) == group_id)
        .order_by(col(AttendanceCorrection.id).desc())
        .limit(200)
    ).all()
    return [
        CorrectionRow(
            lesson_date=c.lesson_date,
            child_name=f"{child.last_name} {child.first_name}",
            from_status=c.from_status,
            to_status=c.to_status,
            reason=c.reason,
            refunded_minor=c.refunded_minor,
            captured_minor=c.captured_minor,
            corrected_by=user.email if user is not None else "",
            corrected_at=c.corrected_at,
        )
        for c, child, user in rows
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
    provider = session.get(Provider, provider_id)
    assert provider is not None
    currency = session.get(Municipality, provider.municipality_id).currency  # type: ignore[union-attr]
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


def upsert_program(
    session: Session, actor: Actor, provider_id: int, external_id: str, fields: ProgramFields
) -> tuple[Program, bool]:
    """Create or update the provider's program with this external id; (program, created)."""
    check_provider_staff(session, actor, provider_id)
    external_id = check_text(external_id, "external_id", max_length=100)
    existing = session.exec(
        select(Program.id).where(
            Program.provider_id == provider_id, Program.external_id == external_id
        )
    ).first()
    if existing is not None:
        return update_program(session, actor, existing, fields), False
    program = create_program(session, actor, provider_id, replace(fields, external_id=external_id))
    return program, True


def upsert_group(
    session: Session,
    actor: Actor,
    provider_id: int,
    program_external_id: str,
    external_id: str,
    **terms: Any,
) -> tuple[Group, bool]:
    """Create or update the group with this external id in the provider's program; (group,
    created). The same rules as on screen: seats never below the children seated, a new
    price sends a certified program back to review."""
    check_provider_staff(session, actor, provider_id)
    program_external_id = check_text(program_external_id, "external_id", max_length=100)
    external_id = check_text(external_id, "external_id", max_length=100)
    program_id = session.exec(
        select(Program.id).where(
            Program.provider_id == provider_id, Program.external_id == program_external_id
        )
    ).first()
    if program_id is None:
        raise NotFound()
    existing = session.exec(
        select(Group.id).where(Group.program_id == program_id, Group.external_id == external_id)
    ).first()
    if existing is not None:
        return update_group(session, actor, existing, **terms), False
    group = create_group(session, actor, program_id, **terms)
    group.external_id = external_id
    session.add(group)
    session.flush()
    return group, True


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
        if isinstance(enrollment_id, int)
        else None
    )
    if owner is None or owner != provider_id:
        raise NotFound()
