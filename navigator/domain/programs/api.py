"""A provider's programs and groups: creating, editing, pausing and archiving them.

Every function takes the acting user and checks they are staff of the provider that owns
the row; another provider's id answers NotFound, exactly like a missing one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff
from navigator.domain.enrollment.models import LIVE_ENROLLMENT, Enrollment
from navigator.domain.enrollment.waitlist import promote_waitlist
from navigator.domain.municipalities.models import Municipality
from navigator.domain.notifications import fanout
from navigator.domain.programs.models import (
    CertificationStatus,
    Direction,
    Group,
    Program,
    ProgramFormat,
    ProgramListing,
)
from navigator.domain.programs.timetable import clean_timetable, lesson_dates
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import (
    check_age_range,
    check_choice,
    check_coordinates,
    check_date,
    check_date_range,
    check_non_negative,
    check_not_in_past,
    check_positive,
    check_text,
)

MAX_GROUP_DAYS = 731  # a group runs at most two years


MAX_SEATS = 10_000


@dataclass(frozen=True)
class ProgramFields:
    title: str
    direction: str
    age_min: int
    age_max: int
    language: str
    description: str = ""
    format: str = ProgramFormat.IN_PERSON
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    tags: str = ""
    is_free: bool = False
    external_id: str | None = None


def clean_program(fields: ProgramFields) -> dict[str, Any]:
    check_age_range(fields.age_min, fields.age_max)
    check_coordinates(fields.latitude, fields.longitude)
    return {
        "title": check_text(fields.title, "title", max_length=200),
        "description": check_text(
            fields.description, "description", max_length=10_000, required=False
        ),
        "direction": check_choice(fields.direction, "direction", Direction),
        "age_min": fields.age_min,
        "age_max": fields.age_max,
        "language": check_choice(fields.language, "language", Language),
        "format": check_choice(fields.format, "format", ProgramFormat),
        "address": check_text(fields.address, "address", max_length=300, required=False),
        "latitude": fields.latitude,
        "longitude": fields.longitude,
        "tags": check_text(fields.tags, "tags", max_length=500, required=False),
        "is_free": bool(fields.is_free),
        "external_id": fields.external_id,
    }


def create_program(
    session: Session, actor: Actor, provider_id: int, fields: ProgramFields
) -> Program:
    check_provider_staff(session, actor, provider_id)
    provider = get_row(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    program = Program(
        provider_id=provider_id, municipality_id=provider.municipality_id, **clean_program(fields)
    )
    session.add(program)
    session.flush()
    return program


def check_not_archived(program: Program) -> None:
    if program.listing == ProgramListing.ARCHIVED:
        raise Conflict("program_archived")


def group_terms(
    program: Program,
    *,
    name: str,
    timetable: list[dict[str, Any]],
    starts_on: date,
    ends_on: date,
    seats: int,
    price_per_lesson_minor: int,
    teacher: str = "",
    excluded_dates: list[date] | None = None,
) -> dict[str, Any]:
    """A group's fields, validated; raises InvalidInput naming the first wrong one."""
    check_date_range(starts_on, ends_on)
    if (ends_on - starts_on).days > MAX_GROUP_DAYS:
        raise InvalidInput("group_too_long", days=MAX_GROUP_DAYS, field="ends_on")
    for excluded in excluded_dates or []:
        check_date(excluded, "excluded_dates")
    check_positive(seats, "seats", maximum=MAX_SEATS)
    if program.is_free:
        check_non_negative(price_per_lesson_minor, "price_per_lesson")
    else:
        check_positive(price_per_lesson_minor, "price_per_lesson")
    terms: dict[str, Any] = {
        "name": check_text(name, "name", max_length=100),
        "teacher": check_text(teacher, "teacher", max_length=200, required=False),
        "timetable": clean_timetable(timetable),
        "excluded_dates": sorted({d.isoformat() for d in excluded_dates or []}),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "seats": seats,
        "price_per_lesson_minor": 0 if program.is_free else price_per_lesson_minor,
    }
    if not lesson_dates(Group(program_id=program.id or 0, **terms)):
        raise InvalidInput("timetable_no_lessons")
    return terms


def program_today(session: Session, program: Program) -> date:
    """Today in the program's municipality: the date its groups' ends are measured against."""
    municipality = get_row(session, Municipality, program.municipality_id)
    assert municipality is not None
    return local_today(municipality)


def check_group_end(
    ends_on: date, today: date, *, current: date | None = None, field: str = "ends_on"
) -> None:
    """A group is never given an end that has passed. A group that has run and ended keeps
    the end it has (its other fields stay editable, a file may send it again unchanged)."""
    if ends_on != current:
        check_not_in_past(ends_on, field, today)


