"""Municipalities, providers, programs and groups: creating them and listing the catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from navigator.domain import audit
from navigator.domain.access import Actor, check_municipality_admin, check_provider_staff
from navigator.domain.calendar import lesson_dates
from navigator.domain.db import locked
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.models import (
    AbsenceCharge,
    CertificationStatus,
    Direction,
    Group,
    Language,
    Municipality,
    MunicipalityPolicy,
    Program,
    ProgramFormat,
    ProgramListing,
    Provider,
    ProviderKind,
    utcnow,
)
from navigator.domain.money import exponent
from navigator.domain.validation import (
    check_age_range,
    check_choice,
    check_coordinates,
    check_date,
    check_date_range,
    check_non_negative,
    check_positive,
    check_text,
    check_timezone,
)

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_GROUP_DAYS = 731  # a group runs at most two years
MAX_SEATS = 10_000


def create_municipality(
    session: Session,
    *,
    code: str,
    name: str,
    country: str,
    currency: str,
    locale: str,
    timezone: str,
    policy: MunicipalityPolicy | None = None,
) -> Municipality:
    exponent(currency)  # refuses an unknown currency
    if policy is not None:
        check_choice(policy.absence_charge, "absence_charge", AbsenceCharge)
        check_non_negative(
            policy.attendance_correction_days, "attendance_correction_days", maximum=365
        )
    if session.exec(select(Municipality.id).where(Municipality.code == code)).first():
        raise Conflict("municipality_code_taken", code=code)
    municipality = Municipality(
        code=check_text(code, "code", max_length=40),
        name=check_text(name, "name", max_length=200),
        country=check_text(country, "country", max_length=2).upper(),
        currency=currency,
        locale=check_choice(locale, "locale", Language),
        timezone=check_timezone(timezone),
    )
    session.add(municipality)
    session.flush()
    assert municipality.id is not None
    policy = policy or MunicipalityPolicy(municipality_id=municipality.id)
    policy.municipality_id = municipality.id  # type: ignore[assignment]
    check_positive(policy.max_funded_enrollments, "max_funded_enrollments")
    session.add(policy)
    session.flush()
    return municipality


def policy_of(session: Session, municipality_id: int) -> MunicipalityPolicy:
    policy = session.exec(
        select(MunicipalityPolicy).where(MunicipalityPolicy.municipality_id == municipality_id)
    ).first()
    return policy or MunicipalityPolicy(municipality_id=municipality_id)


def create_provider(
    session: Session,
    *,
    municipality_id: int,
    name: str,
    kind: str,
    licence_number: str = "",
) -> Provider:
    if session.get(Municipality, municipality_id) is None:
        raise NotFound()
    provider = Provider(
        municipality_id=municipality_id,
        name=check_text(name, "name", max_length=200),
        kind=check_choice(kind, "kind", ProviderKind),
        licence_number=check_text(licence_number, "licence_number", max_length=60, required=False),
    )
    session.add(provider)
    session.flush()
    return provider


def admit_provider(session: Session, actor: Actor, provider_id: int) -> Provider:
    provider = locked(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    check_municipality_admin(session, actor, provider.municipality_id)
    if not provider.admitted:
        provider.admitted = True
        provider.admitted_at = utcnow()
        provider.admission_note = ""
        session.add(provider)
        audit.record(
            session, actor, provider.municipality_id, "provider.admitted", "provider", provider.id
        )
    return provider


def refuse_admission(session: Session, actor: Actor, provider_id: int, *, reason: str) -> Provider:
    """Leave a provider out, saying why; it may apply again (an admin can admit it later)."""
    provider = locked(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    check_municipality_admin(session, actor, provider.municipality_id)
    reason = check_text(reason, "reason", max_length=500)
    if provider.admitted:
        raise Conflict("provider_already_admitted")
    provider.admission_note = reason
    session.add(provider)
    audit.record(
        session,
        actor,
        provider.municipality_id,
        "provider.refused",
        "provider",
        provider.id,
        reason=reason,
    )
    return provider


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
    provider = session.get(Provider, provider_id)
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


def set_certification(
    session: Session,
    actor: Actor,
    program_id: int,
    status: CertificationStatus | str,
    *,
    reason: str = "",
) -> Program:
    """Moves a program along draft → submitted → certified / rejected → suspended.

    A rejection or a suspension says why. Each move is in the audit log; a certification
    keeps the program as certified, which the next review is compared against.
    """
    status = CertificationStatus(check_choice(status, "status", CertificationStatus))
    program = locked(session, Program, program_id)
    if program is None:
        raise NotFound()
    allowed = {
        CertificationStatus.SUBMITTED: {CertificationStatus.DRAFT, CertificationStatus.REJECTED},
        CertificationStatus.CERTIFIED: {
            CertificationStatus.SUBMITTED,
            CertificationStatus.SUSPENDED,
        },
        CertificationStatus.REJECTED: {CertificationStatus.SUBMITTED},
        CertificationStatus.SUSPENDED: {CertificationStatus.CERTIFIED},
    }
    if status is CertificationStatus.SUBMITTED:
        check_provider_staff(session, actor, program.provider_id)
        check_not_archived(program)
    else:
        check_municipality_admin(session, actor, program.municipality_id)
    if program.certification_status not in allowed.get(status, set()):
        raise Conflict(
            "certification_transition", current=program.certification_status, target=status.value
        )
    needs_reason = status in (CertificationStatus.REJECTED, CertificationStatus.SUSPENDED)
    reason = check_text(reason, "reason", max_length=500, required=needs_reason)
    payload: dict[str, Any] = {"from": program.certification_status}
    if status is CertificationStatus.CERTIFIED:
        payload["snapshot"] = audit.program_snapshot(session, program)
    program.certification_status = status
    program.updated_at = utcnow()
    session.add(program)
    audit.record(
        session,
        actor,
        program.municipality_id,
        f"program.{status.value}",
        "program",
        program.id,
        reason=reason,
        payload=payload,
    )
    return program


def _clean_timetable(timetable: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not timetable:
        raise InvalidInput("timetable_empty")
    seen: set[int] = set()
    cleaned = []
    if not isinstance(timetable, list) or len(timetable) > 7:
        raise InvalidInput("timetable_weekday")
    for slot in timetable:
        if not isinstance(slot, dict):
            raise InvalidInput("timetable_weekday")
        weekday, start, end = (
            slot.get("weekday"),
            str(slot.get("start", "")),
            str(slot.get("end", "")),
        )
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
            raise InvalidInput("timetable_weekday")
        if weekday in seen:
            raise InvalidInput("timetable_weekday_twice")
        time_to_be_agreed = start == end == ""  # an import may not know the hours yet
        if not time_to_be_agreed and (
            not (TIME_RE.match(start) and TIME_RE.match(end)) or start >= end
        ):
            raise InvalidInput("timetable_time")
        seen.add(weekday)
        cleaned.append({"weekday": weekday, "start": start, "end": end})
    return sorted(cleaned, key=lambda s: s["weekday"])


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
        raise InvalidInput("group_too_long", days=MAX_GROUP_DAYS)
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
        "timetable": _clean_timetable(timetable),
        "excluded_dates": sorted({d.isoformat() for d in excluded_dates or []}),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "seats": seats,
        "price_per_lesson_minor": 0 if program.is_free else price_per_lesson_minor,
    }
    if not lesson_dates(Group(program_id=program.id or 0, **terms)):
        raise InvalidInput("timetable_no_lessons")
    return terms


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
) -> Group:
    program = session.get(Program, program_id) if isinstance(program_id, int) else None
    if program is None:
        raise NotFound()
    check_provider_staff(session, actor, program.provider_id)
    check_not_archived(program)
    group = Group(
        program_id=program_id,
        **group_terms(
            program,
            name=name,
            timetable=timetable,
            starts_on=starts_on,
            ends_on=ends_on,
            seats=seats,
            price_per_lesson_minor=price_per_lesson_minor,
            teacher=teacher,
            excluded_dates=excluded_dates,
        ),
    )
    session.add(group)
    session.flush()
    return group


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
    """A program is in the catalog when certified or budget-funded free, by an admitted provider,
    and listed by that provider."""
    return (
        (col(Provider.admitted).is_(True))
        & (
            (col(Program.certification_status) == CertificationStatus.CERTIFIED)
            | (col(Program.is_free).is_(True))
        )
        & (col(Program.certification_status) != CertificationStatus.SUSPENDED)
        & (col(Program.listing) == ProgramListing.LISTED)
    )


def list_catalog_programs(
    session: Session, *, limit: int = 50, offset: int = 0
) -> list[ProgramSummary]:
    groups = (
        select(
            Group.program_id,
            func.min(Group.price_per_lesson_minor).label("lowest_price"),
            func.sum(Group.seats - Group.seats_taken).label("free_seats"),
        )
        .where(col(Group.enrollment_open).is_(True))
        .group_by(col(Group.program_id))
        .subquery()
    )
    rows = session.execute(  # six columns: more than sqlmodel's select() is typed for
        sa_select(
            Program,
            col(Provider.name),
            col(Municipality.name),
            col(Municipality.currency),
            groups.c.lowest_price,
            groups.c.free_seats,
        )
        .join(Provider, col(Provider.id) == Program.provider_id)
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .outerjoin(groups, groups.c.program_id == Program.id)
        .where(catalog_filter())
        .order_by(col(Program.title), col(Program.id))
        .offset(offset)
        .limit(limit)
    ).all()
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
            free_seats=int(free_seats or 0),
            payable_by_certificate=program.payable_by_certificate,
            is_free=program.is_free,
        )
        for program, provider_name, municipality_name, currency, lowest_price, free_seats in rows
    ]


def count_catalog_programs(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Program)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(catalog_filter())
    ).one()


def municipalities(session: Session) -> list[Municipality]:
    """Every municipality, by name: the choices of the forms and filters."""
    return list(session.exec(select(Municipality).order_by(col(Municipality.name))).all())


def currency_of(session: Session, municipality_id: int) -> str:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound()
    return municipality.currency


def municipality_center(session: Session, code: str) -> tuple[float, float] | None:
    """Where "near this city" starts from: the mean position of its programs."""
    latitude, longitude = session.exec(
        select(func.avg(Program.latitude), func.avg(Program.longitude))
        .join(Municipality, col(Municipality.id) == Program.municipality_id)
        .where(Municipality.code == code, col(Program.latitude).is_not(None))
    ).one()
    return None if latitude is None else (float(latitude), float(longitude))
