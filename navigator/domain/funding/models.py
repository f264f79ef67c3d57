"""Funding periods and the nominal values of certificates funded in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.accounts.models import ChildCategory
from navigator.domain.shared.models import UTCDateTime, one_of


class PeriodStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


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
        CheckConstraint(one_of("status", PeriodStatus), name="ck_period_status"),
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
        CheckConstraint(one_of("category", ChildCategory), name="ck_nominal_category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="funding_period.id", index=True)
    age_min: int
    age_max: int
    category: str = Field(default=ChildCategory.BASE, max_length=20)
    amount_minor: int = Field(sa_type=BigInteger)
    effective_from: date
