"""Enrollments (a child's place and contract in a group), attendance, corrections and offers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


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


class Enrollment(SQLModel, table=True):
    """A child's place in a group and the contract's money: agreed share, hold, captures."""

    __table_args__ = (
        CheckConstraint(one_of("status", EnrollmentStatus), name="ck_enrollment_status"),
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
            sqlite_where=text(one_of("status", LIVE_ENROLLMENT)),
            postgresql_where=text(one_of("status", LIVE_ENROLLMENT)),
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
    applied_at: datetime = timestamp_field()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def hold_remaining_minor(self) -> int:
        return self.held_minor - self.captured_minor - self.released_minor


class Attendance(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("enrollment_id", "lesson_date", name="uq_attendance_lesson"),
        CheckConstraint(one_of("status", AttendanceStatus), name="ck_attendance_status"),
        CheckConstraint("charged_minor >= 0", name="ck_attendance_charged"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", index=True)
    lesson_date: date
    status: str = Field(max_length=10)
    charged_minor: int = Field(default=0, sa_type=BigInteger)
    marked_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    marked_at: datetime = timestamp_field()


class AttendanceCorrection(SQLModel, table=True):
    """The audit trail of a changed mark: who changed what, when, why, and the money it moved."""

    __tablename__ = "attendance_correction"
    __table_args__ = (
        CheckConstraint(one_of("from_status", AttendanceStatus), name="ck_correction_from"),
        CheckConstraint(one_of("to_status", AttendanceStatus), name="ck_correction_to"),
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
    corrected_at: datetime = timestamp_field()


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
    created_at: datetime = timestamp_field()
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A parent's private calendar link (/calendar/<token>.ics): one live link per parent,
    revoked when the parent makes a new one or turns it off.

    A request is looked up by the token's SHA-256, so no comparison of the secret itself can
    leak it by timing. The token is kept too, so the parent can copy the link again: it reads
    only their children's first names and lessons, far less than the database around it.
    """

    __tablename__ = "calendar_feed"
    __table_args__ = (
        Index(
            "uq_calendar_feed_live",
            "user_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    token: str = Field(max_length=64)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
