"""The tables. Money columns end in `_minor` (integer minor units); times are aware UTC.

Counters kept on rows (seats taken, an account's held and spent money) are what the
locks protect; CHECK constraints on them are the backstop if a rule is ever missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back aware datetimes on SQLite as well as PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: Iterable[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


# ---------------------------------------------------------------- enumerations


class Direction(StrEnum):
    TECHNICAL = "technical"
    NATURAL_SCIENCE = "natural_science"
    PHYSICAL_SPORTS = "physical_sports"
    ARTISTIC = "artistic"
    TOURISM_LOCAL_HISTORY = "tourism_local_history"
    SOCIAL_HUMANITARIAN = "social_humanitarian"


class ProgramFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"


class Language(StrEnum):
    RU = "ru"
    LT = "lt"
    EN = "en"


class CertificationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CERTIFIED = "certified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ProgramListing(StrEnum):
    """The provider's own switch, apart from certification: listed, paused, or put away."""

    LISTED = "listed"
    SUSPENDED = "suspended"  # hidden from the catalog; contracts already made run on
    ARCHIVED = "archived"  # hidden and read-only; only once no child is enrolled


class ProviderKind(StrEnum):
    MUNICIPAL = "municipal"
    PRIVATE = "private"
    INDIVIDUAL = "individual"


class Role(StrEnum):
    PARENT = "parent"
    PROVIDER_OWNER = "provider_owner"
    PROVIDER_STAFF = "provider_staff"
    MUNICIPALITY_ADMIN = "municipality_admin"
    SCHOOL_COORDINATOR = "school_coordinator"
    OPERATOR = "operator"


class ChildCategory(StrEnum):
    BASE = "base"
    DISABILITY = "disability"
    LARGE_FAMILY = "large_family"


class CertificateStatus(StrEnum):
    ACCOUNTING = "accounting"
    FUNDED = "funded"


class PeriodStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AbsenceCharge(StrEnum):
    NONE = "none"
    FULL = "full"


class EntryKind(StrEnum):
    CREDIT = "credit"
    HOLD = "hold"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"
    EXPIRE = "expire"


class EnrollmentStatus(StrEnum):
    APPLIED = "applied"
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


LIVE_ENROLLMENT = (
    EnrollmentStatus.APPLIED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.ACTIVE,
)
SEATED_ENROLLMENT = (EnrollmentStatus.ACCEPTED, EnrollmentStatus.ACTIVE)


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


# ---------------------------------------------------------------- municipality


