"""Certificates: issuing one per child and funding it for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from navigator.domain.accounts.access import Actor, check_guardian
from navigator.domain.accounts.models import Child, User
from navigator.domain.certificates import ledger, verification
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    CertificateStatus,
    EntryKind,
    RequestKind,
    RequestStatus,
    VerificationRequest,
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
    """One certificate per child for life, for ages 5 to 18, valid until the 18th birthday,
    and only for a verified child: one child is one national identifier (see verification),
    however many accounts type in its name and birth date."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    existing = session.exec(select(Certificate).where(Certificate.child_id == child_id)).first()
    if existing is not None:
        raise Conflict("certificate_exists", number=format_certificate_number(existing.number))
    _check_age(child, today)
    if not child.verified:
        raise Conflict("child_not_verified")
    certificate = Certificate(
        child_id=child_id,
        number=_unused_number(session),
        status=CertificateStatus.ACCOUNTING,
        valid_until=birthday(child.birth_date, MAX_AGE),
    )
    session.add(certificate)
    session.flush()
    return certificate


def _check_age(child: Child, today: date) -> None:
    age = age_on(child.birth_date, today)
    if not MIN_AGE <= age < MAX_AGE:
        raise InvalidInput("certificate_age", min=MIN_AGE, max=MAX_AGE)


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


@dataclass(frozen=True)
class CertificateRequestOutcome:
    """What a parent's request came to: a certificate (funded, or with the reason it is not),
    or a verification request waiting for the municipality."""

    certificate: Certificate | None
    waiting: VerificationRequest | None
    refusal: DomainError | None  # why funding was refused, when it was


def request_certificate(
    session: Session,
    actor: Actor,
    child_id: int,
    *,
    national_id: str | None = None,
    today: date | None = None,
) -> CertificateRequestOutcome:
    """The parent asks for the child's certificate. An unverified child is verified first:
    at once on a registry match naming this parent, else it waits for the municipality.
    A verified child's certificate is issued and funded from the open period, if one runs;
    it is issued even when funding is refused (budget or cap spent, no nominal for this
    age), and the refusal comes back so the parent can read why."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    _check_age(child, today or local_today(municipality))  # before an official's time
    guardian = get_row(session, User, child.guardian_id)
    if guardian is None or guardian.email_verified_at is None:
        raise Conflict("email_not_confirmed")  # decisions are mailed: they must arrive
    if not child.verified:
        if national_id is None:
            raise InvalidInput("field_required", field="national_id")
        request = verification.request_identity(
            session,
            actor,
            child_id,
            verification.Identity(child.first_name, child.last_name, child.birth_date, national_id),
        )
        if request.status != RequestStatus.APPROVED:
            return CertificateRequestOutcome(None, request, None)
    certificate, refusal = _issue_and_fund(session, child_id, today=today)
    if certificate is None and refusal is not None:
        raise refusal  # nothing issued: the parent reads why
    return CertificateRequestOutcome(certificate, None, refusal)


def _issue_and_fund(
    session: Session, child_id: int, *, today: date | None = None
) -> tuple[Certificate | None, DomainError | None]:
    """A verified child's certificate (issued now unless it exists) funded from the open
    period, if one runs; (certificate, why funding was refused)."""
    system = Actor.system()
    certificate = session.exec(select(Certificate).where(Certificate.child_id == child_id)).first()
    if certificate is None:
        try:  # verified, but perhaps no longer of age: the verification stands, told why
            with session.begin_nested():
                certificate = issue_certificate(session, system, child_id, today=today)
        except DomainError as refusal:
            return None, refusal
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
            fund_certificate(session, system, certificate.id, period.id, today=today)
    except DomainError as refusal:
        return certificate, refusal
    return certificate, None


def decide_verification(
    session: Session, actor: Actor, request_id: int, decision: str, *, reason: str = ""
) -> tuple[VerificationRequest, DomainError | None]:
    """An official's decision on a verification request. Approving a child's identity
    issues the certificate and funds it, as if the parent had asked again; approving a
    category sets the nominal of the next funding."""
    request = verification.decide_request(session, actor, request_id, decision, reason=reason)
    if request.status != RequestStatus.APPROVED or request.kind != RequestKind.IDENTITY:
        return request, None
    _certificate, refusal = _issue_and_fund(session, request.child_id)
    return request, refusal


def import_registry(
    session: Session, actor: Actor, municipality_id: int, content: str
) -> verification.RegistryReport:
    """The municipality's registry file: pending requests it matches are verified, and
    those children's certificates issued and funded."""
    report = verification.import_registry(session, actor, municipality_id, content)
    for child_id in report.verified:  # every child locked already, in order
        _issue_and_fund(session, child_id)
    return report
