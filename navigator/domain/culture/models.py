"""The culture pass: a school's wallet per year, its pupils' yearly caps, culture services,
their sessions and the class bookings that hold money from the first click."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from navigator.domain.shared import outbox
from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field

CULTURE_CURRENCY = "EUR"  # the programme's: every figure of the culture pass is in euros


class YearStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the year end: unspent wallets expired


class CulturePassYear(SQLModel, table=True):
    """A calendar year of the programme: the per-pupil amount a wallet is credited with, the
    per-pupil cap, the window services run in, and the date pupils are counted on."""

    __tablename__ = "culture_year"
    __table_args__ = (
        CheckConstraint(one_of("status", YearStatus), name="ck_culture_year_status"),
        CheckConstraint(
            "per_pupil_minor > 0 AND cap_minor >= per_pupil_minor", name="ck_culture_year_money"
        ),
        CheckConstraint("window_end >= window_start", name="ck_culture_year_window"),
        CheckConstraint("cancel_days >= 0", name="ck_culture_year_cancel_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    per_pupil_minor: int = Field(sa_type=BigInteger)
    cap_minor: int = Field(sa_type=BigInteger)
    window_start: date
    window_end: date
    reference_date: date
    cancel_days: int = 7  # a coordinator cancels until this many days before a session
    status: str = Field(default=YearStatus.OPEN, max_length=10)
    created_at: datetime = timestamp_field()


class CultureOperator(SQLModel, table=True):
    """The programme operator (the national centre): opens years, imports schools, reviews
    services, replaces a school's last coordinator. Made with `navigator culture operator`."""

    __tablename__ = "culture_operator"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    created_at: datetime = timestamp_field()


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # the national register's code
    name: str = Field(max_length=300)
    municipality: str = Field(default="", max_length=100)
    created_at: datetime = timestamp_field()