def create_group(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    name: str,
    timetable: list[dict[str, Any]],
    starts_on: date,
    ends_on: date,
    seats: int,
    price_per_lesson_minor: int,
    teacher: str = "",
    excluded_dates: list[date] | None = None,
    today: date | None = None,
) -> Group:
    """A new group of the program; it ends today or later in the municipality's date
    (`today` stands for that date where the caller has its own clock: tests, seeds)."""
    program = staff_program(session, actor, program_id, lock=True)
    check_not_archived(program)
    terms = group_terms(
        program,
        name=name,
        timetable=timetable,
        starts_on=starts_on,
        ends_on=ends_on,
        seats=seats,
        price_per_lesson_minor=price_per_lesson_minor,
        teacher=teacher,
        excluded_dates=excluded_dates,
    )
    check_group_end(terms["ends_on"], today or program_today(session, program))
    group = Group(program_id=program_id, **terms)
    session.add(group)
    back_to_review(program)  # a new group's price is not certified yet
    session.add(program)
    session.flush()
    return group


def staff_program(
    session: Session, actor: Actor, program_id: int, *, lock: bool = False
) -> Program:
    """The program, once the actor is known to be its provider's staff; locked when asked."""
    program = get_row(session, Program, program_id) if isinstance(program_id, int) else None
    if program is None:
        raise NotFound()
    check_provider_staff(session, actor, program.provider_id)
    if lock:
        program = locked(session, Program, program_id)
        assert program is not None
    return program


def staff_group(
    session: Session, actor: Actor, group_id: int, *, lock: bool = False
) -> tuple[Group, Program]:
    group = (
        (locked(session, Group, group_id) if lock else get_row(session, Group, group_id))
        if isinstance(group_id, int)
        else None
    )
    if group is None:
        raise NotFound()
    return group, staff_program(session, actor, group.program_id)


def back_to_review(program: Program) -> None:
    """A certified program that changes goes back to the municipality. Until it decides, the
    catalog and new applications keep to the certified version (Program.takes_applications)."""
    if program.certification_status == CertificationStatus.CERTIFIED:
        program.certification_status = CertificationStatus.SUBMITTED
        if (session := object_session(program)) is not None:  # a new item in its queue
            fanout.notify_municipality(
                session, program.municipality_id, "queue.program", {"program_id": program.id}
            )
    program.updated_at = utcnow()


def update_program(
    session: Session, actor: Actor, program_id: int, fields: ProgramFields
) -> Program:
    """Edit a program; a certified one returns to review. A program made free has no paid
    group: its groups' prices become 0 (contracts already made keep theirs)."""
    staff_program(session, actor, program_id)
    # its groups before the program itself (LOCK_ORDER): making it free reprices them
    groups = locked_rows(
        session, Group, select(Group).where(Group.program_id == program_id).order_by(col(Group.id))
    )
    program = staff_program(session, actor, program_id, lock=True)
    check_not_archived(program)
    cleaned = clean_program(replace(fields, external_id=program.external_id))
    changed = {k: v for k, v in cleaned.items() if getattr(program, k) != v}
    if not changed:
        return program
    for name, value in changed.items():
        setattr(program, name, value)
    if program.is_free:
        for group in groups:
            group.price_per_lesson_minor = 0
            session.add(group)
    back_to_review(program)
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
    program = staff_program(session, actor, program_id, lock=True)
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


def update_group(
    session: Session, actor: Actor, group_id: int, *, today: date | None = None, **terms: Any
) -> Group:
    """New timetable, dates, seats or price. A change to what a certificate pays (price, dates,
    weekdays, excluded dates) sends a certified program to review, and the group takes no
    application until it is certified; seats never drop below the children already seated.
    A new end is today or later (check_group_end); an ended group may keep its own."""
    group, _program_row = staff_group(session, actor, group_id, lock=True)
    program = staff_program(session, actor, group.program_id, lock=True)
    check_not_archived(program)
    cleaned = group_terms(program, **terms)
    check_group_end(
        cleaned["ends_on"], today or program_today(session, program), current=group.ends_on
    )
    if cleaned["seats"] < group.seats_taken:
        raise InvalidInput("import_seats_below_taken", taken=group.seats_taken)
    before, seats_before = group.terms(), group.seats
    for name, value in cleaned.items():
        setattr(group, name, value)
    if group.terms() != before:
        back_to_review(program)
        session.add(program)
    session.add(group)
    session.flush()
    if group.seats > seats_before:  # new seats go to the waiting list first, in its order
        promote_waitlist(session, group)
        session.flush()
    return group


def set_enrollment_open(session: Session, actor: Actor, group_id: int, is_open: bool) -> Group:
    group, program = staff_group(session, actor, group_id, lock=True)
    check_not_archived(program)
    group.enrollment_open = is_open is True
    session.add(group)
    session.flush()
    return group


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
    *,
    today: date | None = None,
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
        return update_group(session, actor, existing, today=today, **terms), False
    group = create_group(session, actor, program_id, today=today, **terms)
    group.external_id = external_id
    session.add(group)
    session.flush()
    return group, True
