"""Culture services and their sessions. An admitted provider submits a service; the operator
approves it against the published criteria, rejects it with a reason, or suspends it on a
complaint. A change of an approved service's price or content goes back to review, and until
the operator decides, schools book it on the terms approved. A session with reservations is
never moved, nor shrunk below what is booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import check_culture_operator, check_provider_member, local_day
from navigator.domain.culture.models import (
    CulturePassYear,
    CultureService,
    CultureSession,
    ServicePlace,
    ServiceStatus,
    YearStatus,
)
from navigator.domain.culture.years import latest_open_year, year_on
from navigator.domain.notifications.fanout import notify_culture_operators, notify_provider
from navigator.domain.programs.photos import forget_after_commit
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import check_choice, check_text

PRICE_STEP_MINOR = 10  # 0.10 EUR
MAX_CAPACITY = 500
MAX_FREE_ADULTS = 10


class ArtForm(StrEnum):
    THEATRE = "theatre"
    MUSIC = "music"
    DANCE = "dance"
    VISUAL_ARTS = "visual_arts"
    CINEMA = "cinema"
    LITERATURE = "literature"
    MUSEUM = "museum"
    HERITAGE = "heritage"
    DESIGN = "design"
    INTERDISCIPLINARY = "interdisciplinary"


# what the operator approves: a change to any of these goes back to review
REVIEWED_FIELDS = (
    "title",
    "description",
    "art_form",
    "grade_min",
    "grade_max",
    "duration_minutes",
    "language",
    "place",
    "address",
    "price_per_pupil_minor",
    "free_adults",
)
PHOTO = "photo"  # reviewed too (culture/photos.py): a new photo waits, as a new price does


@dataclass(frozen=True)
class ServiceFields:
    title: str
    description: str
    art_form: str
    grade_min: int
    grade_max: int
    duration_minutes: int
    language: str
    place: str
    address: str
    price_per_pupil_minor: int
    free_adults: int


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must_be_whole_number", field=field)
    if not low <= value <= high:
        raise InvalidInput("query_out_of_range", field=field, min=low, max=high)
    return value


def clean_service(session: Session, fields: ServiceFields) -> dict[str, Any]:
    """The fields, checked: a price in steps of 0.10 EUR, never above the year's per-pupil
    amount (or free); grades 1–12; a place, or online."""
    grade_min = _whole(fields.grade_min, "grade_min", 1, 12)
    grade_max = _whole(fields.grade_max, "grade_max", 1, 12)
    if grade_min > grade_max:
        raise InvalidInput("grades_reversed", field="grade_max")
    price = fields.price_per_pupil_minor
    if isinstance(price, bool) or not isinstance(price, int):
        raise InvalidInput("must_be_whole_number", field="price")
    if price < 0:
        raise InvalidInput("amount_negative", field="price", value=str(price))
    if price % PRICE_STEP_MINOR:
        raise InvalidInput("price_step", field="price")
    year = latest_open_year(session)
    if year is None:
        raise Conflict("no_culture_year")
    if price > year.per_pupil_minor:
        raise InvalidInput(
            "price_above_per_pupil", field="price", max=f"{year.per_pupil_minor / 100:.2f}"
        )
    place = check_choice(fields.place, "place", ServicePlace)
    address = check_text(fields.address, "address", max_length=300, required=False)
    if place != ServicePlace.ONLINE and not address:
        raise InvalidInput("field_required", field="address")
    return {
        "title": check_text(fields.title, "title", max_length=200),
        "description": check_text(fields.description, "description", max_length=5000),
        "art_form": check_choice(fields.art_form, "art_form", ArtForm),
        "grade_min": grade_min,
        "grade_max": grade_max,
        "duration_minutes": _whole(fields.duration_minutes, "duration_minutes", 15, 480),
        "language": check_choice(fields.language, "language", Language),
        "place": place,
        "address": address,
        "price_per_pupil_minor": price,
        "free_adults": _whole(fields.free_adults, "free_adults", 0, MAX_FREE_ADULTS),
    }


def _reviewed(service: CultureService) -> dict[str, Any]:
    return {name: getattr(service, name) for name in (*REVIEWED_FIELDS, PHOTO)}


def submit_service(
    session: Session, actor: Actor, provider_id: int, fields: ServiceFields
) -> CultureService:
    check_provider_member(session, actor, provider_id)
    provider = get_row(session, Provider, provider_id)
    if provider is None or not provider.admitted:
        raise Conflict("culture_provider_not_admitted")
    service = CultureService(provider_id=provider_id, **clean_service(session, fields))
    session.add(service)
    session.flush()
    _tell_operator(session, service, "culture_queue.service")
    return service


def _tell_operator(session: Session, service: CultureService, kind: str) -> None:
    """A new item in the operator's review queue."""
    notify_culture_operators(
        session,
        kind,
        {
            "service_id": service.id,
            "service_title": service.title,
            "provider_id": service.provider_id,
        },
    )


