"""Certificates: issuing one per child, funding it for a period, its balance and statement."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain import ledger
from navigator.domain.access import Actor, check_guardian
from navigator.domain.accounts import same_child
from navigator.domain.calendar import age_on, birthday, local_today
from navigator.domain.catalog import policy_of
from navigator.domain.db import locked
from navigator.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.models import (
    Attendance,
    Certificate,
    CertificateAccount,
    CertificateStatus,
    Child,
    ChildCategory,
    Enrollment,
    EntryKind,
    FundingPeriod,
    Group,
    LedgerEntry,
    Municipality,
    NominalRule,
    PeriodStatus,
    Program,
)

MIN_AGE, MAX_AGE = 5, 18
NUMBER_DIGITS = 12  # 11 random digits and a Luhn check digit


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_certificate_number() -> str:
    """Random, so numbers cannot be enumerated; the check digit catches typos."""
    body = str(secrets.randbelow(9 * 10 ** (NUMBER_DIGITS - 2)) + 10 ** (NUMBER_DIGITS - 2))
    return body + luhn_check_digit(body)


def normalize_certificate_number(text: str) -> str:
    """'1234 5678-9012' → '123456789012'; refuses a wrong length or check digit."""
    digits = "".join(ch for ch in str(text) if ch not in " -")
    if len(digits) != NUMBER_DIGITS or not all(ch in "0123456789" for ch in digits):
        raise InvalidInput("certificate_number_format", digits=NUMBER_DIGITS)
    if luhn_check_digit(digits[:-1]) != digits[-1]:
        raise InvalidInput("certificate_number_check_digit")
    return digits


def format_certificate_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def issue_certificate(
    session: Session, actor: Actor, child_id: int, *, today: date | None = None
) -> Certificate:
    """One certificate per child for life, for ages 5 to 18, valid until the 18th birthday."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    municipality = session.get(Municipality, child.municipality_id)
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


def nominal_for(
    session: Session, period: FundingPeriod, age: int, category: str, on: date
) -> NominalRule | None:
    """The rule in force on `on` for this age and category; the base category when none.

    The rules of a category with one effective date form a table; the latest table in force
    replaces the earlier ones entirely (an age it leaves out has no nominal in that category).
    """
    for wanted in dict.fromkeys((category, ChildCategory.BASE)):
        in_force = session.exec(
            select(func.max(NominalRule.effective_from)).where(
                NominalRule.period_id == period.id,
                NominalRule.category == wanted,
                NominalRule.effective_from <= on,
            )
        ).one()
        if in_force is None:
            continue
        rule = session.exec(
            select(NominalRule)
            .where(
                NominalRule.period_id == period.id,
                NominalRule.category == wanted,
                NominalRule.effective_from == in_force,
                NominalRule.age_min <= age,
                NominalRule.age_max >= age,
            )
            .order_by(col(NominalRule.id).desc())
        ).first()
        if rule is not None:
            return rule
    return None


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
    certificate = session.get(Certificate, certificate_id)
    if period is None or certificate is None:
        raise NotFound()
    child = check_guardian(session, actor, session.get(Child, certificate.child_id))
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

    municipality = session.get(Municipality, period.municipality_id)
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


def current_account(
    session: Session, certificate: Certificate, today: date
) -> CertificateAccount | None:
    """The certificate's account in the open period that contains `today`."""
    return session.exec(
        select(CertificateAccount)
        .join(FundingPeriod, col(FundingPeriod.id) == CertificateAccount.period_id)
        .where(
            CertificateAccount.certificate_id == certificate.id,
            FundingPeriod.status == PeriodStatus.OPEN,
            FundingPeriod.starts_on <= today,
            FundingPeriod.ends_on >= today,
        )
    ).first()


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str
    amount_minor: int
    program_title: str | None
    group_name: str | None
    enrollment_id: int | None
    lesson_date: date | None
    note: str


def statement(session: Session, actor: Actor, certificate_id: int) -> list[StatementLine]:
    """Every entry of every period of the certificate, oldest first, with what it paid for."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    check_guardian(session, actor, session.get(Child, certificate.child_id))
    rows = session.exec(
        select(LedgerEntry, col(Program.title), col(Group.name), col(Attendance.lesson_date))
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .outerjoin(Enrollment, col(Enrollment.id) == LedgerEntry.enrollment_id)
        .outerjoin(Group, col(Group.id) == Enrollment.group_id)
        .outerjoin(Program, col(Program.id) == Group.program_id)
        .outerjoin(Attendance, col(Attendance.id) == LedgerEntry.attendance_id)
        .where(CertificateAccount.certificate_id == certificate_id)
        .order_by(col(LedgerEntry.id))
    ).all()
    return [
        StatementLine(
            at=entry.created_at,
            kind=entry.kind,
            amount_minor=entry.amount_minor,
            program_title=title,
            group_name=group_name,
            enrollment_id=entry.enrollment_id,
            lesson_date=lesson_date,
            note=entry.note,
        )
        for entry, title, group_name, lesson_date in rows
    ]


@dataclass(frozen=True)
class CertificateSummary:
    """What the parent's certificate card shows."""

    certificate_id: int
    number: str
    status: str
    valid_until: date
    period_name: str | None
    currency: str
    available_minor: int
    held_minor: int
    spent_minor: int
    expires_on: date | None


def certificate_summary(
    session: Session, actor: Actor, certificate_id: int, *, today: date | None = None
) -> CertificateSummary:
    """Balance, holds and spending in the current period, and when the unspent part expires."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    child = check_guardian(session, actor, session.get(Child, certificate.child_id))
    municipality = session.get(Municipality, child.municipality_id)
    assert municipality is not None
    account = current_account(session, certificate, today or local_today(municipality))
    period = session.get(FundingPeriod, account.period_id) if account else None
    return CertificateSummary(
        certificate_id=certificate_id,
        number=format_certificate_number(certificate.number),
        status=certificate.status,
        valid_until=certificate.valid_until,
        period_name=period.name if period else None,
        currency=municipality.currency,
        available_minor=account.available_minor if account else 0,
        held_minor=account.held_minor if account else 0,
        spent_minor=account.captured_minor - account.refunded_minor if account else 0,
        expires_on=period.ends_on if period else None,
    )


def request_certificate(
    session: Session, actor: Actor, child_id: int, *, today: date | None = None
) -> tuple[Certificate, DomainError | None]:
    """Issue the child's certificate and fund it from the open period, if one is running.

    The certificate is issued even when funding is refused (budget or cap spent, no
    nominal for this age); the refusal comes back so the parent can read why.
    """
    certificate = issue_certificate(session, actor, child_id, today=today)
    child = session.get(Child, child_id)
    assert child is not None and certificate.id is not None
    municipality = session.get(Municipality, child.municipality_id)
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
