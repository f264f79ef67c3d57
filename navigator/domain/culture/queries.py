"""What a school's coordinator reads: the wallet, the classes with each pupil's yearly cap,
the pupils who have had no service yet, the sessions open for booking, the school's
bookings. Only for that school's coordinators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import check_coordinator
from navigator.domain.culture.models import (
    BookingPupil,
    CultureBooking,
    CulturePassYear,
    CultureService,
    CultureSession,
    Pupil,
    PupilYear,
    SchoolWallet,
    SeatStatus,
    ServiceStatus,
    WalletEntry,
    WalletEntryKind,
    YearStatus,
)
from navigator.domain.culture.services import bookable_terms
from navigator.domain.providers.models import Provider
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_date


@dataclass(frozen=True)
class WalletView:
    year: int
    pupils: int
    allocated_minor: int
    held_minor: int
    charged_minor: int
    refunded_minor: int
    expired_minor: int
    available_minor: int
    cap_minor: int


@dataclass(frozen=True)
class CountCorrection:
    """The operator's correction of the school's pupil count: the money it moved and why."""

    at: datetime
    amount_minor: int  # positive when the wallet grew
    note: str  # "<old count> → <new count>: <reason>"


@dataclass(frozen=True)
class PupilView:
    id: int
    class_name: str
    first_name: str
    last_name: str
    active: bool
    spent_minor: int  # held and charged this year
    remaining_minor: int  # of the yearly cap
    served: bool  # booked or charged at least once this year


@dataclass(frozen=True)
class SessionView:
    id: int
    service_id: int
    title: str
    art_form: str
    provider: str
    starts_at: datetime
    duration_minutes: int
    place: str
    address: str
    grade_min: int
    grade_max: int
    price_per_pupil_minor: int
    free_adults: int
    free_places: int


@dataclass(frozen=True)
class BookingView:
    id: int
    title: str
    provider: str
    starts_at: datetime
    class_name: str
    pupils: int
    adults: int
    total_minor: int
    status: str
    reason: str


def school_year(session: Session, today: date) -> CulturePassYear | None:
    """The year a coordinator works in: the open one whose window holds today, else the
    latest open one (before its window starts, schools already book)."""
    today = check_date(today, "today")
    current = session.exec(
        select(CulturePassYear).where(
            CulturePassYear.status == YearStatus.OPEN,
            CulturePassYear.window_start <= today,
            CulturePassYear.window_end >= today,
        )
    ).first()
    return (
        current
        or session.exec(
            select(CulturePassYear)
            .where(CulturePassYear.status == YearStatus.OPEN)
            .order_by(col(CulturePassYear.year).desc())
        ).first()
    )


def wallet_view(
    session: Session, actor: Actor, school_id: int, year: CulturePassYear
) -> WalletView | None:
    check_coordinator(session, actor, school_id)
    wallet = session.exec(
        select(SchoolWallet).where(
            SchoolWallet.school_id == school_id, SchoolWallet.year_id == year.id
        )
    ).first()
    if wallet is None:
        return None
    return WalletView(
        year=year.year,
        pupils=wallet.pupils,
        allocated_minor=wallet.allocated_minor,
        held_minor=wallet.held_minor,
        charged_minor=wallet.charged_minor,
        refunded_minor=wallet.refunded_minor,
        expired_minor=wallet.expired_minor,
        available_minor=wallet.available_minor,
        cap_minor=year.cap_minor,
    )


def count_corrections(
    session: Session, actor: Actor, school_id: int, year: CulturePassYear
) -> list[CountCorrection]:
    """Every correction of the school's pupil count this year, newest first."""
    check_coordinator(session, actor, school_id)
    entries = session.exec(
        select(WalletEntry)
        .join(SchoolWallet, col(SchoolWallet.id) == WalletEntry.wallet_id)
        .where(
            SchoolWallet.school_id == school_id,
            SchoolWallet.year_id == year.id,
            col(WalletEntry.kind).in_(
                [WalletEntryKind.ADJUSTMENT_UP, WalletEntryKind.ADJUSTMENT_DOWN]
            ),
        )
        .order_by(col(WalletEntry.id).desc())
    ).all()
    return [
        CountCorrection(
            at=entry.created_at,
            amount_minor=entry.amount_minor
            if entry.kind == WalletEntryKind.ADJUSTMENT_UP
            else -entry.amount_minor,
            note=entry.note,
        )
        for entry in entries
    ]


