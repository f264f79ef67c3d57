"""A dispute of one charge, and the steps it goes through.

One table serves both funding schemes: a parent disputes a lesson charge of a child's
certificate (a capture in the certificate ledger), a school coordinator a culture session's
charge of the school's wallet. The provider who was paid answers (accepts: the charge is
refunded; or contests with a reason); a dispute left unanswered for five working days
escalates; the municipality (for a certificate) or the programme operator (for the culture
pass) decides what is contested or escalated. A charge is disputed at most once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

# the tables a dispute points at, known to the metadata wherever a dispute is written
from navigator.domain.certificates import models as _certificates  # noqa: F401
from navigator.domain.culture import models as _culture  # noqa: F401
from navigator.domain.enrollment import models as _enrollment  # noqa: F401
from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


class DisputeSubject(StrEnum):
    CERTIFICATE_CHARGE = "certificate_charge"  # a lesson charged to a child's certificate
    CULTURE_CHARGE = "culture_charge"  # a culture session charged to a school's wallet


class DisputeStatus(StrEnum):
    OPEN = "open"  # waiting for the provider
    ACCEPTED = "accepted"  # the provider agreed: refunded
    CONTESTED = "contested"  # the provider disagreed: waiting for a decision
    ESCALATED = "escalated"  # the provider did not answer in time: waiting for a decision
    UPHELD = "upheld"  # decided for the one who disputed: refunded
    REJECTED = "rejected"  # decided for the provider: the charge stays


UNDECIDED = (DisputeStatus.OPEN, DisputeStatus.CONTESTED, DisputeStatus.ESCALATED)
AWAITING_DECISION = (DisputeStatus.CONTESTED, DisputeStatus.ESCALATED)
REFUNDED = (DisputeStatus.ACCEPTED, DisputeStatus.UPHELD)


class Dispute(SQLModel, table=True):
    """Guarded by its charge's place: every step of a certificate dispute locks the
    enrollment first (a culture dispute its booking), then reads the dispute again."""

    __tablename__ = "dispute"
    __table_args__ = (
        CheckConstraint(one_of("subject", DisputeSubject), name="ck_dispute_subject"),
        CheckConstraint(one_of("status", DisputeStatus), name="ck_dispute_status"),
        CheckConstraint(
            "amount_minor > 0 AND refunded_minor >= 0 AND refunded_minor <= amount_minor",
            name="ck_dispute_amounts",
        ),
        CheckConstraint(
            "(subject = 'certificate_charge' AND ledger_entry_id IS NOT NULL"
            " AND enrollment_id IS NOT NULL AND municipality_id IS NOT NULL)"
            " OR (subject = 'culture_charge' AND culture_booking_id IS NOT NULL)",
            name="ck_dispute_charge",
        ),
        Index("ix_dispute_queue", "status", "answer_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=20)
    status: str = Field(default=DisputeStatus.OPEN, max_length=10)
    # a certificate charge: the capture, its place and its lesson; never disputed twice
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id", unique=True)
    enrollment_id: int | None = Field(default=None, foreign_key="enrollment.id", index=True)
    attendance_id: int | None = Field(default=None, foreign_key="attendance.id")
    # a culture charge: the booking whose attended pupils were charged; never disputed twice
    culture_booking_id: int | None = Field(
        default=None, foreign_key="culture_booking.id", unique=True
    )
    # who decides a certificate dispute (the programme operator decides a culture one)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)  # who answers
    opened_by_id: int = Field(foreign_key="app_user.id", index=True)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    lesson_date: date  # the lesson, or the culture session's day
    comment: str = Field(default="", max_length=500)  # the parent's or coordinator's words
    answer_due_at: datetime = Field(sa_type=UTCDateTime)
    provider_reason: str = Field(default="", max_length=500)
    answered_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=500)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refunded_minor: int = Field(default=0, sa_type=BigInteger)
    opened_at: datetime = timestamp_field()
