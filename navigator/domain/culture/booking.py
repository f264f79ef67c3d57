"""Class bookings: every reservation holds its money from the first click.

Booking a session for a class holds the total in the school's wallet and each pupil's share
against that pupil's yearly cap, at once, or refuses with what failed and holds nothing. The
provider confirms or declines (declining releases everything); the coordinator cancels until
the year's deadline; after the session the provider records who came: they are charged, the
others released. A reservation never confirmed expires when its session begins.

Locks, in the order of `shared/locks.py`: the booking, its session, the school's wallet,
the pupils' years in id order. The wallet lock serialises all bookings of one school, so two
coordinators booking at once can overdraw neither the wallet nor a pupil's cap.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import VILNIUS, check_coordinator, local_day
from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    LIVE_BOOKING,
    BookingPupil,
    BookingStatus,
    CultureBooking,
    CulturePassYear,
    CultureService,
    CultureSession,
    Pupil,
    PupilYear,
    School,
    SchoolWallet,
    SeatStatus,
    WalletEntryKind,
    YearStatus,
)
from navigator.domain.culture.roster import grade_of
from navigator.domain.culture.services import bookable_terms, check_price_within, staff_service
from navigator.domain.culture.wallet import post
from navigator.domain.culture.years import year_on
from navigator.domain.notifications.fanout import notify_provider, notify_school
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_text, is_row_id

REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{8,80}")
MAX_PUPILS_PER_BOOKING = 200


@dataclass(frozen=True)
class PupilCap:
    pupil_id: int
    name: str
    class_name: str
    remaining_minor: int  # of the yearly cap, before this booking
    after_minor: int  # after it (negative: over the cap)


@dataclass(frozen=True)
class BookingQuote:
    pupils: int
    adults: int
    price_per_pupil_minor: int
    total_minor: int
    wallet_before_minor: int
    wallet_after_minor: int
    caps: list[PupilCap]
    cap_minor: int  # the year's cap per pupil

    @property
    def over_cap(self) -> list[PupilCap]:
        return [cap for cap in self.caps if cap.after_minor < 0]


@dataclass(frozen=True)
class _Request:
    culture_session: CultureSession
    service: CultureService
    year: CulturePassYear
    price: int
    pupils: list[Pupil]
    school_id: int


def _pupil_ids(pupil_ids: Sequence[object]) -> list[int]:
    if not isinstance(pupil_ids, list | tuple) or not pupil_ids:
        raise InvalidInput("pupils_required", field="pupils")
    if len(pupil_ids) > MAX_PUPILS_PER_BOOKING:
        raise InvalidInput("query_out_of_range", field="pupils", min=1, max=MAX_PUPILS_PER_BOOKING)
    if not all(is_row_id(p) for p in pupil_ids):
        raise NotFound()
    return [int(p) for p in pupil_ids]  # type: ignore[call-overload]


def _read_request(
    session: Session,
    actor: Actor,
    session_id: int,
    pupil_ids: Sequence[object],
    adults: int,
    now: datetime,
    culture_session: CultureSession | None = None,
) -> _Request:
    """Everything a booking is checked against, in the order a coordinator reads the
    reasons: what is booked, for whom, when; the money comes after, under the locks."""
    ids = _pupil_ids(pupil_ids)
    if culture_session is None:
        culture_session = (
            get_row(session, CultureSession, session_id) if is_row_id(session_id) else None
        )
    if culture_session is None:
        raise NotFound()
    service = get_row(session, CultureService, culture_session.service_id)
    assert service is not None
    terms = bookable_terms(service)
    if terms is None:
        raise Conflict("service_not_approved")
    pupils = list(session.exec(select(Pupil).where(col(Pupil.id).in_(ids))).all())
    by_id = {p.id: p for p in pupils}
    schools = {p.school_id for p in pupils}
    if len(by_id) != len(set(ids)) or len(schools) != 1:
        raise NotFound()  # another school's pupil, or none: not found, as any other id
    school_id = schools.pop()
    check_coordinator(session, actor, school_id)
    twice = [by_id[p] for p, n in Counter(ids).items() if n > 1]
    if twice:
        raise InvalidInput("pupil_twice", field="pupils", pupils=_names(twice))
    gone = [p for p in pupils if not p.active]
    if gone:
        raise Conflict("pupil_not_active", pupils=_names(gone))
    if isinstance(adults, bool) or not isinstance(adults, int) or adults < 0:
        raise InvalidInput("must_be_whole_number", field="adults")
    if adults > terms["free_adults"]:
        raise InvalidInput("too_many_adults", field="adults", max=terms["free_adults"])
    if culture_session.starts_at <= now:
        raise Conflict("session_past")
    year = year_on(session, local_day(culture_session.starts_at))
    if year is None or year.status != YearStatus.OPEN:
        raise Conflict("outside_window")
    check_price_within(terms, year)
    grades = {grade_of(p.class_name) for p in pupils}
    if any(not terms["grade_min"] <= g <= terms["grade_max"] for g in grades):
        raise Conflict("grade_not_served", min=terms["grade_min"], max=terms["grade_max"])
    ordered = [by_id[i] for i in dict.fromkeys(ids)]
    return _Request(
        culture_session, service, year, int(terms["price_per_pupil_minor"]), ordered, school_id
    )


def _classes(pupils: Sequence[Pupil]) -> str:
    """'5A' or '5A, 5B'; several more are summed up so the column (20) always holds them."""
    names = sorted({p.class_name for p in pupils})
    joined = ", ".join(names)
    return joined if len(joined) <= 20 else f"{names[0]} +{len(names) - 1}"


def _names(pupils: Sequence[Pupil]) -> str:
    return ", ".join(f"{p.first_name} {p.last_name} ({p.class_name})" for p in pupils)


def _booked_on(session: Session, session_id: int, pupil_ids: list[int]) -> list[Pupil]:
    """Those of the pupils already holding (or charged for) a place on this session."""
    return list(
        session.exec(
            select(Pupil)
            .join(BookingPupil, col(BookingPupil.pupil_id) == Pupil.id)
            .join(CultureBooking, col(CultureBooking.id) == BookingPupil.booking_id)
            .where(
                CultureBooking.session_id == session_id,
                col(BookingPupil.pupil_id).in_(pupil_ids),
                col(BookingPupil.status).in_([SeatStatus.HELD, SeatStatus.CHARGED]),
            )
            .order_by(col(Pupil.class_name), col(Pupil.last_name))
        ).all()
    )


def _wallet(session: Session, school_id: int, year_id: int) -> SchoolWallet:
    wallet = session.exec(
        select(SchoolWallet).where(
            SchoolWallet.school_id == school_id, SchoolWallet.year_id == year_id
        )
    ).first()
    if wallet is None:
        raise Conflict("school_has_no_wallet")
    return wallet


def _spent_by(session: Session, pupil_ids: list[int], year_id: int) -> dict[int, int]:
    """What each pupil's share already holds or has spent this year."""
    return {
        row.pupil_id: row.held_minor + row.charged_minor
        for row in session.exec(
            select(PupilYear).where(
                col(PupilYear.pupil_id).in_(pupil_ids), PupilYear.year_id == year_id
            )
        ).all()
    }