class Municipality(SQLModel, table=True):
    __table_args__ = (CheckConstraint("length(currency) = 3", name="ck_municipality_currency"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    currency: str = Field(max_length=3)
    locale: str = Field(max_length=5)
    timezone: str = Field(max_length=64)
    created_at: datetime = _timestamp()


class MunicipalityPolicy(SQLModel, table=True):
    __tablename__ = "municipality_policy"
    __table_args__ = (
        CheckConstraint("max_funded_enrollments >= 1", name="ck_policy_max_funded"),
        CheckConstraint(_in("absence_charge", AbsenceCharge), name="ck_policy_absence"),
        CheckConstraint("attendance_correction_days >= 0", name="ck_policy_correction"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    max_funded_enrollments: int = 3
    absence_charge: str = Field(default=AbsenceCharge.NONE, max_length=10)
    prorate_late_start: bool = False
    attendance_correction_days: int = 7


class FundingPeriod(SQLModel, table=True):
    __tablename__ = "funding_period"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ck_period_dates"),
        CheckConstraint("budget_minor > 0", name="ck_period_budget"),
        CheckConstraint("max_funded_certificates > 0", name="ck_period_cap"),
        # the budget bounds what is committed and spent (holds and captures), not what is
        # credited: a municipality may fund more certificates than it expects to be used
        CheckConstraint("credited_minor >= 0", name="ck_period_credited"),
        CheckConstraint(
            "funded_certificates >= 0 AND funded_certificates <= max_funded_certificates",
            name="ck_period_funded",
        ),
        CheckConstraint(_in("status", PeriodStatus), name="ck_period_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=100)
    starts_on: date
    ends_on: date
    budget_minor: int = Field(sa_type=BigInteger)
    max_funded_certificates: int
    status: str = Field(default=PeriodStatus.OPEN, max_length=10)
    credited_minor: int = Field(default=0, sa_type=BigInteger)
    funded_certificates: int = 0
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NominalRule(SQLModel, table=True):
    """The nominal for children of an age range and category, from a date on."""

    __tablename__ = "nominal_rule"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="ck_nominal_amount"),
        CheckConstraint("age_min >= 0 AND age_min <= age_max", name="ck_nominal_ages"),
        CheckConstraint(_in("category", ChildCategory), name="ck_nominal_category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="funding_period.id", index=True)
    age_min: int
    age_max: int
    category: str = Field(default=ChildCategory.BASE, max_length=20)
    amount_minor: int = Field(sa_type=BigInteger)
    effective_from: date


# ---------------------------------------------------------------- people


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=300)
    full_name: str = Field(default="", max_length=200)
    locale: str = Field(default="ru", max_length=5)
    is_active: bool = True
    created_at: datetime = _timestamp()


class Membership(SQLModel, table=True):
    """A role a user holds, scoped to a municipality or a provider where the role needs one."""

    __table_args__ = (
        CheckConstraint(_in("role", Role), name="ck_membership_role"),
        UniqueConstraint("user_id", "role", "municipality_id", "provider_id", name="uq_membership"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    role: str = Field(max_length=30)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)


class Child(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("category", ChildCategory), name="ck_child_category"),)

    id: int | None = Field(default=None, primary_key=True)
    guardian_id: int = Field(foreign_key="app_user.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date
    category: str = Field(default=ChildCategory.BASE, max_length=20)
    district: str = Field(default="", max_length=100)  # where the family lives, for outreach
    created_at: datetime = _timestamp()


# ---------------------------------------------------------------- catalog


class Provider(SQLModel, table=True):
    __table_args__ = (CheckConstraint(_in("kind", ProviderKind), name="ck_provider_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    licence_number: str = Field(default="", max_length=60)
    admitted: bool = False
    admitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    admission_note: str = Field(default="", max_length=500)  # why admission was refused
    created_at: datetime = _timestamp()


class Program(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("direction", Direction), name="ck_program_direction"),
        CheckConstraint(_in("format", ProgramFormat), name="ck_program_format"),
        CheckConstraint(_in("language", Language), name="ck_program_language"),
        CheckConstraint(_in("certification_status", CertificationStatus), name="ck_program_cert"),
        CheckConstraint(_in("listing", ProgramListing), name="ck_program_listing"),
        CheckConstraint(
            "age_min >= 0 AND age_min <= age_max AND age_max <= 18", name="ck_program_ages"
        ),
        UniqueConstraint("provider_id", "external_id", name="uq_program_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    external_id: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    direction: str = Field(max_length=30)
    age_min: int
    age_max: int
    format: str = Field(default=ProgramFormat.IN_PERSON, max_length=20)
    language: str = Field(max_length=5)
    address: str = Field(default="", max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    tags: str = Field(default="", max_length=500)
    photo: str = Field(default="", max_length=60)  # a file under var/media/programs
    certification_status: str = Field(default=CertificationStatus.DRAFT, max_length=20)
    listing: str = Field(default=ProgramListing.LISTED, max_length=10)
    is_free: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()

    @property
    def payable_by_certificate(self) -> bool:
        return self.certification_status == CertificationStatus.CERTIFIED and not self.is_free


class Group(SQLModel, table=True):
    """A group of a program: timetable, dates, seats and the price of one lesson."""

    __tablename__ = "program_group"
    __table_args__ = (
        CheckConstraint("seats > 0", name="ck_group_seats"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="ck_group_seats_taken"),
        CheckConstraint("price_per_lesson_minor >= 0", name="ck_group_price"),
        CheckConstraint("ends_on >= starts_on", name="ck_group_dates"),
        Index("uq_group_external", "program_id", "external_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    external_id: str | None = Field(default=None, max_length=100)  # the provider's own id
    name: str = Field(max_length=100)
    teacher: str = Field(default="", max_length=200)
    # [{"weekday": 1..7 (ISO), "start": "HH:MM", "end": "HH:MM"}]
    timetable: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    excluded_dates: list[str] = Field(default_factory=list, sa_type=JSON)
    starts_on: date
    ends_on: date
    seats: int
    seats_taken: int = 0
    price_per_lesson_minor: int = Field(sa_type=BigInteger)
    enrollment_open: bool = True
    created_at: datetime = _timestamp()


# ---------------------------------------------------------------- certificates and money


class Certificate(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(_in("status", CertificateStatus), name="ck_certificate_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", unique=True)
    number: str = Field(max_length=20, unique=True)
    status: str = Field(default=CertificateStatus.ACCOUNTING, max_length=20)
    valid_until: date
    issued_at: datetime = _timestamp()


class CertificateAccount(SQLModel, table=True):
    """A certificate's money in one funding period; the counters mirror the ledger."""

    __tablename__ = "certificate_account"
    __table_args__ = (
        UniqueConstraint("certificate_id", "period_id", name="uq_account_period"),
        CheckConstraint(
            "credited_minor >= 0 AND held_minor >= 0 AND captured_minor >= 0"
            " AND refunded_minor >= 0 AND expired_minor >= 0",
            name="ck_account_nonnegative",
        ),
        CheckConstraint(
            "credited_minor + refunded_minor - captured_minor - held_minor - expired_minor >= 0",
            name="ck_account_balance",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    period_id: int = Field(foreign_key="funding_period.id", index=True)
    nominal_rule_id: int | None = Field(default=None, foreign_key="nominal_rule.id")
    credited_minor: int = Field(default=0, sa_type=BigInteger)
    held_minor: int = Field(default=0, sa_type=BigInteger)
    captured_minor: int = Field(default=0, sa_type=BigInteger)
    refunded_minor: int = Field(default=0, sa_type=BigInteger)
    expired_minor: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = _timestamp()

    @property
    def available_minor(self) -> int:
        return (
            self.credited_minor
            + self.refunded_minor
            - self.captured_minor
            - self.held_minor
            - self.expired_minor
        )


class Enrollment(SQLModel, table=True):
    """A child's place in a group and the contract's money: agreed share, hold, captures."""

    __table_args__ = (
        CheckConstraint(_in("status", EnrollmentStatus), name="ck_enrollment_status"),
        CheckConstraint(
            "held_minor >= 0 AND captured_minor >= 0 AND released_minor >= 0"
            " AND captured_minor + released_minor <= held_minor",
            name="ck_enrollment_hold",
        ),
        CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= captured_minor",
            name="ck_enrollment_refund",
        ),
        CheckConstraint(
            "certificate_share_minor >= 0 AND copayment_minor >= 0"
            " AND certificate_share_minor + copayment_minor = contract_minor",
            name="ck_enrollment_breakdown",
        ),
        Index(
            "uq_enrollment_live",
            "child_id",
            "group_id",
            unique=True,
            sqlite_where=text(_in("status", LIVE_ENROLLMENT)),
            postgresql_where=text(_in("status", LIVE_ENROLLMENT)),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    group_id: int = Field(foreign_key="program_group.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="certificate_account.id", index=True)
    status: str = Field(default=EnrollmentStatus.APPLIED, max_length=20)
    funded: bool = False
    contract_starts_on: date
    contract_lessons: int = 0
    # The certificate pays for lessons up to this date (period end, or the 18th birthday).
    funded_until: date | None = None
    funded_lessons: int = 0
    price_per_lesson_minor: int = Field(default=0, sa_type=BigInteger)
    contract_minor: int = Field(default=0, sa_type=BigInteger)
    certificate_share_minor: int = Field(default=0, sa_type=BigInteger)
    copayment_minor: int = Field(default=0, sa_type=BigInteger)
    held_minor: int = Field(default=0, sa_type=BigInteger)
    captured_minor: int = Field(default=0, sa_type=BigInteger)
    released_minor: int = Field(default=0, sa_type=BigInteger)
    # Captures given back by attendance corrections; a seated enrollment holds them again.
    refunded_minor: int = Field(default=0, sa_type=BigInteger)
    lessons_charged: int = 0  # funded lessons charged to the certificate so far
    reason: str = Field(default="", max_length=500)
    applied_at: datetime = _timestamp()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def hold_remaining_minor(self) -> int:
        return self.held_minor - self.captured_minor - self.released_minor


class Attendance(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("enrollment_id", "lesson_date", name="uq_attendance_lesson"),
        CheckConstraint(_in("status", AttendanceStatus), name="ck_attendance_status"),
        CheckConstraint("charged_minor >= 0", name="ck_attendance_charged"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    lesson_date: date
    status: str = Field(max_length=10)
    charged_minor: int = Field(default=0, sa_type=BigInteger)
    marked_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    marked_at: datetime = _timestamp()


class AttendanceCorrection(SQLModel, table=True):
    """The audit trail of a changed mark: who changed what, when, why, and the money it moved."""

    __tablename__ = "attendance_correction"
    __table_args__ = (
        CheckConstraint(_in("from_status", AttendanceStatus), name="ck_correction_from"),
        CheckConstraint(_in("to_status", AttendanceStatus), name="ck_correction_to"),
        CheckConstraint(
            "refunded_minor >= 0 AND captured_minor >= 0", name="ck_correction_amounts"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    attendance_id: int = Field(foreign_key="attendance.id", index=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    lesson_date: date
    from_status: str = Field(max_length=10)
    to_status: str = Field(max_length=10)
    reason: str = Field(max_length=300)
    refunded_minor: int = Field(default=0, sa_type=BigInteger)
    captured_minor: int = Field(default=0, sa_type=BigInteger)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    corrected_at: datetime = _timestamp()


class LedgerEntry(SQLModel, table=True):
    """Append-only: a row is never updated or deleted. The idempotency key makes retries safe."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(_in("kind", EntryKind), name="ck_ledger_kind"),
        CheckConstraint("amount_minor > 0", name="ck_ledger_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="certificate_account.id", index=True)
    kind: str = Field(max_length=10)
    amount_minor: int = Field(sa_type=BigInteger)
    idempotency_key: str = Field(max_length=120, unique=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    attendance_id: int | None = Field(default=None, foreign_key="attendance.id")
    note: str = Field(default="", max_length=300)
    created_at: datetime = _timestamp()


class Notification(SQLModel, table=True):
    """What a user is told: every move of their child's certificate money, among others."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _timestamp()
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- sign-in


class LoginSession(SQLModel, table=True):
    """A signed-in browser. Only the token's SHA-256 is stored; the cookie holds the token."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, counted per e-mail and per client address to slow down guessing."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)  # SHA-256 of "email:..." or "ip:..."
    at: datetime = _timestamp(index=True)


class PasswordReset(SQLModel, table=True):
    """A password-reset link: its token's SHA-256, single use, short-lived."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutgoingMail(SQLModel, table=True):
    """Mail written in the transaction that causes it, delivered after the commit."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str
    created_at: datetime = _timestamp()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ApiKey(SQLModel, table=True):
    """A provider's key for its own e-journal system: shown once, stored as a SHA-256."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    created_by_id: int = Field(foreign_key="app_user.id")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EnrollmentOffer(SQLModel, table=True):
    """An enrollment a provider prepared at its desk (certificate number + birth date).

    Nothing is held until the parent confirms it in their cabinet; then it becomes an
    application, accepted at once because the provider asked for it.
    """

    __tablename__ = "enrollment_offer"
    __table_args__ = (
        CheckConstraint(
            "decision IN ('pending', 'confirmed', 'declined')", name="ck_offer_decision"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    group_id: int = Field(foreign_key="program_group.id", index=True)
    offered_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decision: str = Field(default="pending", max_length=10)
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id")
    created_at: datetime = _timestamp()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffInvitation(SQLModel, table=True):
    """An owner's invitation to join the provider: the link's token is kept only as a hash."""

    __tablename__ = "staff_invitation"
    __table_args__ = (
        CheckConstraint("role IN ('provider_owner', 'provider_staff')", name="ck_invitation_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=30)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """A municipality's decision: who, when, what, why, and the state it acted on.

    Admissions, certification decisions (with the program as certified, for the next diff),
    funding periods, budgets, nominal values and policy changes. Rows are never changed.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=40)
    subject: str = Field(max_length=20)  # provider, program, period, policy
    subject_id: int | None = None
    reason: str = Field(default="", max_length=500)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = _timestamp(index=True)
