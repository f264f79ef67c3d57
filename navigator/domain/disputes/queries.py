"""Reading disputes: the parent's history marks, the provider's desk, the municipality's
queue and report, and the disputes a funding period still has undecided.

Each function checks who asks: a guardian sees their own children's, a provider's staff the
provider's, a municipality's administrators the municipality's; anyone else "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy import select as wide_select
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import (
    Actor,
    check_guardian,
    check_municipality_admin,
    check_provider_staff,
)
from navigator.domain.accounts.models import Child
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    EntryKind,
    LedgerEntry,
)
from navigator.domain.disputes.models import (
    AWAITING_DECISION,
    UNDECIDED,
    Dispute,
    DisputeStatus,
    DisputeSubject,
)
from navigator.domain.enrollment.models import Attendance, Enrollment
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.programs.models import Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.validation import check_row_id


@dataclass(frozen=True)
class ChargeMark:
    """What a parent's history shows beside one charge: its dispute, or that one may start."""

    status: str  # the dispute's status, or "" when none
    can_dispute: bool


def charge_marks(
    session: Session, actor: Actor, certificate_id: int, *, today: date | None = None
) -> dict[int, ChargeMark]:
    """For each lesson charge of the certificate (by ledger entry id): its dispute's status,
    and whether the guardian may dispute it now (in the window, period open, not refunded)."""
    certificate = get_row(session, Certificate, certificate_id)
    if certificate is None:
        raise NotFound()
    child = check_guardian(session, actor, get_row(session, Child, certificate.child_id))
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    window = policy_of(session, child.municipality_id).dispute_window_days
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(LedgerEntry, Attendance, col(FundingPeriod.status), col(Dispute.status))
        .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
        .join(FundingPeriod, col(FundingPeriod.id) == CertificateAccount.period_id)
        .join(Attendance, col(Attendance.id) == LedgerEntry.attendance_id)
        .outerjoin(Dispute, col(Dispute.ledger_entry_id) == LedgerEntry.id)
        .where(
            col(CertificateAccount.certificate_id) == certificate_id,
            col(LedgerEntry.kind) == EntryKind.CAPTURE,
        )
    ).all()
    latest: dict[int, int] = {}
    for entry, attendance, _period, _status in rows:
        latest[attendance.id] = max(latest.get(attendance.id, 0), entry.id)
    marks = {}
    for entry, attendance, period_status, status in rows:
        can = (
            status is None
            and period_status == PeriodStatus.OPEN
            and attendance.charged_minor > 0
            and latest[attendance.id] == entry.id
            and today <= attendance.lesson_date + timedelta(days=window)
        )
        marks[entry.id] = ChargeMark(status or "", can)
    return marks


@dataclass(frozen=True)
class DisputeRow:
    id: int
    status: str
    child_name: str
    program_title: str
    group_name: str
    provider_name: str
    lesson_date: date
    amount_minor: int
    refunded_minor: int
    currency: str
    comment: str
    provider_reason: str
    decision_reason: str
    opened_at: datetime
    answer_due_at: datetime


def _rows(session: Session, *conditions) -> list[DisputeRow]:
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(Dispute, Child, Group, Program, Provider)
        .join(Enrollment, col(Enrollment.id) == Dispute.enrollment_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .join(Provider, col(Provider.id) == Dispute.provider_id)
        .where(col(Dispute.subject) == DisputeSubject.CERTIFICATE_CHARGE, *conditions)
        .order_by(col(Dispute.opened_at), col(Dispute.id))
        .limit(500)
    ).all()
    return [
        DisputeRow(
            id=d.id,
            status=d.status,
            child_name=f"{c.first_name} {c.last_name}",
            program_title=p.title,
            group_name=g.name,
            provider_name=v.name,
            lesson_date=d.lesson_date,
            amount_minor=d.amount_minor,
            refunded_minor=d.refunded_minor,
            currency=d.currency,
            comment=d.comment,
            provider_reason=d.provider_reason,
            decision_reason=d.decision_reason,
            opened_at=d.opened_at,
            answer_due_at=d.answer_due_at,
        )
        for d, c, g, p, v in rows
    ]