def quote_booking(
    session: Session,
    actor: Actor,
    session_id: int,
    pupil_ids: Sequence[object],
    adults: int = 0,
    *,
    now: datetime | None = None,
) -> BookingQuote:
    """What booking these pupils would cost and leave: the wallet before and after, and each
    pupil's remaining yearly cap (the screen shows it before anything is held)."""
    request = _read_request(session, actor, session_id, pupil_ids, adults, now or utcnow())
    wallet = _wallet(session, request.school_id, request.year.id)  # type: ignore[arg-type]
    return _quote(session, request, wallet, adults)


def _quote(session: Session, request: _Request, wallet: SchoolWallet, adults: int) -> BookingQuote:
    ids = [p.id for p in request.pupils if p.id is not None]
    spent = _spent_by(session, ids, request.year.id)  # type: ignore[arg-type]
    cap, price = request.year.cap_minor, request.price
    total = price * len(ids)
    return BookingQuote(
        pupils=len(ids),
        adults=adults,
        price_per_pupil_minor=price,
        total_minor=total,
        wallet_before_minor=wallet.available_minor,
        wallet_after_minor=wallet.available_minor - total,
        cap_minor=cap,
        caps=[
            PupilCap(
                pupil_id=p.id,  # type: ignore[arg-type]
                name=f"{p.first_name} {p.last_name}",
                class_name=p.class_name,
                remaining_minor=cap - spent.get(p.id, 0),  # type: ignore[arg-type]
                after_minor=cap - spent.get(p.id, 0) - price,  # type: ignore[arg-type]
            )
            for p in request.pupils
        ],
    )


