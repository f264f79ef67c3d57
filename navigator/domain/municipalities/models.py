"""A municipality and the rules it sets for every enrollment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
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
        CheckConstraint("dispute_window_days >= 1", name="ck_policy_dispute_window"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    max_funded_enrollments: int = 3
    absence_charge: str = Field(default=AbsenceCharge.NONE, max_length=10)
    prorate_late_start: bool = False
    attendance_correction_days: int = 7
    # its administrators sign in with a second factor (accounts.two_factor) to act for it
    require_two_factor: bool = False
    # how many days after a lesson its charge may still be disputed (disputes.api)
    dispute_window_days: int = 30
    # who comes off a waiting list first: ordered levels of WaitlistCriterion names; a child
    # meeting any criterion of a level goes before one who does not, the first level deciding,
    # the next ones ordering within it, then the time of application (enrollment.waitlist)
    waitlist_priority: list[list[str]] = Field(default_factory=list, sa_type=JSON)


class WaitlistCriterion(StrEnum):
    """What a waiting list may be ordered by: facts the municipality itself verified."""

    DISABILITY = "disability"  # the child's verified category
    LARGE_FAMILY = "large_family"  # the child's verified category
    HOME_MUNICIPALITY = "home_municipality"  # a verified child of the program's municipality
