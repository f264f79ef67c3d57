"""Certificates: issuing one per child and funding it for a period."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_guardian
from navigator.domain.accounts.children import same_child
from navigator.domain.accounts.models import Child
from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    CertificateStatus,
    EntryKind,
)
from navigator.domain.certificates.numbers import format_certificate_number, new_certificate_number
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.funding.nominal import nominal_for
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.shared.calendar import age_on, birthday, local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked

MIN_AGE, MAX_AGE = 5, 18


def issue_certificate(
    session: Session, actor: Actor, child_id: int, *, today: date | None = None
) -> Certificate:
    """One certificate per child for life, for ages 5 to 18, valid until the 18th birthday."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    existing = session.exec(select(Certificate).where(Certificate.child_id == child_id)).first()
    if existing is not None:
        raise Conflict("certificate_exists", number=format_certificate_number(existing.number))
    age = age_on(child.birth_date, today)
    if not MIN_AGE <= age < MAX_AGE:
        raise InvalidInput("certificate_age", min=MIN_AGE, max=MAX_AGE)
    namesakes = session.exec(
        select(Child)
        .join(Certificate, col(Certificate.child_id) == Child.id)
        .where(
            Child.municipality_id == child.municipality_id,
            Child.birth_date == child.birth_date,
            Child.id != child.id,
        )
    ).all()
    if any(same_child(c, child.first_name, child.last_name, child.birth_date) for c in namesakes):
        # one certificate per child: the same child entered again (by this or another
        # account) gets none until the municipality sorts it out
        raise Conflict("child_certificate_elsewhere")
    certificate = Certificate(
        child_id=child_id,
        number=_unused_number(session),
        status=CertificateStatus.ACCOUNTING,
        valid_until=birthday(child.birth_date, MAX_AGE),
    )
    session.add(certificate)
    session.flush()
    return certificate


def _unused_number(session: Session) -> str:
    while True:
        number = new_certificate_number()
        if session.exec(select(Certificate.id).where(Certificate.number == number)).first() is None:
            return number


def fund_certificate(
    session: Session,
    actor: Actor,
    certificate_id: int,
    period_id: int,
    *,
    today: date | None = None,
) -> CertificateAccount:
    """Credit the period's nominal; refused when the period's certificates are all issued.

    The budget bounds what holds and captures commit (see `accept_application`), not credits.

    Funding again for the same period returns the existing account and credits nothing.
    """
    period = locked(session, FundingPeriod, period_id)
    certificate = get_row(session, Certificate, certificate_id)
    if period is None or certificate is None:
        raise NotFound()
    child = check_guardian(session, actor, get_row(session, Child, certificate.child_id))
    if child.municipality_id != period.municipality_id:
        raise NotFound()
    existing = session.exec(
        select(CertificateAccount).where(
            CertificateAccount.certificate_id == certificate_id,
            CertificateAccount.period_id == period_id,
        )
    ).first()
    if existing is not None:
        return existing

    municipality = get_row(session, Municipality, period.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    if period.status != PeriodStatus.OPEN or not period.starts_on <= today <= period.ends_on:
        raise Conflict("period_not_open")
    if today >= certificate.valid_until:
        raise Conflict("certificate_expired")
    rule = nominal_for(session, period, age_on(child.birth_date, today), child.category, today)
    if rule is None:
        raise Conflict("no_nominal_rule")
    amount = _prorated(session, period, rule.amount_minor, today)
    if period.funded_certificates + 1 > period.max_funded_certificates:
        raise Conflict("period_certificate_cap_reached")

    account = CertificateAccount(
        certificate_id=certificate_id, period_id=period_id, nominal_rule_id=rule.id
    )
    session.add(account)
    session.flush()
    assert account.id is not None
    ledger.post(
        session,
        account.id,
        EntryKind.CREDIT,
        amount,
        f"credit:{certificate_id}:{period_id}",
        actor_id=actor.user_id,
        notify_user_id=child.guardian_id,
        note=period.name,
    )
    period.credited_minor += amount
    period.funded_certificates += 1
    certificate.status = CertificateStatus.FUNDED
    session.add_all([period, certificate])
    session.flush()
    session.refresh(account)
    return account


def _prorated(session: Session, period: FundingPeriod, amount: int, today: date) -> int:
    """With proration on, a late start gets the share of the period still ahead (floored)."""
    if (
        not policy_of(session, period.municipality_id).prorate_late_start
        or today <= period.starts_on
    ):
        return amount
    total_days = (period.ends_on - period.starts_on).days + 1
    days_left = (period.ends_on - today).days + 1
    return max(1, amount * days_left // total_days)


def request_certificate(
    session: Session, actor: Actor, child_id: int, *, today: date | None = None
) -> tuple[Certificate, DomainError | None]:
    """Issue the child's certificate and fund it from the open period, if one is running.

    The certificate is issued even when funding is refused (budget or cap spent, no
    nominal for this age); the refusal comes back so the parent can read why.
    """
    certificate = issue_certificate(session, actor, child_id, today=today)
    child = get_row(session, Child, child_id)
    assert child is not None and certificate.id is not None
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    period = session.exec(
        select(FundingPeriod).where(
            FundingPeriod.municipality_id == child.municipality_id,
            FundingPeriod.status == PeriodStatus.OPEN,
            FundingPeriod.starts_on <= today,
            FundingPeriod.ends_on >= today,
        )
    ).first()
    if period is None or period.id is None:
        return certificate, None
    try:
        with session.begin_nested():
            fund_certificate(session, actor, certificate.id, period.id, today=today)
    except DomainError as refusal:
        return certificate, refusal
    return certificate, None
