"""What a provider reads of its culture services: their review, their sessions and the class
bookings on each. The only personal data it ever shows are the first and last names of the
pupils of a confirmed booking on the provider's own session, once that session has begun
(the register the provider marks); no other provider's service, booking or pupil."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import check_provider_member
from navigator.domain.culture.models import (
    BookingPupil,
    BookingStatus,
    CultureBooking,
    CultureService,
    CultureSession,
    Pupil,
    School,
    SeatStatus,
    ServiceStatus,
)
from navigator.domain.culture.services import ServiceFields, bookable_terms, service_fields
from navigator.domain.shared.models import utcnow


@dataclass(frozen=True)
class BookedPupil:
    pupil_id: int
    first_name: str
    last_name: str


@dataclass(frozen=True)
class ScheduledBooking:
    booking_id: int
    school_name: str
    class_names: str  # "5A, 5B"
    pupils: int
    adults: int
    total_minor: int
    status: str
    reason: str  # why it was declined
    # the register: names only for a confirmed booking whose session has begun
    register: list[BookedPupil]


@dataclass(frozen=True)
class ScheduledSession:
    session_id: int
    starts_at: datetime  # aware, UTC
    capacity: int
    booked: int
    begun: bool
    bookings: list[ScheduledBooking]


@dataclass(frozen=True)
class ProviderService:
    service_id: int
    fields: ServiceFields  # as the provider last wrote them
    status: str
    reason: str  # why rejected or suspended
    change_waiting: bool  # an approved service's change waits for review
    bookable: bool  # schools can book it now (on its approved terms)
    approved_price_minor: int | None  # what schools pay while a change waits
    photo: str  # the service's photo file as the provider last set it ("" for none)
    sessions: list[ScheduledSession]


def provider_services(
    session: Session, actor: Actor, provider_id: int, *, now: datetime | None = None
) -> list[ProviderService]:
    """The provider's services, newest first, each with its sessions by start and their
    bookings; four queries whatever the number of rows."""
    check_provider_member(session, actor, provider_id)
    now = now or utcnow()
    services = list(
        session.exec(
            select(CultureService)
            .where(CultureService.provider_id == provider_id)
            .order_by(col(CultureService.id).desc())
        ).all()
    )
    service_ids = [s.id for s in services]
    sessions = list(
        session.exec(
            select(CultureSession)
            .where(col(CultureSession.service_id).in_(service_ids))
            .order_by(col(CultureSession.starts_at), col(CultureSession.id))
        ).all()
    )
    begun = {s.id for s in sessions if s.starts_at <= now}
    bookings = list(
        session.exec(
            select(CultureBooking, School.name)
            .join(School, col(School.id) == CultureBooking.school_id)
            .where(col(CultureBooking.session_id).in_([s.id for s in sessions]))
            .order_by(col(CultureBooking.id))
        ).all()
    )
    registers = _registers(
        session,
        [
            b.id
            for b, _school in bookings
            if b.status == BookingStatus.CONFIRMED and b.session_id in begun and b.id is not None
        ],
    )
    by_session: dict[int, list[ScheduledBooking]] = defaultdict(list)
    for booking, school_name in bookings:
        by_session[booking.session_id].append(
            ScheduledBooking(
                booking_id=booking.id,  # type: ignore[arg-type]
                school_name=school_name,
                class_names=booking.class_name,
                pupils=booking.pupils,
                adults=booking.adults,
                total_minor=booking.total_minor,
                status=booking.status,
                reason=booking.reason,
                register=registers.get(booking.id, []),  # type: ignore[arg-type]
            )
        )
    by_service: dict[int, list[ScheduledSession]] = defaultdict(list)
    for found in sessions:
        by_service[found.service_id].append(
            ScheduledSession(
                session_id=found.id,  # type: ignore[arg-type]
                starts_at=found.starts_at,
                capacity=found.capacity,
                booked=found.booked,
                begun=found.id in begun,
                bookings=by_session.get(found.id, []),  # type: ignore[arg-type]
            )
        )
    return [_service(service, by_service.get(service.id, [])) for service in services]  # type: ignore[arg-type]


def _service(service: CultureService, sessions: list[ScheduledSession]) -> ProviderService:
    terms = bookable_terms(service)
    return ProviderService(
        service_id=service.id,  # type: ignore[arg-type]
        fields=service_fields(service),
        status=service.status,
        reason=service.reason
        if service.status in (ServiceStatus.REJECTED, ServiceStatus.SUSPENDED)
        else "",
        change_waiting=service.status == ServiceStatus.SUBMITTED and terms is not None,
        bookable=terms is not None,
        approved_price_minor=int(terms["price_per_pupil_minor"]) if terms else None,
        photo=service.photo,
        sessions=sessions,
    )


def _registers(session: Session, booking_ids: list[int]) -> dict[int, list[BookedPupil]]:
    """The names of the pupils still held on these bookings, by last then first name."""
    if not booking_ids:
        return {}
    rows = session.exec(
        select(BookingPupil.booking_id, Pupil.id, Pupil.first_name, Pupil.last_name)
        .join(Pupil, col(Pupil.id) == BookingPupil.pupil_id)
        .where(
            col(BookingPupil.booking_id).in_(booking_ids),
            BookingPupil.status == SeatStatus.HELD,
        )
        .order_by(col(Pupil.last_name), col(Pupil.first_name), col(Pupil.id))
    ).all()
    found: dict[int, list[BookedPupil]] = defaultdict(list)
    for booking_id, pupil_id, first_name, last_name in rows:
        found[booking_id].append(BookedPupil(pupil_id, first_name, last_name))  # type: ignore[arg-type]
    return dict(found)