def _tell_provider(session: Session, service: CultureService, kind: str, reason: str = "") -> None:
    """The operator's decision, to the provider's team."""
    payload: dict[str, Any] = {"service_id": service.id, "service_title": service.title}
    if reason:
        payload["reason"] = reason
    notify_provider(session, service.provider_id, kind, payload)


def staff_service(
    session: Session, actor: Actor, service_id: int, *, lock: bool = False
) -> CultureService:
    service = (
        locked(session, CultureService, service_id)
        if lock
        else get_row(session, CultureService, service_id)
    )
    if service is None:
        raise NotFound()
    check_provider_member(session, actor, service.provider_id)
    return service


def update_service(
    session: Session, actor: Actor, service_id: int, fields: ServiceFields
) -> CultureService:
    """New content or price; an approved (or suspended) service's change waits for review."""
    service = staff_service(session, actor, service_id)
    cleaned = clean_service(session, fields)
    if all(cleaned[name] == getattr(service, name) for name in REVIEWED_FIELDS):
        return service
    for name, value in cleaned.items():
        setattr(service, name, value)
    if service.status in (ServiceStatus.APPROVED, ServiceStatus.REJECTED):
        service.status = ServiceStatus.SUBMITTED  # the approved version stays bookable
    session.add(service)
    session.flush()
    tell_changed(session, service)
    return service


def tell_changed(session: Session, service: CultureService) -> None:
    """A reviewed change (content, price or photo), told to the operator: waiting for
    review; a suspended service's change stays suspended, waiting for the operator's
    decision on the suspension (reinstating it reviews the change)."""
    suspended = service.status == ServiceStatus.SUSPENDED
    _tell_operator(
        session,
        service,
        "culture_queue.suspended_changed" if suspended else "culture_queue.service_changed",
    )