def book_session(
    session: Session,
    actor: Actor,
    session_id: int,
    pupil_ids: Sequence[object],
    adults: int,
    request_key: str,
    *,
    now: datetime | None = None,
) -> CultureBooking:
    """Reserve the session for these pupils, holding the total in the wallet and each share
    against its pupil's cap; the same request (key) twice books once."""
    now = now or utcnow()
    if not isinstance(request_key, str) or not REQUEST_KEY.fullmatch(request_key):
        raise InvalidInput("field_not_allowed", field="request_key", allowed="A-Z, 0-9, _, -")
    if not is_row_id(session_id):
        raise NotFound()
    _read_request(session, actor, session_id, pupil_ids, adults, now)  # refuse before locking
    target = locked(session, CultureSession, session_id)
    if target is None:
        raise NotFound()
    same = session.exec(
        select(CultureBooking).where(CultureBooking.request_key == request_key)
    ).first()
    if same is not None:  # the same click again, seen after the first one's lock
        if same.session_id != session_id or same.booked_by != actor.user_id:
            raise Conflict("request_key_used")
        return same
    request = _read_request(session, actor, session_id, pupil_ids, adults, now, target)
    pupils = request.pupils
    already = _booked_on(session, session_id, [p.id for p in pupils])  # type: ignore[misc]
    if already:  # under the session's lock: no other booking of it can slip in between
        raise Conflict("pupil_already_booked", pupils=_names(already))
    if target.booked + len(pupils) > target.capacity:
        raise Conflict("session_full", free=target.capacity - target.booked)
    wallet = locked(session, SchoolWallet, _wallet(session, request.school_id, request.year.id).id)  # type: ignore[arg-type]
    assert wallet is not None and wallet.id is not None
    quote = _quote(session, request, wallet, adults)
    over = quote.over_cap
    if over:
        raise Conflict(
            "pupil_cap_exceeded",
            pupils=", ".join(f"{c.name} ({c.class_name})" for c in over),
            cap=f"{request.year.cap_minor / 100:.2f}",
        )
    if quote.total_minor > wallet.available_minor:
        raise Conflict(
            "wallet_insufficient",
            available=f"{wallet.available_minor / 100:.2f}",
            total=f"{quote.total_minor / 100:.2f}",
        )
    years = _pupil_years(session, [p.id for p in pupils], request.year)  # type: ignore[misc]
    booking = CultureBooking(
        session_id=session_id,
        school_id=request.school_id,
        wallet_id=wallet.id,
        class_name=_classes(pupils),
        price_per_pupil_minor=request.price,
        pupils=len(pupils),
        adults=adults,
        total_minor=quote.total_minor,
        request_key=request_key,
        booked_by=actor.user_id,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    assert booking.id is not None
    for pupil in pupils:
        year_row = years[pupil.id]  # type: ignore[index]
        year_row.held_minor += request.price
        session.add(year_row)
        session.add(
            BookingPupil(
                booking_id=booking.id,
                session_id=session_id,
                pupil_id=pupil.id,  # type: ignore[arg-type]
                pupil_year_id=year_row.id,  # type: ignore[arg-type]
                amount_minor=request.price,
            )
        )
    target.booked += len(pupils)
    session.add(target)
    if quote.total_minor:
        post(
            session,
            wallet.id,
            WalletEntryKind.HOLD,
            quote.total_minor,
            f"hold:{booking.id}",
            actor_id=actor.user_id,
            booking_id=booking.id,
        )
    tell_about_booking(session, booking, "culture_provider.booked")
    session.flush()
    return booking


def _pupil_years(
    session: Session, pupil_ids: list[int], year: CulturePassYear
) -> dict[int, PupilYear]:
    """Each pupil's row for the year, made when missing, then locked in id order. Only ever
    called under the school's wallet lock, so no two transactions make the same row."""
    existing = set(
        session.exec(
            select(PupilYear.pupil_id).where(
                col(PupilYear.pupil_id).in_(pupil_ids), PupilYear.year_id == year.id
            )
        ).all()
    )
    for pupil_id in pupil_ids:
        if pupil_id not in existing:
            session.add(PupilYear(pupil_id=pupil_id, year_id=year.id, cap_minor=year.cap_minor))  # type: ignore[arg-type]
    session.flush()
    rows = locked_rows(
        session,
        PupilYear,
        select(PupilYear)
        .where(col(PupilYear.pupil_id).in_(pupil_ids), PupilYear.year_id == year.id)
        .order_by(col(PupilYear.id)),
    )
    return {row.pupil_id: row for row in rows}


# ---------------------------------------------------------------- after the reservation


def _started(session: Session, booking: CultureBooking, now: datetime) -> bool:
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    return culture_session.starts_at <= now


def _provider_booking(session: Session, actor: Actor, booking_id: int) -> CultureBooking:
    """The booking, locked, when the actor works for the provider of its service."""
    booking = get_row(session, CultureBooking, booking_id) if is_row_id(booking_id) else None
    if booking is None:
        raise NotFound()
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    staff_service(session, actor, culture_session.service_id)
    locked_booking = locked(session, CultureBooking, booking_id)
    assert locked_booking is not None
    return locked_booking


def confirm_booking(
    session: Session, actor: Actor, booking_id: int, *, now: datetime | None = None
) -> CultureBooking:
    """The provider takes the class; only before the session begins (a reservation not
    confirmed by then has expired, whether or not the clock's job has run yet)."""
    now = now or utcnow()
    booking = _provider_booking(session, actor, booking_id)
    if booking.status == BookingStatus.CONFIRMED:
        return booking  # confirming twice changes nothing
    if booking.status != BookingStatus.RESERVED:
        raise Conflict("booking_not_reserved")
    if _started(session, booking, now):  # the clock's job releases it, if it has not yet
        raise Conflict("booking_expired_at_start")
    booking.status, booking.decided_at = BookingStatus.CONFIRMED, utcnow()
    session.add(booking)
    tell_about_booking(session, booking, "culture_booking.confirmed")
    return booking


def decline_booking(
    session: Session, actor: Actor, booking_id: int, reason: str, *, now: datetime | None = None
) -> CultureBooking:
    """The provider cannot take the class: everything held goes back."""
    reason = check_text(reason, "reason", max_length=1000)
    booking = _provider_booking(session, actor, booking_id)
    if booking.status not in LIVE_BOOKING:
        raise Conflict("booking_not_reserved")
    if _started(session, booking, now or utcnow()):
        raise Conflict("session_started_record_attendance")  # who came is recorded instead
    _release_all(session, booking, BookingStatus.DECLINED, actor, reason)
    tell_about_booking(session, booking, "culture_booking.declined", reason=reason)
    return booking


def cancel_booking(
    session: Session, actor: Actor, booking_id: int, *, now: datetime | None = None
) -> CultureBooking:
    """The coordinator's cancellation, until the year's deadline before the session."""
    now = now or utcnow()
    booking = get_row(session, CultureBooking, booking_id) if is_row_id(booking_id) else None
    if booking is None:
        raise NotFound()
    check_coordinator(session, actor, booking.school_id)
    booking = locked(session, CultureBooking, booking_id)  # type: ignore[assignment]
    assert booking is not None
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.status not in LIVE_BOOKING:
        raise Conflict("booking_not_reserved")
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    year = year_on(session, local_day(culture_session.starts_at))
    days = year.cancel_days if year is not None else 0
    # the same wall-clock time `days` before, in Vilnius (a DST change does not shift it)
    deadline = culture_session.starts_at.astimezone(VILNIUS) - timedelta(days=days)
    if now >= deadline:
        raise Conflict("cancel_deadline_passed", days=days)
    _release_all(session, booking, BookingStatus.CANCELLED, actor, "")
    tell_about_booking(session, booking, "culture_provider.cancelled")
    return booking


def due_reservations(
    session: Session, *, now: datetime | None = None, limit: int = 200
) -> list[int]:
    """Reservations never confirmed whose session has begun: the scheduled job expires each
    with `expire_reservation`, one transaction each."""
    now = now or utcnow()
    return [
        booking_id
        for booking_id in session.exec(
            select(CultureBooking.id)
            .join(CultureSession, col(CultureSession.id) == CultureBooking.session_id)
            .where(CultureBooking.status == BookingStatus.RESERVED, CultureSession.starts_at <= now)
            .order_by(col(CultureBooking.id))
            .limit(limit)
        ).all()
        if booking_id is not None
    ]


def expire_reservation(session: Session, booking_id: int, *, now: datetime | None = None) -> bool:
    """Expire one reservation whose session has begun, releasing its holds; False when it was
    confirmed or cancelled a moment before."""
    now = now or utcnow()
    booking = locked(session, CultureBooking, booking_id)
    if booking is None or booking.status != BookingStatus.RESERVED:
        return False
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    if culture_session.starts_at > now:
        return False
    _release_all(session, booking, BookingStatus.EXPIRED, Actor.system(), "")
    tell_about_booking(session, booking, "culture_booking.expired")
    tell_about_booking(session, booking, "culture_provider.expired")  # its places are free
    return True


ATTENDANCE_DAYS = 14  # a provider records who came within this many days, or nobody is charged


def unrecorded_bookings(
    session: Session, *, now: datetime | None = None, limit: int = 200
) -> list[int]:
    """Confirmed bookings whose session began more than ATTENDANCE_DAYS ago and whose
    attendance was never recorded: the clock releases them (`release_unrecorded`)."""
    cutoff = (now or utcnow()) - timedelta(days=ATTENDANCE_DAYS)
    return [
        booking_id
        for booking_id in session.exec(
            select(CultureBooking.id)
            .join(CultureSession, col(CultureSession.id) == CultureBooking.session_id)
            .where(
                CultureBooking.status == BookingStatus.CONFIRMED,
                CultureSession.starts_at <= cutoff,
            )
            .order_by(col(CultureBooking.id))
            .limit(limit)
        ).all()
        if booking_id is not None
    ]


def release_unrecorded(session: Session, booking_id: int, *, now: datetime | None = None) -> bool:
    """Release a confirmed booking nobody recorded attendance for in time: the school is not
    charged for what nobody said took place, and the year can close."""
    cutoff = (now or utcnow()) - timedelta(days=ATTENDANCE_DAYS)
    booking = locked(session, CultureBooking, booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return False
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    if culture_session.starts_at > cutoff:
        return False
    _release_all(session, booking, BookingStatus.EXPIRED, Actor.system(), "attendance_not_recorded")
    tell_about_booking(session, booking, "culture_booking.released")
    tell_about_booking(session, booking, "culture_provider.released")  # nothing is paid for it
    return True


def _release_all(
    session: Session, booking: CultureBooking, status: BookingStatus, actor: Actor, reason: str
) -> None:
    """Everything the booking holds goes back, once: the session's places, the wallet, every
    pupil's share."""
    culture_session = locked(session, CultureSession, booking.session_id)
    assert culture_session is not None
    culture_session.booked -= booking.pupils
    session.add(culture_session)
    held = _seats(session, booking.id, SeatStatus.HELD)  # type: ignore[arg-type]
    _settle(session, booking, actor, released=held, charged=[])
    booking.status, booking.reason, booking.decided_at = status, reason, utcnow()
    session.add(booking)
    session.flush()


def _seats(session: Session, booking_id: int, status: SeatStatus) -> list[BookingPupil]:
    return list(
        session.exec(
            select(BookingPupil)
            .where(BookingPupil.booking_id == booking_id, BookingPupil.status == status)
            .order_by(col(BookingPupil.id))
        ).all()
    )


def _settle(
    session: Session,
    booking: CultureBooking,
    actor: Actor,
    *,
    released: list[BookingPupil],
    charged: list[BookingPupil],
) -> None:
    wallet = locked(session, SchoolWallet, booking.wallet_id)
    assert wallet is not None
    seats = released + charged
    years = {
        row.id: row
        for row in locked_rows(
            session,
            PupilYear,
            select(PupilYear)
            .where(col(PupilYear.id).in_([s.pupil_year_id for s in seats]))
            .order_by(col(PupilYear.id)),
        )
    }
    for seat, status in [(s, SeatStatus.RELEASED) for s in released] + [
        (s, SeatStatus.CHARGED) for s in charged
    ]:
        row = years[seat.pupil_year_id]
        row.held_minor -= seat.amount_minor
        if status == SeatStatus.CHARGED:
            row.charged_minor += seat.amount_minor
        seat.status = status
        session.add(row)
        session.add(seat)
    for kind, part in ((WalletEntryKind.RELEASE, released), (WalletEntryKind.CHARGE, charged)):
        amount = sum(s.amount_minor for s in part)
        if amount:
            post(
                session,
                booking.wallet_id,
                kind,
                amount,
                f"{kind.value}:{booking.id}",
                actor_id=actor.user_id,
                booking_id=booking.id,
            )


def record_attendance(
    session: Session,
    actor: Actor,
    booking_id: int,
    attended: Sequence[object],
    *,
    now: datetime | None = None,
) -> CultureBooking:
    """After the session: the pupils who came are charged, the others released. Once."""
    now = now or utcnow()
    if not isinstance(attended, list | tuple) or not all(is_row_id(p) for p in attended):
        raise InvalidInput("field_not_allowed", field="attended", allowed="pupil ids")
    booking = _provider_booking(session, actor, booking_id)
    if booking.status == BookingStatus.DELIVERED:
        return booking  # the same register twice charges once
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("booking_not_confirmed")
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    if now < culture_session.starts_at:
        raise Conflict("session_not_started")
    locked(session, CultureSession, booking.session_id)  # the lock order: session, wallet
    held = _seats(session, booking.id, SeatStatus.HELD)  # type: ignore[arg-type]
    came = {int(p) for p in attended}  # type: ignore[call-overload]
    unknown = came - {s.pupil_id for s in held}
    if unknown:
        raise NotFound()  # a pupil not booked on it
    charged = [s for s in held if s.pupil_id in came]
    _settle(
        session,
        booking,
        actor,
        released=[s for s in held if s.pupil_id not in came],
        charged=charged,
    )
    booking.status, booking.decided_at = BookingStatus.DELIVERED, now
    session.add(booking)
    tell_about_booking(
        session,
        booking,
        "culture_booking.delivered",
        amount_minor=sum(s.amount_minor for s in charged),
    )
    session.flush()
    return booking


def tell_about_booking(
    session: Session,
    booking: CultureBooking,
    kind: str,
    *,
    amount_minor: int | None = None,
    reason: str = "",
) -> None:
    """A booking's step told to the other side: `culture_provider.*` to the provider's team,
    `culture_booking.*` to the school's coordinators. The class, the service, the day and
    the money; never a pupil's name (the roster is personal data; these words go into mail)."""
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    service = get_row(session, CultureService, culture_session.service_id)
    assert service is not None and booking.id is not None
    payload: dict[str, object] = {
        "booking_id": booking.id,
        "class_name": booking.class_name,
        "service_title": (service.approved_version or {}).get("title", service.title),
        "lesson_date": local_day(culture_session.starts_at).isoformat(),
        "amount_minor": booking.total_minor if amount_minor is None else amount_minor,
        "currency": CULTURE_CURRENCY,
        "pupils": str(booking.pupils),
    }
    if reason:
        payload["reason"] = reason
    if kind.startswith("culture_provider."):
        school = get_row(session, School, booking.school_id)
        payload["school_name"] = school.name if school is not None else ""
        notify_provider(session, service.provider_id, kind, payload)
    else:
        notify_school(
            session, booking.school_id, kind, {"provider_id": service.provider_id, **payload}
        )