class SchoolCoordinator(SQLModel, table=True):
    """A person who books for a school. A school keeps at least one once it has had one."""

    __tablename__ = "school_coordinator"
    __table_args__ = (UniqueConstraint("school_id", "user_id", name="uq_school_coordinator"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    granted_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = timestamp_field()


class CoordinatorInvitation(SQLModel, table=True):
    """The operator's (or a coordinator's) invitation to book for a school; the link's token
    is kept only as a hash, as a provider's staff invitation is."""

    __tablename__ = "coordinator_invitation"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    email: str = Field(max_length=254)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    replaces_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WalletEntryKind(StrEnum):
    ALLOCATION = "allocation"  # pupils × per-pupil amount, once a year
    ADJUSTMENT_UP = "adjust_up"  # a corrected pupil count, audited
    ADJUSTMENT_DOWN = "adjust_down"
    HOLD = "hold"  # a booking, from its first click
    RELEASE = "release"  # cancelled, declined, expired, absent
    CHARGE = "charge"  # attended
    REFUND = "refund"  # a disputed charge taken back
    EXPIRY = "expiry"  # the year's unspent money


class SchoolWallet(SQLModel, table=True):
    """A school's money in one year; the counters mirror the entries."""

    __tablename__ = "school_wallet"
    __table_args__ = (
        UniqueConstraint("school_id", "year_id", name="uq_school_wallet_year"),
        CheckConstraint(
            "allocated_minor >= 0 AND held_minor >= 0 AND charged_minor >= 0"
            " AND refunded_minor >= 0 AND expired_minor >= 0 AND pupils >= 0",
            name="ck_school_wallet_nonnegative",
        ),
        CheckConstraint(
            "allocated_minor + refunded_minor - charged_minor - held_minor - expired_minor >= 0",
            name="ck_school_wallet_balance",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    year_id: int = Field(foreign_key="culture_year.id", index=True)
    pupils: int = 0  # counted on the year's reference date (corrections adjust it)
    allocated_minor: int = Field(default=0, sa_type=BigInteger)
    held_minor: int = Field(default=0, sa_type=BigInteger)
    charged_minor: int = Field(default=0, sa_type=BigInteger)
    refunded_minor: int = Field(default=0, sa_type=BigInteger)
    expired_minor: int = Field(default=0, sa_type=BigInteger)

    @property
    def available_minor(self) -> int:
        return (
            self.allocated_minor
            + self.refunded_minor
            - self.charged_minor
            - self.held_minor
            - self.expired_minor
        )


class WalletEntry(SQLModel, table=True):
    """Append-only; the idempotency key makes a repeated request move money once."""

    __tablename__ = "wallet_entry"
    __table_args__ = (
        CheckConstraint(one_of("kind", WalletEntryKind), name="ck_wallet_entry_kind"),
        CheckConstraint("amount_minor > 0", name="ck_wallet_entry_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wallet_id: int = Field(foreign_key="school_wallet.id", index=True)
    kind: str = Field(max_length=12)
    amount_minor: int = Field(sa_type=BigInteger)
    idempotency_key: str = Field(max_length=120, unique=True)
    booking_id: int | None = Field(default=None, foreign_key="culture_booking.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()


class Pupil(SQLModel, table=True):
    """A roster entry: personal data, seen by the school's coordinators (and a booked
    session's provider, by name only); never indexed, never logged."""

    __table_args__ = (UniqueConstraint("school_id", "register_id", name="uq_pupil_register"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    class_name: str = Field(max_length=20)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    register_id: str = Field(max_length=40)
    active: bool = True  # left the school: kept for the year's records, booked no more
    created_at: datetime = timestamp_field()


class PupilYear(SQLModel, table=True):
    """What one pupil's share of bookings holds and has spent in a year, under the cap."""

    __tablename__ = "pupil_year"
    __table_args__ = (
        UniqueConstraint("pupil_id", "year_id", name="uq_pupil_year"),
        CheckConstraint(
            "held_minor >= 0 AND charged_minor >= 0 AND held_minor + charged_minor <= cap_minor",
            name="ck_pupil_year_cap",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    year_id: int = Field(foreign_key="culture_year.id", index=True)
    cap_minor: int = Field(sa_type=BigInteger)  # the year's, kept on the row for the CHECK
    held_minor: int = Field(default=0, sa_type=BigInteger)
    charged_minor: int = Field(default=0, sa_type=BigInteger)


class ServiceStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ServicePlace(StrEnum):
    ON_SITE = "on_site"  # at the provider's place
    AT_SCHOOL = "at_school"
    ONLINE = "online"


class CultureService(SQLModel, table=True):
    __tablename__ = "culture_service"
    __table_args__ = (
        CheckConstraint(one_of("status", ServiceStatus), name="ck_culture_service_status"),
        CheckConstraint(one_of("place", ServicePlace), name="ck_culture_service_place"),
        CheckConstraint(
            "price_per_pupil_minor >= 0 AND price_per_pupil_minor % 10 = 0",
            name="ck_culture_service_price",
        ),
        CheckConstraint(
            "grade_min >= 1 AND grade_max <= 12 AND grade_min <= grade_max",
            name="ck_culture_service_grades",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    art_form: str = Field(max_length=30)
    grade_min: int = 1
    grade_max: int = 12
    duration_minutes: int = 60
    language: str = Field(default="lt", max_length=5)
    place: str = Field(default=ServicePlace.ON_SITE, max_length=12)
    address: str = Field(default="", max_length=300)
    price_per_pupil_minor: int = Field(sa_type=BigInteger)
    free_adults: int = 2  # accompanying adults who come free
    photo: str = Field(default="", max_length=60)  # a file under var/media, as programs' are
    status: str = Field(default=ServiceStatus.SUBMITTED, max_length=12)
    reason: str = Field(default="", max_length=1000)  # why rejected or suspended
    approved_version: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    created_at: datetime = timestamp_field()


class CultureSession(SQLModel, table=True):
    """A date and time a service is given, for at most `capacity` pupils."""

    __tablename__ = "culture_session"
    __table_args__ = (
        CheckConstraint(
            "capacity > 0 AND booked >= 0 AND booked <= capacity",
            name="ck_culture_session_capacity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="culture_service.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    booked: int = 0  # pupils of live bookings (reserved or confirmed or delivered)
    created_at: datetime = timestamp_field()


class BookingStatus(StrEnum):
    RESERVED = "reserved"  # holds the wallet and every pupil's share
    CONFIRMED = "confirmed"  # by the provider
    DELIVERED = "delivered"  # attendance recorded: who came charged, who did not released
    DECLINED = "declined"  # by the provider, with a reason
    CANCELLED = "cancelled"  # by the coordinator, before the deadline
    EXPIRED = "expired"  # never confirmed before the session began


LIVE_BOOKING = (BookingStatus.RESERVED, BookingStatus.CONFIRMED)


class CultureBooking(SQLModel, table=True):
    __tablename__ = "culture_booking"
    __table_args__ = (
        CheckConstraint(one_of("status", BookingStatus), name="ck_culture_booking_status"),
        CheckConstraint("adults >= 0 AND pupils > 0", name="ck_culture_booking_people"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="culture_session.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    wallet_id: int = Field(foreign_key="school_wallet.id", index=True)
    class_name: str = Field(default="", max_length=20)
    price_per_pupil_minor: int = Field(sa_type=BigInteger)  # as agreed, kept
    pupils: int
    adults: int = 0
    total_minor: int = Field(sa_type=BigInteger)
    status: str = Field(default=BookingStatus.RESERVED, max_length=12)
    reason: str = Field(default="", max_length=1000)
    request_key: str = Field(max_length=80, unique=True)  # the same click twice books once
    booked_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = timestamp_field()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SeatStatus(StrEnum):
    HELD = "held"
    CHARGED = "charged"
    RELEASED = "released"


TAKEN_SEAT = one_of("status", [SeatStatus.HELD, SeatStatus.CHARGED])


class BookingPupil(SQLModel, table=True):
    """One pupil of a booking and that pupil's share of its price.

    The session is kept on the row so that the database itself refuses a pupil holding two
    places on one session (the booking checks it first, under the session's lock; the index
    is the backstop should any later code path forget to)."""

    __tablename__ = "booking_pupil"
    __table_args__ = (
        UniqueConstraint("booking_id", "pupil_id", name="uq_booking_pupil"),
        CheckConstraint(one_of("status", SeatStatus), name="ck_booking_pupil_status"),
        Index(
            "uq_booking_pupil_session_taken",
            "session_id",
            "pupil_id",
            unique=True,
            sqlite_where=text(TAKEN_SEAT),
            postgresql_where=text(TAKEN_SEAT),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="culture_booking.id", index=True)
    session_id: int = Field(foreign_key="culture_session.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    pupil_year_id: int = Field(foreign_key="pupil_year.id", index=True)
    amount_minor: int = Field(sa_type=BigInteger)
    status: str = Field(default=SeatStatus.HELD, max_length=10)


# the public culture catalog shows bookable services and their next sessions with free
# places: a service's change, its review and every session's (its seats too) reach the index
outbox.publishes(CultureService, lambda s, _new: outbox.culture_service_change(s.id))
outbox.publishes(CultureSession, lambda s, _new: outbox.culture_service_change(s.service_id))
