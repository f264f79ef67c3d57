"""Funding periods and their nominal rules; closing a period expires what is unspent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from navigator.domain import audit, ledger
from navigator.domain.access import Actor, check_municipality_admin
from navigator.domain.db import locked
from navigator.domain.enrollment import release_rest_of_hold
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.models import (
    LIVE_ENROLLMENT,
    Certificate,
    CertificateAccount,
    Child,
    ChildCategory,
    Enrollment,
    EntryKind,
    FundingPeriod,
    Municipality,
    NominalRule,
    PeriodStatus,
    utcnow,
)
from navigator.domain.validation import (
    MAX_COUNT,
    check_age_range,
    check_choice,
    check_date,
    check_date_range,
    check_positive,
    check_text,
)


def create_period(
    session: Session,
    actor: Actor,
    municipality_id: int,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    budget_minor: int,
    max_funded_certificates: int,
    status: PeriodStatus = PeriodStatus.OPEN,
) -> FundingPeriod:
    check_municipality_admin(session, actor, municipality_id)
    # locked: two overlapping periods created at once must not both pass the overlap check
    if locked(session, Municipality, municipality_id) is None:
        raise NotFound()
    check_date_range(starts_on, ends_on)
    if ends_on == starts_on:
        raise InvalidInput("dates_reversed")
    status = PeriodStatus(check_choice(status, "status", PeriodStatus))
    overlapping = session.exec(
        select(FundingPeriod.id).where(
            FundingPeriod.municipality_id == municipality_id,
            FundingPeriod.starts_on <= ends_on,
            FundingPeriod.ends_on >= starts_on,
        )
    ).first()
    if overlapping is not None:
        raise Conflict("period_overlaps")
    period = FundingPeriod(
        municipality_id=municipality_id,
        name=check_text(name, "name", max_length=100),
        starts_on=starts_on,
        ends_on=ends_on,
        budget_minor=check_positive(budget_minor, "budget"),
        max_funded_certificates=check_positive(
            max_funded_certificates, "max_funded_certificates", maximum=MAX_COUNT
        ),
        status=status,
    )
    session.add(period)
    session.flush()
    audit.record(
        session,
        actor,
        municipality_id,
        "period.created",
        "period",
        period.id,
        payload={
            "name": period.name,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "budget_minor": period.budget_minor,
            "max_funded_certificates": period.max_funded_certificates,
        },
    )
    return period


def add_nominal_rule(
    session: Session,
    actor: Actor,
    period_id: int,
    *,
    age_min: int,
    age_max: int,
    amount_minor: int,
    category: str = ChildCategory.BASE,
    effective_from: date | None = None,
) -> NominalRule:
    """A new rule applies to certificates funded from its date on; credited money never changes."""
    period = session.get(FundingPeriod, period_id)
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    check_age_range(age_min, age_max)
    if effective_from is not None:
        check_date(effective_from, "effective_from")
    rule = NominalRule(
        period_id=period_id,
        age_min=age_min,
        age_max=age_max,
        category=check_choice(category, "category", ChildCategory),
        amount_minor=check_positive(amount_minor, "nominal"),
        effective_from=effective_from or period.starts_on,
    )
    session.add(rule)
    session.flush()
    return rule


@dataclass(frozen=True)
class ClosingSummary:
    accounts: int
    released_minor: int
    expired_minor: int


def close_period(session: Session, actor: Actor, period_id: int) -> ClosingSummary:
    """Release every open hold and expire every unspent balance: the nominal never rolls over.

    Lessons not marked by now are no longer paid by the certificate; live enrollments go on
    with the parent paying, and count no more toward the funded-programs limit.
    """
    period = locked(session, FundingPeriod, period_id)
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    if period.status == PeriodStatus.CLOSED:
        return ClosingSummary(0, 0, 0)
    released = expired = count = 0
    accounts = session.exec(
        select(col(CertificateAccount.id), col(Child.guardian_id))
        .join(Certificate, col(Certificate.id) == CertificateAccount.certificate_id)
        .join(Child, col(Child.id) == Certificate.child_id)
        .where(CertificateAccount.period_id == period_id)
        .order_by(col(CertificateAccount.id))
    ).all()
    for account_id, guardian_id in accounts:
        assert account_id is not None
        count += 1
        holding = session.exec(
            select(Enrollment)
            .where(Enrollment.account_id == account_id)
            .order_by(col(Enrollment.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for enrollment in holding:
            released += release_rest_of_hold(session, actor, enrollment, guardian_id)
            if enrollment.status in LIVE_ENROLLMENT:
                enrollment.funded = False  # the rest of the contract is the parent's to pay
            session.add(enrollment)
        account = locked(session, CertificateAccount, account_id)
        assert account is not None
        if account.available_minor > 0:
            expired += account.available_minor
            ledger.post(
                session,
                account_id,
                EntryKind.EXPIRE,
                account.available_minor,
                f"expire:{account_id}",
                actor_id=actor.user_id,
                notify_user_id=guardian_id,
                note=period.name,
            )
    period.status = PeriodStatus.CLOSED
    period.closed_at = utcnow()
    session.add(period)
    audit.record(
        session,
        actor,
        period.municipality_id,
        "period.closed",
        "period",
        period.id,
        payload={"accounts": count, "released_minor": released, "expired_minor": expired},
    )
    session.flush()
    return ClosingSummary(accounts=count, released_minor=released, expired_minor=expired)
