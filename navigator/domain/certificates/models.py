"""Certificates, their accounts per funding period, and the append-only ledger."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import UTCDateTime, one_of, timestamp_field


class CertificateStatus(StrEnum):
    ACCOUNTING = "accounting"
    FUNDED = "funded"


class EntryKind(StrEnum):
    CREDIT = "credit"
    HOLD = "hold"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"
    EXPIRE = "expire"


class Certificate(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(one_of("status", CertificateStatus), name="ck_certificate_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", unique=True)
    number: str = Field(max_length=20, unique=True)
    status: str = Field(default=CertificateStatus.ACCOUNTING, max_length=20)
    valid_until: date
    issued_at: datetime = timestamp_field()


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
    created_at: datetime = timestamp_field()

    @property
    def available_minor(self) -> int:
        return (
            self.credited_minor
            + self.refunded_minor
            - self.captured_minor
            - self.held_minor
            - self.expired_minor
        )


class LedgerEntry(SQLModel, table=True):
    """Append-only: a row is never updated or deleted. The idempotency key makes retries safe."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(one_of("kind", EntryKind), name="ck_ledger_kind"),
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
    created_at: datetime = timestamp_field()


class RequestKind(StrEnum):
    IDENTITY = "identity"  # who the child is: names, birth date, national identifier
    CATEGORY = "category"  # disability, large family: a larger nominal


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # superseded by a newer request for the same child


class VerificationRequest(SQLModel, table=True):
    """A parent asks the municipality to verify their child (to get a certificate) or the
    child's category. Guarded by the child's row lock: every change locks the child first.

    An identity request carries the identity to verify; approving it writes that identity
    onto the child. The identifier is kept only as its keyed digest and a two-digit hint.
    """

    __tablename__ = "verification_request"
    __table_args__ = (
        CheckConstraint(one_of("kind", RequestKind), name="ck_request_kind"),
        CheckConstraint(one_of("status", RequestStatus), name="ck_request_status"),
        Index("ix_request_queue", "municipality_id", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    guardian_id: int = Field(foreign_key="app_user.id")
    municipality_id: int = Field(foreign_key="municipality.id")
    kind: str = Field(max_length=10)
    status: str = Field(default=RequestStatus.PENDING, max_length=10)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    birth_date: date | None = None
    national_id_digest: str = Field(default="", max_length=64, index=True)
    national_id_hint: str = Field(default="", max_length=8)
    category: str = Field(default="", max_length=20)
    # why a registry did not verify it at once (a message code), for the official
    registry_note: str = Field(default="", max_length=40)
    reason: str = Field(default="", max_length=500)  # a refusal, for the parent
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = timestamp_field()


class RegistryChild(SQLModel, table=True):
    """A row of a registry file the municipality imported: a child it already knows, with
    the guardian's e-mail. A request that matches it, guardian included, is verified."""

    __tablename__ = "registry_child"
    __table_args__ = (
        UniqueConstraint("municipality_id", "national_id_digest", name="uq_registry_child"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    national_id_digest: str = Field(max_length=64)
    birth_date: date
    category: str = Field(default="base", max_length=20)
    guardian_email: str = Field(max_length=254)
    imported_at: datetime = timestamp_field()
