"""Funding periods: created, opened, changed and closed; their budget figures.

Closing a period releases every hold and expires what is unspent: the nominal never
rolls over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin
from navigator.domain.accounts.models import Child
from navigator.domain.certificates import ledger
from navigator.domain.certificates.ledger import period_money
from navigator.domain.certificates.models import Certificate, CertificateAccount, EntryKind
from navigator.domain.disputes.queries import count_undecided_in_period
from navigator.domain.enrollment.api import release_rest_of_hold
from navigator.domain.enrollment.models import LIVE_ENROLLMENT, Enrollment
from navigator.domain.funding.models import FundingPeriod, NominalRule, PeriodStatus
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import municipality_for_admin
from navigator.domain.shared import audit
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import (
    MAX_COUNT,
    check_choice,
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


@dataclass(frozen=True)
class ClosingSummary:
    accounts: int
    released_minor: int
    expired_minor: int
    open_disputes: int = 0  # disputes of its charges not decided yet: decide them first


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
    # a dispute's refund goes back to this period's account: every one is decided first
    # (opening one locks the period too, so none starts while this one closes)
    undecided = count_undecided_in_period(session, period_id)
    if undecided:
        raise Conflict("period_has_open_disputes", count=undecided)
    released = expired = count = 0
    accounts = session.exec(
        select(col(CertificateAccount.id), col(Child.guardian_id))
        .join(Certificate, col(Certificate.id) == CertificateAccount.certificate_id)
        .join(Child, col(Child.id) == Certificate.child_id)
        .where(CertificateAccount.period_id == period_id)
        .order_by(col(CertificateAccount.id))
    ).all()
    # every enrollment holding money in the period first, then the accounts (the lock order)
    holding: dict[int, list[Enrollment]] = {}
    for enrollment in locked_rows(
        session,
        Enrollment,
        select(Enrollment)
        .join(CertificateAccount, col(CertificateAccount.id) == Enrollment.account_id)
        .where(CertificateAccount.period_id == period_id)
        .order_by(col(Enrollment.id)),
    ):
        holding.setdefault(enrollment.account_id or 0, []).append(enrollment)
    for account_id, guardian_id in accounts:
        assert account_id is not None
        count += 1
        for enrollment in holding.get(account_id, []):
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


def period_for_admin(
    session: Session, actor: Actor, period_id: int, *, lock: bool = False
) -> FundingPeriod:
    period = (
        locked(session, FundingPeriod, period_id)
        if lock
        else get_row(session, FundingPeriod, period_id)
    )
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    return period


@dataclass(frozen=True)
class PeriodFigures:
    """A period and where its money is: promised (credited), committed (held), spent."""

    period: FundingPeriod
    committed_minor: int
    spent_minor: int

    @property
    def remaining_minor(self) -> int:
        return self.period.budget_minor - self.committed_minor - self.spent_minor


def periods_of(session: Session, actor: Actor, municipality_id: int) -> list[PeriodFigures]:
    municipality_for_admin(session, actor, municipality_id)
    periods = session.exec(
        select(FundingPeriod)
        .where(FundingPeriod.municipality_id == municipality_id)
        .order_by(col(FundingPeriod.starts_on).desc())
    ).all()
    return [PeriodFigures(p, *period_money(session, p.id)) for p in periods if p.id is not None]


def period_figures(session: Session, actor: Actor, period_id: int) -> PeriodFigures:
    period = period_for_admin(session, actor, period_id)
    assert period.id is not None
    return PeriodFigures(period, *period_money(session, period.id))


def update_period(
    session: Session,
    actor: Actor,
    period_id: int,
    *,
    name: str,
    budget_minor: int,
    max_funded_certificates: int,
) -> FundingPeriod:
    """Rename, change the budget or the certificate cap; never below what is already used."""
    period = period_for_admin(session, actor, period_id, lock=True)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict("period_closed")
    name = check_text(name, "name", max_length=100)
    budget_minor = check_positive(budget_minor, "budget")
    cap = check_positive(max_funded_certificates, "max_funded_certificates", maximum=MAX_COUNT)
    assert period.id is not None
    committed, spent = period_money(session, period.id)
    if budget_minor < committed + spent:
        raise Conflict(
            "budget_below_committed",
            committed_minor=committed + spent,
            currency=_currency(session, period),
        )
    if cap < period.funded_certificates:
        raise Conflict("cap_below_funded", funded=period.funded_certificates)
    before = {
        "name": period.name,
        "budget_minor": period.budget_minor,
        "max_funded_certificates": period.max_funded_certificates,
    }
    after = {"name": name, "budget_minor": budget_minor, "max_funded_certificates": cap}
    if before == after:
        return period
    period.name, period.budget_minor, period.max_funded_certificates = name, budget_minor, cap
    session.add(period)
    audit.record(
        session,
        actor,
        period.municipality_id,
        "period.updated",
        "period",
        period.id,
        payload={"before": before, "after": after},
    )
    session.flush()
    return period


def _currency(session: Session, period: FundingPeriod) -> str:
    municipality = get_row(session, Municipality, period.municipality_id)
    assert municipality is not None
    return municipality.currency


def open_period(session: Session, actor: Actor, period_id: int) -> FundingPeriod:
    """A draft period opens for funding once it has a nominal table."""
    period = period_for_admin(session, actor, period_id, lock=True)
    if period.status == PeriodStatus.OPEN:
        return period
    if period.status != PeriodStatus.DRAFT:
        raise Conflict("period_closed")
    has_rule = session.exec(
        select(NominalRule.id).where(NominalRule.period_id == period.id)
    ).first()
    if has_rule is None:
        raise Conflict("period_without_nominal")
    period.status = PeriodStatus.OPEN
    session.add(period)
    audit.record(session, actor, period.municipality_id, "period.opened", "period", period.id)
    session.flush()
    return period


def closing_preview(session: Session, actor: Actor, period_id: int) -> ClosingSummary:
    """What `close_period` would do now: holds it would release and balances it would expire."""
    period = period_for_admin(session, actor, period_id)
    if period.status == PeriodStatus.CLOSED:
        return ClosingSummary(0, 0, 0)
    accounts, held, unspent = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(CertificateAccount.held_minor), 0),
            func.coalesce(
                func.sum(
                    CertificateAccount.credited_minor
                    + CertificateAccount.refunded_minor
                    - CertificateAccount.captured_minor
                    - CertificateAccount.expired_minor
                ),
                0,
            ),
        ).where(CertificateAccount.period_id == period.id)
    ).one()
    return ClosingSummary(
        accounts=accounts,
        released_minor=held,
        expired_minor=unspent,
        open_disputes=count_undecided_in_period(session, period_id),
    )
