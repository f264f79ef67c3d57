"""A municipality and the rules it sets for every enrollment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
)
from sqlmodel import Field, SQLModel

from navigator.domain.shared.models import one_of, timestamp_field


class AbsenceCharge(StrEnum):
    NONE = "none"
    FULL = "full"


class Municipality(SQLModel, table=True):
    __table_args__ = (CheckConstraint("length(currency) = 3", name="ck_municipality_currency"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    currency: str = Field(max_length=3)
    locale: str = Field(max_length=5)
    timezone: str = Field(max_length=64)
    created_at: datetime = timestamp_field()


class MunicipalityPolicy(SQLModel, table=True):
    __tablename__ = "municipality_policy"
    __table_args__ = (
        CheckConstraint("max_funded_enrollments >= 1", name="ck_policy_max_funded"),
        CheckConstraint(one_of("absence_charge", AbsenceCharge), name="ck_policy_absence"),
        CheckConstraint("attendance_correction_days >= 0", name="ck_policy_correction"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    max_funded_enrollments: int = 3
    absence_charge: str = Field(default=AbsenceCharge.NONE, max_length=10)
    prorate_late_start: bool = False
    attendance_correction_days: int = 7
    # its administrators sign in with a second factor (accounts.two_factor) to act for it
    require_two_factor: bool = False