def disputes_for_provider(session: Session, actor: Actor, provider_id: int) -> list[DisputeRow]:
    """The provider's undecided disputes: those waiting for its answer first, oldest first."""
    check_provider_staff(session, actor, provider_id)
    rows = _rows(
        session, Dispute.provider_id == provider_id, col(Dispute.status).in_(list(UNDECIDED))
    )
    return [r for r in rows if r.status == DisputeStatus.OPEN] + [
        r for r in rows if r.status != DisputeStatus.OPEN
    ]


def decision_queue(session: Session, actor: Actor, municipality_id: int) -> list[DisputeRow]:
    """Contested and escalated disputes of the municipality's children, oldest first."""
    check_municipality_admin(session, actor, municipality_id)
    return _rows(
        session,
        Dispute.municipality_id == municipality_id,
        col(Dispute.status).in_(list(AWAITING_DECISION)),
    )


def undecided_in_period(session: Session, actor: Actor, period_id: int) -> list[DisputeRow]:
    """The disputes of a funding period's charges not decided yet: closing waits for them."""
    check_row_id(period_id)
    period = get_row(session, FundingPeriod, period_id)
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    return _rows(
        session,
        col(Dispute.status).in_(list(UNDECIDED)),
        col(Dispute.ledger_entry_id).in_(
            select(LedgerEntry.id)
            .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
            .where(CertificateAccount.period_id == period_id)
        ),
    )


def count_undecided_in_period(session: Session, period_id: int) -> int:
    """How many disputes of the period's charges are not decided yet (no access check: the
    caller has checked the period is the actor's)."""
    check_row_id(period_id)
    return int(
        session.exec(
            select(func.count())
            .select_from(Dispute)
            .join(LedgerEntry, col(LedgerEntry.id) == Dispute.ledger_entry_id)
            .join(CertificateAccount, col(CertificateAccount.id) == LedgerEntry.account_id)
            .where(
                CertificateAccount.period_id == period_id,
                col(Dispute.status).in_(list(UNDECIDED)),
            )
        ).one()
    )


@dataclass(frozen=True)
class ProviderDisputes:
    """A quality signal: how often a provider's charges were disputed, and how it ended."""

    provider_id: int
    provider_name: str
    opened: int
    undecided: int
    refunded: int  # accepted by the provider or upheld by the municipality
    rejected: int
    refunded_minor: int


def disputes_by_provider(
    session: Session, actor: Actor, municipality_id: int
) -> list[ProviderDisputes]:
    """Disputes of the municipality's children per provider, the most disputed first."""
    check_municipality_admin(session, actor, municipality_id)

    def count_of(*statuses: str):
        return func.sum(case((col(Dispute.status).in_(list(statuses)), 1), else_=0))

    rows = session.exec(  # type: ignore[call-overload]
        wide_select(
            col(Provider.id),
            col(Provider.name),
            func.count(col(Dispute.id)),
            count_of(*UNDECIDED),
            count_of(DisputeStatus.ACCEPTED, DisputeStatus.UPHELD),
            count_of(DisputeStatus.REJECTED),
            func.coalesce(func.sum(col(Dispute.refunded_minor)), 0),
        )
        .join(Provider, col(Provider.id) == Dispute.provider_id)
        .where(col(Dispute.municipality_id) == municipality_id)
        .group_by(col(Provider.id), col(Provider.name))
        .order_by(func.count(col(Dispute.id)).desc(), col(Provider.name))
    ).all()
    return [
        ProviderDisputes(
            int(pid), name, int(opened), int(undecided or 0), int(ref or 0), int(rej or 0), int(m)
        )
        for pid, name, opened, undecided, ref, rej, m in rows
    ]