def pupils_of(
    session: Session, actor: Actor, school_id: int, year: CulturePassYear
) -> list[PupilView]:
    """The roster by class and name, with each pupil's year: spent, remaining, served."""
    check_coordinator(session, actor, school_id)
    years = {
        row.pupil_id: row
        for row in session.exec(
            select(PupilYear)
            .join(Pupil, col(Pupil.id) == PupilYear.pupil_id)
            .where(Pupil.school_id == school_id, PupilYear.year_id == year.id)
        ).all()
    }
    served = set(
        session.exec(
            select(BookingPupil.pupil_id)
            .join(PupilYear, col(PupilYear.id) == BookingPupil.pupil_year_id)
            .join(Pupil, col(Pupil.id) == BookingPupil.pupil_id)
            .where(
                Pupil.school_id == school_id,
                PupilYear.year_id == year.id,
                col(BookingPupil.status).in_([SeatStatus.HELD, SeatStatus.CHARGED]),
            )
        ).all()
    )
    views = []
    for pupil in session.exec(
        select(Pupil)
        .where(Pupil.school_id == school_id)
        .order_by(col(Pupil.class_name), col(Pupil.last_name), col(Pupil.first_name))
    ).all():
        row = years.get(pupil.id or 0)
        spent = row.held_minor + row.charged_minor if row else 0
        views.append(
            PupilView(
                id=pupil.id,  # type: ignore[arg-type]
                class_name=pupil.class_name,
                first_name=pupil.first_name,
                last_name=pupil.last_name,
                active=pupil.active,
                spent_minor=spent,
                remaining_minor=year.cap_minor - spent,
                served=pupil.id in served,
            )
        )
    return views


def open_sessions(
    session: Session,
    actor: Actor,
    school_id: int,
    year: CulturePassYear,
    *,
    now: datetime | None = None,
    limit: int = 200,
) -> list[SessionView]:
    """Sessions a school can book now: approved services, in the year's window, not begun,
    with free places; soonest first."""
    check_coordinator(session, actor, school_id)
    now = now or utcnow()
    rows = session.exec(
        select(CultureSession, CultureService, Provider)
        .join(CultureService, col(CultureService.id) == CultureSession.service_id)
        .join(Provider, col(Provider.id) == CultureService.provider_id)
        .where(
            CultureSession.starts_at > now,
            col(CultureService.status).in_([ServiceStatus.APPROVED, ServiceStatus.SUBMITTED]),
            CultureSession.booked < CultureSession.capacity,
        )
        .order_by(col(CultureSession.starts_at))
        .limit(limit * 2)
    ).all()
    views = []
    for culture_session, service, provider in rows:
        terms = bookable_terms(service)
        day = culture_session.starts_at.date()
        if terms is None or not year.window_start <= day <= year.window_end:
            continue
        views.append(
            SessionView(
                id=culture_session.id,  # type: ignore[arg-type]
                service_id=service.id,  # type: ignore[arg-type]
                title=str(terms["title"]),
                art_form=str(terms["art_form"]),
                provider=provider.name,
                starts_at=culture_session.starts_at,
                duration_minutes=int(terms["duration_minutes"]),
                place=str(terms["place"]),
                address=str(terms["address"]),
                grade_min=int(terms["grade_min"]),
                grade_max=int(terms["grade_max"]),
                price_per_pupil_minor=int(terms["price_per_pupil_minor"]),
                free_adults=int(terms["free_adults"]),
                free_places=culture_session.capacity - culture_session.booked,
            )
        )
    return views[:limit]


def bookings_of(
    session: Session, actor: Actor, school_id: int, year: CulturePassYear
) -> list[BookingView]:
    """The school's bookings of the year, newest session first."""
    check_coordinator(session, actor, school_id)
    rows = session.exec(
        select(CultureBooking, CultureSession, CultureService, Provider)
        .join(CultureSession, col(CultureSession.id) == CultureBooking.session_id)
        .join(CultureService, col(CultureService.id) == CultureSession.service_id)
        .join(Provider, col(Provider.id) == CultureService.provider_id)
        .join(SchoolWallet, col(SchoolWallet.id) == CultureBooking.wallet_id)
        .where(CultureBooking.school_id == school_id, SchoolWallet.year_id == year.id)
        .order_by(col(CultureSession.starts_at).desc(), col(CultureBooking.id).desc())
    ).all()
    return [
        BookingView(
            id=booking.id,  # type: ignore[arg-type]
            title=service.title,
            provider=provider.name,
            starts_at=culture_session.starts_at,
            class_name=booking.class_name,
            pupils=booking.pupils,
            adults=booking.adults,
            total_minor=booking.total_minor,
            status=booking.status,
            reason=booking.reason,
        )
        for booking, culture_session, service, provider in rows
    ]


def unserved_by_class(pupils: list[PupilView]) -> dict[str, int]:
    """How many active pupils of each class have had no service yet this year."""
    counts: dict[str, int] = {}
    for pupil in pupils:
        if pupil.active and not pupil.served:
            counts[pupil.class_name] = counts.get(pupil.class_name, 0) + 1
    return counts
