"""What a family sees of its certificates: balance, holds, spending, every movement.

Every query starts from the guardian's own user id, so no other family's row can appear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_guardian
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    CertificateStatus,
    LedgerEntry,
    RequestKind,
    RequestStatus,
    VerificationRequest,
)
from navigator.domain.certificates.numbers import format_certificate_number
from navigator.domain.enrollment.models import Attendance, Enrollment
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.municipalities.models import Municipality
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared.calendar import age_on, local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound


def current_account_in_period(
    session: Session, certificate: Certificate, today: date
) -> tuple[CertificateAccount, FundingPeriod] | None:
    """The certificate's account in the open period that contains `today`, with the period."""
    row = session.exec(
        select(CertificateAccount, FundingPeriod)
        .join(FundingPeriod, col(FundingPeriod.id) == CertificateAccount.period_id)
        .where(
            CertificateAccount.certificate_id == certificate.id,
            FundingPeriod.status == PeriodStatus.OPEN,
            FundingPeriod.starts_on <= today,
            FundingPeriod.ends_on >= today,
        )
    ).first()
    return (row[0], row[1]) if row else None


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
    entry_id: int = 0  # the ledger entry: what a dispute of a lesson charge names


def statement(session: Session, actor: Actor, certificate_id: int) -> list[StatementLine]:
    """Every entry of every period of the certificate, oldest first, with what it paid for."""
    certificate = get_row(session, Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    check_guardian(session, actor, get_row(session, Child, certificate.child_id))
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
            entry_id=entry.id or 0,
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
    certificate = get_row(session, Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    child = check_guardian(session, actor, get_row(session, Child, certificate.child_id))
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    account, period = current_account_in_period(
        session, certificate, today or local_today(municipality)
    ) or (None, None)
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


@dataclass(frozen=True)
class ChildView:
    id: int
    first_name: str
    last_name: str
    birth_date: date
    municipality_name: str
    currency: str
    certificate: CertificateSummary | None
    municipality_code: str = ""
    age: int = 0  # today, where the child lives
    district: str = ""
    country: str = ""
    category: str = "base"
    verified: bool = False
    national_id_hint: str = ""
    # the latest request of each kind (not withdrawn): waiting, or why it was refused
    identity_request: VerificationRequest | None = None
    category_request: VerificationRequest | None = None


def guardian_id_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound()
    return actor.user_id


def children_of(session: Session, actor: Actor) -> list[ChildView]:
    guardian_id = guardian_id_of(actor)
    rows = session.exec(  # the certificates whole: their summaries find them in the session
        select(Child, Municipality, Certificate)
        .join(Municipality, col(Municipality.id) == Child.municipality_id)
        .outerjoin(Certificate, col(Certificate.child_id) == Child.id)
        .where(Child.guardian_id == guardian_id)
        .order_by(col(Child.id))
    ).all()
    latest: dict[tuple[int, str], VerificationRequest] = {}
    for request in session.exec(
        select(VerificationRequest)
        .where(
            VerificationRequest.guardian_id == guardian_id,
            VerificationRequest.status != RequestStatus.WITHDRAWN,
        )
        .order_by(col(VerificationRequest.id))
    ):
        latest[(request.child_id, request.kind)] = request
    return [
        ChildView(
            id=child.id,
            first_name=child.first_name,
            last_name=child.last_name,
            birth_date=child.birth_date,
            municipality_name=municipality.name,
            municipality_code=municipality.code,
            age=age_on(child.birth_date, local_today(municipality)),
            currency=municipality.currency,
            district=child.district,
            certificate=certificate_summary(session, actor, certificate.id)
            if certificate is not None and certificate.id
            else None,
            country=municipality.country,
            category=child.category,
            verified=child.verified,
            national_id_hint=child.national_id_hint,
            identity_request=latest.get((child.id, RequestKind.IDENTITY)),
            category_request=latest.get((child.id, RequestKind.CATEGORY)),
        )
        for child, municipality, certificate in rows
        if child.id is not None
    ]


def home_municipalities(session: Session, actor: Actor) -> list[str]:
    """Codes of the municipalities this family's children live in: where its catalog opens."""
    if actor.user_id is None:
        return []
    return sorted(
        set(
            session.exec(
                select(Municipality.code)
                .join(Child, col(Child.municipality_id) == Municipality.id)
                .where(Child.guardian_id == actor.user_id)
            ).all()
        )
    )


def paying_municipalities(session: Session, actor: Actor) -> set[str]:
    """Codes of the municipalities whose programs this family's certificates can pay: those
    of its children holding a funded certificate (a certificate pays only at home)."""
    if actor.user_id is None:
        return set()
    return set(
        session.exec(
            select(Municipality.code)
            .join(Child, col(Child.municipality_id) == Municipality.id)
            .join(Certificate, col(Certificate.child_id) == Child.id)
            .where(
                Child.guardian_id == actor.user_id,
                Certificate.status == CertificateStatus.FUNDED,
            )
        ).all()
    )
