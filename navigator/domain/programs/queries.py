"""Reading programs: the catalog's cards, a program's public page, a provider's own list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff
from navigator.domain.enrollment.seats import NO_CLAIMS, group_free_seats, seat_claims
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.api import staff_program
from navigator.domain.programs.models import CertificationStatus, Group, Program, ProgramListing
from navigator.domain.programs.photos import photo_url
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.providers.models import Provider
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.validation import check_date, check_row_id


@dataclass(frozen=True)
class ProgramSummary:
    """What a catalog card shows; nothing personal."""

    id: int
    title: str
    provider_name: str
    municipality_name: str
    direction: str
    age_min: int
    age_max: int
    language: str
    format: str
    currency: str
    lowest_price_minor: int | None
    free_seats: int
    payable_by_certificate: bool
    is_free: bool


def catalog_filter() -> Any:
    """A program is in the catalog when certified (in its last certified version while a change
    waits for review) or budget-funded free, by an admitted provider, and listed by that
    provider; never while the municipality has it suspended."""
    return (
        (col(Provider.admitted).is_(True))
        & ((col(Program.certified_at).is_not(None)) | (col(Program.is_free).is_(True)))
        & (col(Program.certification_status) != CertificationStatus.SUSPENDED)
        & (col(Program.listing) == ProgramListing.LISTED)
    )


def _free_seats_of_programs(
    session: Session, programs: list[Program], today: date
) -> dict[int, int]:
    """Each program's free seats as its search document counts them: over the groups open
    today on the terms parents may apply to (enrollment.seats)."""
    by_id = {p.id: p for p in programs}
    live = [
        g
        for g in session.exec(
            select(Group).where(
                col(Group.program_id).in_(list(by_id)),
                col(Group.enrollment_open).is_(True),
                Group.ends_on >= today,
            )
        ).all()
        if by_id[g.program_id].takes_applications(g)
    ]
    claims = seat_claims(session, [g.id for g in live])
    free: dict[int, int] = {}
    for g in live:
        free[g.program_id] = free.get(g.program_id, 0) + group_free_seats(g, claims)
    return free


def list_catalog_programs(
    session: Session, *, limit: int = 50, offset: int = 0, today: date | None = None
) -> list[ProgramSummary]:
    groups = (
        select(
            Group.program_id,
            func.min(Group.price_per_lesson_minor).label("lowest_price"),
        )
        .where(col(Group.enrollment_open).is_(True))
        .group_by(col(Group.program_id))
        .subquery()
    )
    rows = session.execute(  # five columns: more than sqlmodel's select() is typed for
        sa_select(
            Program,
            col(Provider.name),
            col(Municipality.name),
            col(Municipality.currency),
            groups.c.lowest_price,
        )
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .outerjoin(groups, groups.c.program_id == Program.id)
        .where(catalog_filter())
        .order_by(col(Program.title), col(Program.id))
        .offset(offset)
        .limit(limit)
    ).all()
    free = _free_seats_of_programs(session, [row[0] for row in rows], today or date.today())
    return [
        ProgramSummary(
            id=program.id,
            title=program.title,
            provider_name=provider_name,
            municipality_name=municipality_name,
            direction=program.direction,
            age_min=program.age_min,
            age_max=program.age_max,
            language=program.language,
            format=program.format,
            currency=currency,
            lowest_price_minor=lowest_price,
            free_seats=free.get(program.id, 0),
            payable_by_certificate=program.payable_by_certificate,
            is_free=program.is_free,
        )
        for program, provider_name, municipality_name, currency, lowest_price in rows
    ]


def count_catalog_programs(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Program)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(catalog_filter())
    ).one()


def municipality_center(session: Session, code: str) -> tuple[float, float] | None:
    """Where "near this city" starts from: the mean position of its programs."""
    if not isinstance(code, str):
        return None
    latitude, longitude = session.exec(
        select(func.avg(Program.latitude), func.avg(Program.longitude))
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(Municipality.code == code, col(Program.latitude).is_not(None))
    ).one()
    return None if latitude is None else (float(latitude), float(longitude))


@dataclass(frozen=True)
class PublicGroup:
    id: int
    name: str
    timetable: list[dict[str, object]]
    starts_on: date
    ends_on: date
    lessons_left: int
    seats: int
    seats_taken: int
    # what a new application could get (enrollment.seats.free_seats): the catalog's count
    free_seats: int
    price_per_lesson_minor: int
    enrollment_open: bool
    awaiting: int = 0  # applications awaiting the provider's decision
    waiting: int = 0  # children on the waiting list


@dataclass(frozen=True)
class PublicProgram:
    id: int
    title: str
    description: str
    direction: str
    age_min: int
    age_max: int
    language: str
    format: str
    address: str
    latitude: float | None
    longitude: float | None
    provider_id: int
    provider_name: str
    municipality: str
    currency: str
    payable_by_certificate: bool
    is_free: bool
    photo_url: str  # "" when the program has no photo
    groups: list[PublicGroup]
    free_seats: int  # of the groups open today: what the catalog's card and filter count


def public_program(session: Session, program_id: int, today: date) -> PublicProgram:
    """NotFound for anything not in the catalog: drafts and suspended programs stay private."""
    check_row_id(program_id)
    check_date(today, "today")
    row = session.exec(
        select(Program, Provider, Municipality)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(Program.id == program_id, catalog_filter())
    ).first()
    if row is None:
        raise NotFound()
    program, provider, municipality = row
    groups = [
        g
        for g in session.exec(
            select(Group)
            .where(Group.program_id == program_id)
            .order_by(col(Group.starts_on), col(Group.id))
        ).all()
        if program.takes_applications(g)  # the certified version, while a change is in review
    ]
    shown = program.shown
    # one grouped count: the applications awaiting a decision, the waiting list
    claims = seat_claims(session, [g.id for g in groups]) if groups else {}
    shown_groups = [
        PublicGroup(
            id=g.id or 0,
            name=g.name,
            timetable=list(g.timetable),
            starts_on=g.starts_on,
            ends_on=g.ends_on,
            lessons_left=len(lesson_dates(g, today)),
            seats=g.seats,
            seats_taken=g.seats_taken,
            free_seats=group_free_seats(g, claims),
            price_per_lesson_minor=g.price_per_lesson_minor,
            enrollment_open=g.enrollment_open and g.ends_on >= today,
            awaiting=claims.get(g.id or 0, NO_CLAIMS).awaiting,
            waiting=claims.get(g.id or 0, NO_CLAIMS).waiting,
        )
        for g in groups
    ]
    return PublicProgram(
        id=program_id,
        title=shown["title"],
        description=shown["description"],
        photo_url=photo_url(shown["photo"]),  # the certified photo, like the text
        direction=shown["direction"],
        age_min=shown["age_min"],
        age_max=shown["age_max"],
        language=shown["language"],
        format=shown["format"],
        address=shown["address"],
        latitude=program.latitude,
        longitude=program.longitude,
        provider_id=provider.id or 0,
        provider_name=provider.name,
        municipality=municipality.code,
        currency=municipality.currency,
        payable_by_certificate=program.payable_by_certificate,
        is_free=bool(shown["is_free"]),
        groups=shown_groups,
        free_seats=sum(g.free_seats for g in shown_groups if g.enrollment_open),
    )


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
    return staff_program(session, actor, program_id)


def groups_of(session: Session, actor: Actor, program_id: int) -> list[Group]:
    staff_program(session, actor, program_id)
    return list(
        session.exec(
            select(Group).where(Group.program_id == program_id).order_by(col(Group.id))
        ).all()
    )
