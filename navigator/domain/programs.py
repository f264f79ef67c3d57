"""A program's public page: what anyone may read about a program in the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from navigator.domain.calendar import lesson_dates
from navigator.domain.catalog import catalog_filter
from navigator.domain.errors import NotFound
from navigator.domain.models import Group, Municipality, Program, Provider
from navigator.domain.photos import photo_url


@dataclass(frozen=True)
class PublicGroup:
    id: int
    name: str
    timetable: list[dict[str, object]]
    starts_on: date
    ends_on: date
    lessons_left: int
    seats: int
    free_seats: int
    price_per_lesson_minor: int
    enrollment_open: bool


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


def public_program(session: Session, program_id: int, today: date) -> PublicProgram:
    """NotFound for anything not in the catalog: drafts and suspended programs stay private."""
    row = session.exec(
        select(Program, Provider, Municipality)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(Program.id == program_id, catalog_filter())
    ).first()
    if row is None:
        raise NotFound()
    program, provider, municipality = row
    groups = session.exec(
        select(Group)
        .where(Group.program_id == program_id)
        .order_by(col(Group.starts_on), col(Group.id))
    ).all()
    return PublicProgram(
        id=program_id,
        title=program.title,
        description=program.description,
        photo_url=photo_url(program.photo),
        direction=program.direction,
        age_min=program.age_min,
        age_max=program.age_max,
        language=program.language,
        format=program.format,
        address=program.address,
        latitude=program.latitude,
        longitude=program.longitude,
        provider_id=provider.id or 0,
        provider_name=provider.name,
        municipality=municipality.code,
        currency=municipality.currency,
        payable_by_certificate=program.payable_by_certificate,
        is_free=program.is_free,
        groups=[
            PublicGroup(
                id=g.id or 0,
                name=g.name,
                timetable=list(g.timetable),
                starts_on=g.starts_on,
                ends_on=g.ends_on,
                lessons_left=len(lesson_dates(g, today)),
                seats=g.seats,
                free_seats=g.seats - g.seats_taken,
                price_per_lesson_minor=g.price_per_lesson_minor,
                enrollment_open=g.enrollment_open and g.ends_on >= today,
            )
            for g in groups
        ],
    )
