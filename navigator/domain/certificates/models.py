"""Certificates, their accounts per funding period, and the append-only ledger."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import one_of, timestamp_field


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
