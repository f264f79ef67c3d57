"""The programme operator's reads: the years, every school of a year with its wallet and its
coordinators, and the services to review. A handful of queries whatever the number of
schools (a thousand schools is one page of the operator's work, not a thousand queries)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import User
from navigator.domain.culture.access import check_culture_operator
from navigator.domain.culture.models import (
    CoordinatorInvitation,
    CulturePassYear,
    CultureService,
    School,
    SchoolCoordinator,
    SchoolWallet,
    ServiceStatus,
)
from navigator.domain.culture.services import PHOTO, REVIEWED_FIELDS
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.models import utcnow


@dataclass(frozen=True)
class YearLine:
    year: CulturePassYear
    schools: int


def years(session: Session, actor: Actor) -> list[YearLine]:
    """Every year of the programme, the latest first, with how many schools it credited."""
    check_culture_operator(session, actor)
    counts = dict(
        session.exec(
            select(SchoolWallet.year_id, func.count()).group_by(col(SchoolWallet.year_id))
        ).all()
    )
    return [
        YearLine(year, int(counts.get(year.id or 0, 0)))
        for year in session.exec(
            select(CulturePassYear).order_by(col(CulturePassYear.year).desc())
        ).all()
    ]


@dataclass(frozen=True)
class CoordinatorLine:
    user_id: int
    email: str


@dataclass(frozen=True)
class SchoolLine:
    """A school in one year: its wallet's counters (they equal `wallet_sums`) and who books."""

    school_id: int
    code: str
    name: str
    municipality: str
    wallet_id: int
    pupils: int
    allocated_minor: int
    held_minor: int
    charged_minor: int
    refunded_minor: int
    expired_minor: int
    available_minor: int
    coordinators: tuple[CoordinatorLine, ...]
    pending_invitations: int

    @property
    def no_coordinator(self) -> bool:
        return not self.coordinators


@dataclass(frozen=True)
class YearSchools:
    year: CulturePassYear
    schools: list[SchoolLine]

    @property
    def without_coordinator(self) -> int:
        return sum(1 for s in self.schools if s.no_coordinator)

    def total(self, figure: str) -> int:
        """The sum of one figure (`pupils`, `allocated_minor`, …) over the year's schools."""
        return sum(getattr(s, figure) for s in self.schools)


def schools_of_year(
    session: Session, actor: Actor, year_id: int, *, now: datetime | None = None
) -> YearSchools:
    """Every school credited in the year, by name: three queries in all."""
    check_culture_operator(session, actor)
    year = get_row(session, CulturePassYear, year_id) if isinstance(year_id, int) else None
    if year is None:
        raise NotFound()
    rows = session.exec(
        select(School, SchoolWallet)
        .join(SchoolWallet, col(SchoolWallet.school_id) == School.id)
        .where(SchoolWallet.year_id == year_id)
        .order_by(col(School.name), col(School.id))
    ).all()
    people: dict[int, list[CoordinatorLine]] = defaultdict(list)
    for school_id, user_id, email in session.exec(
        select(SchoolCoordinator.school_id, User.id, User.email)
        .join(User, col(User.id) == SchoolCoordinator.user_id)
        .join(SchoolWallet, col(SchoolWallet.school_id) == SchoolCoordinator.school_id)
        .where(SchoolWallet.year_id == year_id)
        .order_by(col(User.email))
    ).all():
        people[school_id].append(CoordinatorLine(user_id, email))  # type: ignore[arg-type]
    waiting = Counter(
        dict(
            session.exec(
                select(CoordinatorInvitation.school_id, func.count())
                .join(
                    SchoolWallet,
                    col(SchoolWallet.school_id) == CoordinatorInvitation.school_id,
                )
                .where(
                    SchoolWallet.year_id == year_id,
                    col(CoordinatorInvitation.accepted_at).is_(None),
                    col(CoordinatorInvitation.revoked_at).is_(None),
                    CoordinatorInvitation.expires_at > (now or utcnow()),
                )
                .group_by(col(CoordinatorInvitation.school_id))
            ).all()
        )
    )
    return YearSchools(
        year,
        [
            SchoolLine(
                school_id=school.id,  # type: ignore[arg-type]
                code=school.code,
                name=school.name,
                municipality=school.municipality,
                wallet_id=wallet.id,  # type: ignore[arg-type]
                pupils=wallet.pupils,
                allocated_minor=wallet.allocated_minor,
                held_minor=wallet.held_minor,
                charged_minor=wallet.charged_minor,
                refunded_minor=wallet.refunded_minor,
                expired_minor=wallet.expired_minor,
                available_minor=wallet.available_minor,
                coordinators=tuple(people.get(school.id, ())),  # type: ignore[arg-type]
                pending_invitations=int(waiting.get(school.id, 0)),  # type: ignore[arg-type]
            )
            for school, wallet in rows
        ],
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any  # None: not in the approved version (a first review)
    after: Any


@dataclass(frozen=True)
class ServiceLine:
    service: CultureService
    provider_name: str
    changes: tuple[FieldChange, ...]  # waiting: what differs from the approved version

    @property
    def first_review(self) -> bool:
        return self.service.approved_version is None


def _changes(service: CultureService) -> tuple[FieldChange, ...]:
    """What the operator is asked to approve: every field the first time, else what changed
    since the version schools book now."""
    approved = service.approved_version
    if approved is None:
        return tuple(FieldChange(n, None, getattr(service, n)) for n in (*REVIEWED_FIELDS, PHOTO))
    # a version approved before services had photos had none
    approved = {PHOTO: "", **approved}
    return tuple(
        FieldChange(name, approved.get(name), getattr(service, name))
        for name in (*REVIEWED_FIELDS, PHOTO)
        if approved.get(name) != getattr(service, name)
    )


@dataclass(frozen=True)
class ServiceReview:
    waiting: list[ServiceLine]  # submitted, oldest first
    decided: list[ServiceLine]  # approved and suspended, by title


def services_for_review(session: Session, actor: Actor) -> ServiceReview:
    """The review queue, and the services schools may book or were stopped from booking."""
    check_culture_operator(session, actor)
    rows = session.exec(
        select(CultureService, Provider.name)
        .join(Provider, col(Provider.id) == CultureService.provider_id)
        .where(
            col(CultureService.status).in_(
                [ServiceStatus.SUBMITTED, ServiceStatus.APPROVED, ServiceStatus.SUSPENDED]
            )
        )
        .order_by(col(CultureService.created_at), col(CultureService.id))
    ).all()
    waiting = [
        ServiceLine(service, name, _changes(service))
        for service, name in rows
        if service.status == ServiceStatus.SUBMITTED
    ]
    decided = sorted(
        (
            ServiceLine(service, name, ())
            for service, name in rows
            if service.status != ServiceStatus.SUBMITTED
        ),
        key=lambda line: (line.service.title.casefold(), line.service.id or 0),
    )
    return ServiceReview(waiting, decided)