class Review(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"


def review_service(
    session: Session,
    actor: Actor,
    service_id: int,
    decision: str,
    reason: str = "",
    *,
    seen: dict[str, Any] | None = None,
) -> CultureService:
    """The operator's decision on what it was shown (`seen`: the reviewed fields on screen; a
    service changed since answers `service_changed`). A rejection or a suspension says why; a
    suspension stops new bookings (those made stay the provider's and the school's to deliver
    or cancel). Rejecting a change of an approved service keeps the approved version bookable
    and puts it back; reinstating a suspended service that was edited meanwhile reinstates
    the terms approved before, and the edit waits for review."""
    check_culture_operator(session, actor)
    decision = check_choice(decision, "decision", Review)
    reason = check_text(reason, "reason", max_length=1000, required=decision != Review.APPROVE)
    service = locked(session, CultureService, service_id)  # one decision at a time
    if service is None:
        raise NotFound()
    if seen is not None and seen != _reviewed(service):
        raise Conflict("service_changed")
    edited = service.approved_version is not None and _reviewed(service) != service.approved_version
    photo_before = (service.approved_version or {}).get(PHOTO, "")
    told = ""  # what the provider hears: by the outcome, unless said below
    if decision == Review.APPROVE:
        if service.status == ServiceStatus.SUSPENDED and edited:
            service.status, service.reason = ServiceStatus.SUBMITTED, ""
            told = "culture_service.reinstated"  # on the terms approved before
        else:
            service.status, service.reason = ServiceStatus.APPROVED, ""
            service.approved_version = _reviewed(service)
            if photo_before != service.photo:  # schools now see the new one
                forget_after_commit(session, photo_before)
    elif decision == Review.REJECT:
        if service.status != ServiceStatus.SUBMITTED:
            raise Conflict("service_not_waiting")
        if service.approved_version:  # a change refused: the approved service stays as it was
            refused_photo = service.photo
            for name, value in service.approved_version.items():
                setattr(service, name, value)
            if refused_photo != service.photo:
                forget_after_commit(session, refused_photo)
            service.status, service.reason = ServiceStatus.APPROVED, reason
            told = "culture_service.change_rejected"
        else:
            service.status, service.reason = ServiceStatus.REJECTED, reason
    else:
        service.status, service.reason = ServiceStatus.SUSPENDED, reason
    told = told or f"culture_service.{service.status}"
    session.add(service)
    session.flush()
    _tell_provider(session, service, told, reason)
    return service


def bookable_terms(service: CultureService) -> dict[str, Any] | None:
    """What a school books: the approved version, while the service is approved or its change
    waits for review; nothing while it is suspended, rejected or never approved."""
    if service.status not in (ServiceStatus.APPROVED, ServiceStatus.SUBMITTED):
        return None
    return service.approved_version


def check_price_within(terms: dict[str, Any], year: CulturePassYear) -> None:
    """A service priced above the year's per-pupil amount is not booked in that year (a
    price approved against a later, higher amount)."""
    if int(terms["price_per_pupil_minor"]) > year.per_pupil_minor:
        raise Conflict(
            "price_above_per_pupil", field="price", max=f"{year.per_pupil_minor / 100:.2f}"
        )


def _session_year(session: Session, starts_at: datetime) -> CulturePassYear:
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        raise InvalidInput("date_invalid", field="starts_at")
    year = year_on(session, local_day(starts_at))
    if year is None or year.status != YearStatus.OPEN:
        raise InvalidInput("outside_window", field="starts_at")
    return year


def publish_session(
    session: Session,
    actor: Actor,
    service_id: int,
    starts_at: datetime,
    capacity: int,
    *,
    now: datetime | None = None,
) -> CultureSession:
    """A date and time for an approved service, inside an open year's window, in the future."""
    service = staff_service(session, actor, service_id)
    terms = bookable_terms(service)
    if terms is None:
        raise Conflict("service_not_approved")
    year = _session_year(session, starts_at)
    check_price_within(terms, year)
    if starts_at <= (now or utcnow()):
        raise InvalidInput("date_in_past", field="starts_at")
    published = CultureSession(
        service_id=service_id,
        starts_at=starts_at,
        capacity=_whole(capacity, "capacity", 1, MAX_CAPACITY),
    )
    session.add(published)
    session.flush()
    return published


def change_session(
    session: Session,
    actor: Actor,
    session_id: int,
    starts_at: datetime,
    capacity: int,
    *,
    now: datetime | None = None,
) -> CultureSession:
    """A new time or capacity; a session with reservations keeps its time, and its capacity
    never drops below the pupils booked."""
    found = get_row(session, CultureSession, session_id)
    if found is None:
        raise NotFound()
    staff_service(session, actor, found.service_id)
    target = locked(session, CultureSession, session_id)
    assert target is not None
    capacity = _whole(capacity, "capacity", 1, MAX_CAPACITY)
    if starts_at != target.starts_at:
        if target.booked:
            raise Conflict("session_has_bookings", booked=target.booked)
        _session_year(session, starts_at)
        if starts_at <= (now or utcnow()):
            raise InvalidInput("date_in_past", field="starts_at")
    if capacity < target.booked:
        raise Conflict("capacity_below_booked", booked=target.booked)
    target.starts_at, target.capacity = starts_at, capacity
    session.add(target)
    session.flush()
    return target


def service_fields(service: CultureService) -> ServiceFields:
    """A service's current fields (what its edit form starts from)."""
    return ServiceFields(**{name: getattr(service, name) for name in REVIEWED_FIELDS})
