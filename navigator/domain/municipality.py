"""The municipality's cabinet: periods, budgets, nominal tables, policy, queues and the log.

Every function takes the acting user and answers "not found" to anyone who is not an
administrator of the municipality concerned (or the operator). Money figures are read from
the certificate accounts, whose counters the ledger keeps equal to its entries.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from navigator.domain import audit
from navigator.domain.access import Actor, check_municipality_admin, is_operator
from navigator.domain.accounts import create_user
from navigator.domain.calendar import local_today
from navigator.domain.catalog import policy_of, set_certification
from navigator.domain.db import locked
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.ledger import period_money
from navigator.domain.models import (
    AbsenceCharge,
    AuditEvent,
    CertificateAccount,
    CertificationStatus,
    ChildCategory,
    FundingPeriod,
    Membership,
    Municipality,
    MunicipalityPolicy,
    NominalRule,
    PeriodStatus,
    Program,
    Provider,
    Role,
    User,
)
from navigator.domain.periods import ClosingSummary
from navigator.domain.validation import (
    MAX_COUNT,
    check_age_range,
    check_choice,
    check_date,
    check_email,
    check_non_negative,
    check_positive,
    check_text,
)

MAX_NOMINAL_ROWS = 20
MAX_FUNDED_ENROLLMENTS = 20
MAX_CORRECTION_DAYS = 60


def municipalities_of(session: Session, actor: Actor) -> list[Municipality]:
    """The municipalities this user administers (every one, for the operator)."""
    statement = select(Municipality).order_by(col(Municipality.name))
    if not is_operator(session, actor):
        statement = statement.where(
            col(Municipality.id).in_(
                select(Membership.municipality_id).where(
                    Membership.user_id == actor.user_id,
                    Membership.role == Role.MUNICIPALITY_ADMIN,
                )
            )
        )
    return list(session.exec(statement).all())


def _municipality(session: Session, actor: Actor, municipality_id: int) -> Municipality:
    check_municipality_admin(session, actor, municipality_id)
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound()
    return municipality


def _period(session: Session, actor: Actor, period_id: int, *, lock: bool = False) -> FundingPeriod:
    period = (
        locked(session, FundingPeriod, period_id) if lock else session.get(FundingPeriod, period_id)
    )
    if period is None:
        raise NotFound()
    check_municipality_admin(session, actor, period.municipality_id)
    return period


# ---------------------------------------------------------------- periods and budget


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
    _municipality(session, actor, municipality_id)
    periods = session.exec(
        select(FundingPeriod)
        .where(FundingPeriod.municipality_id == municipality_id)
        .order_by(col(FundingPeriod.starts_on).desc())
    ).all()
    return [PeriodFigures(p, *period_money(session, p.id)) for p in periods if p.id is not None]


def period_figures(session: Session, actor: Actor, period_id: int) -> PeriodFigures:
    period = _period(session, actor, period_id)
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
    period = _period(session, actor, period_id, lock=True)
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
    municipality = session.get(Municipality, period.municipality_id)
    assert municipality is not None
    return municipality.currency


def open_period(session: Session, actor: Actor, period_id: int) -> FundingPeriod:
    """A draft period opens for funding once it has a nominal table."""
    period = _period(session, actor, period_id, lock=True)
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
    period = _period(session, actor, period_id)
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
    return ClosingSummary(accounts=accounts, released_minor=held, expired_minor=unspent)


# ---------------------------------------------------------------- nominal values


@dataclass(frozen=True)
class NominalRow:
    age_min: int
    age_max: int
    amount_minor: int


def nominal_table(session: Session, actor: Actor, period_id: int) -> list[NominalRule]:
    """Every rule of the period: by category, then effective date, then age."""
    _period(session, actor, period_id)
    return list(
        session.exec(
            select(NominalRule)
            .where(NominalRule.period_id == period_id)
            .order_by(
                col(NominalRule.category),
                col(NominalRule.effective_from),
                col(NominalRule.age_min),
            )
        ).all()
    )


def set_nominal_table(
    session: Session,
    actor: Actor,
    period_id: int,
    *,
    category: str,
    effective_from: date,
    rows: list[NominalRow],
    today: date | None = None,
) -> list[NominalRule]:
    """The nominal by age for one category from a date on: ranges that touch, no gaps.

    It applies to certificates funded from `effective_from` (never earlier than today), and
    replaces the table of the same date unless a certificate was already funded by it.
    Money already credited never changes.
    """
    period = _period(session, actor, period_id, lock=True)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict("period_closed")
    category = check_choice(category, "category", ChildCategory)
    check_date(effective_from, "effective_from")
    municipality = session.get(Municipality, period.municipality_id)
    assert municipality is not None
    today = today or local_today(municipality)
    if not period.starts_on <= effective_from <= period.ends_on:
        raise InvalidInput("effective_outside_period")
    if effective_from < today:
        raise InvalidInput("effective_in_past")
    if not rows:
        raise InvalidInput("nominal_table_empty")
    if len(rows) > MAX_NOMINAL_ROWS:
        raise InvalidInput("nominal_table_too_long", max=MAX_NOMINAL_ROWS)
    cleaned = []
    for row in rows:
        check_age_range(row.age_min, row.age_max)
        cleaned.append(
            NominalRow(row.age_min, row.age_max, check_positive(row.amount_minor, "nominal"))
        )
    cleaned.sort(key=lambda r: (r.age_min, r.age_max))
    for before, after in pairwise(cleaned):
        if after.age_min <= before.age_max:
            raise InvalidInput(
                "age_ranges_overlap",
                first=f"{before.age_min}–{before.age_max}",
                second=f"{after.age_min}–{after.age_max}",
            )
        if after.age_min > before.age_max + 1:
            raise InvalidInput("age_ranges_gap", start=before.age_max + 1, end=after.age_min - 1)
    same_date = select(NominalRule.id).where(
        NominalRule.period_id == period.id,
        NominalRule.category == category,
        NominalRule.effective_from == effective_from,
    )
    used = session.exec(
        select(CertificateAccount.id).where(col(CertificateAccount.nominal_rule_id).in_(same_date))
    ).first()
    if used is not None:
        raise Conflict("nominal_table_in_use")
    replaced = [
        {"age_min": r.age_min, "age_max": r.age_max, "amount_minor": r.amount_minor}
        for r in session.exec(select(NominalRule).where(col(NominalRule.id).in_(same_date))).all()
    ]
    session.exec(delete(NominalRule).where(col(NominalRule.id).in_(same_date)))  # type: ignore[call-overload]
    assert period.id is not None
    rules = [
        NominalRule(
            period_id=period.id,
            category=category,
            effective_from=effective_from,
            age_min=r.age_min,
            age_max=r.age_max,
            amount_minor=r.amount_minor,
        )
        for r in cleaned
    ]
    session.add_all(rules)
    audit.record(
        session,
        actor,
        period.municipality_id,
        "nominal.set",
        "period",
        period.id,
        payload={
            "category": category,
            "effective_from": effective_from.isoformat(),
            "rows": [
                {"age_min": r.age_min, "age_max": r.age_max, "amount_minor": r.amount_minor}
                for r in cleaned
            ],
            "replaced": replaced,
        },
    )
    session.flush()
    return rules


# ---------------------------------------------------------------- policy


def set_policy(
    session: Session,
    actor: Actor,
    municipality_id: int,
    *,
    max_funded_enrollments: int,
    absence_charge: str,
    prorate_late_start: bool,
    attendance_correction_days: int,
) -> MunicipalityPolicy:
    """The rules every enrollment follows from now on; contracts already made keep their money."""
    _municipality(session, actor, municipality_id)
    check_positive(max_funded_enrollments, "max_funded_enrollments", maximum=MAX_FUNDED_ENROLLMENTS)
    absence_charge = check_choice(absence_charge, "absence_charge", AbsenceCharge)
    if not isinstance(prorate_late_start, bool):
        raise InvalidInput("field_required", field="prorate_late_start")
    check_non_negative(
        attendance_correction_days, "attendance_correction_days", maximum=MAX_CORRECTION_DAYS
    )
    policy = policy_of(session, municipality_id)
    policy = locked(session, MunicipalityPolicy, policy.id) or policy
    after = {
        "max_funded_enrollments": max_funded_enrollments,
        "absence_charge": absence_charge,
        "prorate_late_start": prorate_late_start,
        "attendance_correction_days": attendance_correction_days,
    }
    before = {name: getattr(policy, name) for name in after}
    if before == after:
        return policy
    for name, value in after.items():
        setattr(policy, name, value)
    session.add(policy)
    audit.record(
        session,
        actor,
        municipality_id,
        "policy.updated",
        "policy",
        policy.id,
        payload={"before": before, "after": after},
    )
    session.flush()
    return policy


def policy_for_admin(session: Session, actor: Actor, municipality_id: int) -> MunicipalityPolicy:
    _municipality(session, actor, municipality_id)
    return policy_of(session, municipality_id)


# ---------------------------------------------------------------- queues


def admission_queue(session: Session, actor: Actor, municipality_id: int) -> list[Provider]:
    """Providers not admitted yet: waiting ones first, then those refused (with the reason)."""
    _municipality(session, actor, municipality_id)
    return list(
        session.exec(
            select(Provider)
            .where(Provider.municipality_id == municipality_id, col(Provider.admitted).is_(False))
            .order_by(col(Provider.admission_note) != "", col(Provider.created_at))
        ).all()
    )


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Submission:
    program: Program
    provider_name: str
    last_certified_at: datetime | None
    changes: list[Change]


def _last_certified(session: Session, program_id: int) -> AuditEvent | None:
    return session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.subject == "program",
            AuditEvent.subject_id == program_id,
            AuditEvent.action == "program.certified",
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()


def program_changes(session: Session, program: Program) -> tuple[datetime | None, list[Change]]:
    """What differs from the last certified version (every field, if never certified)."""
    assert program.id is not None
    last = _last_certified(session, program.id)
    before: dict[str, Any] = dict(last.payload.get("snapshot", {})) if last else {}
    now = audit.program_snapshot(session, program)
    changes = [
        Change(name, before.get(name), now[name])
        for name in (*audit.SNAPSHOT_FIELDS, "groups")
        if before.get(name) != now[name]
    ]
    return (last.at if last else None), changes


def certification_queue(session: Session, actor: Actor, municipality_id: int) -> list[Submission]:
    """Programs waiting for a decision, oldest change first, each with its diff."""
    _municipality(session, actor, municipality_id)
    rows = session.exec(
        select(Program, Provider.name)
        .join(Provider, col(Provider.id) == Program.provider_id)
        .where(
            Program.municipality_id == municipality_id,
            Program.certification_status == CertificationStatus.SUBMITTED,
        )
        .order_by(col(Program.updated_at), col(Program.id))
    ).all()
    queue = []
    for program, provider_name in rows:
        at, changes = program_changes(session, program)
        queue.append(Submission(program, provider_name, at, changes))
    return queue


def certified_programs(
    session: Session, actor: Actor, municipality_id: int
) -> list[tuple[Program, str]]:
    """Certified and suspended programs, for suspending and reinstating."""
    _municipality(session, actor, municipality_id)
    return [
        (program, name)
        for program, name in session.exec(
            select(Program, Provider.name)
            .join(Provider, col(Provider.id) == Program.provider_id)
            .where(
                Program.municipality_id == municipality_id,
                col(Program.certification_status).in_(
                    [CertificationStatus.CERTIFIED, CertificationStatus.SUSPENDED]
                ),
            )
            .order_by(col(Program.title), col(Program.id))
        ).all()
    ]


DECISIONS = {
    "certify": CertificationStatus.CERTIFIED,
    "reject": CertificationStatus.REJECTED,
    "suspend": CertificationStatus.SUSPENDED,
    "reinstate": CertificationStatus.CERTIFIED,
}


def decide_certification(
    session: Session, actor: Actor, program_id: int, decision: str, *, reason: str = ""
) -> Program:
    """certify or reject a submission; suspend or reinstate a certified program."""
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise InvalidInput("field_not_allowed", field="decision", allowed=", ".join(DECISIONS))
    # locked before its state is checked: a decision never acts on a state it did not see
    program = locked(session, Program, program_id)
    if program is None:
        raise NotFound()
    check_municipality_admin(session, actor, program.municipality_id)
    wanted_from = {
        "certify": CertificationStatus.SUBMITTED,
        "reject": CertificationStatus.SUBMITTED,
        "suspend": CertificationStatus.CERTIFIED,
        "reinstate": CertificationStatus.SUSPENDED,
    }[decision]
    if program.certification_status != wanted_from:
        raise Conflict(
            "certification_transition",
            current=program.certification_status,
            target=DECISIONS[decision].value,
        )
    return set_certification(session, actor, program_id, DECISIONS[decision], reason=reason)


# ---------------------------------------------------------------- audit log


@dataclass(frozen=True)
class LogLine:
    at: datetime
    actor_email: str
    action: str
    subject: str
    subject_id: int | None
    subject_name: str
    reason: str
    payload: dict[str, Any]


def audit_log(
    session: Session, actor: Actor, municipality_id: int, *, limit: int = 200
) -> list[LogLine]:
    """The latest decisions, newest first, with who made them and about what."""
    _municipality(session, actor, municipality_id)
    events = session.exec(
        select(AuditEvent, User.email)
        .join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.municipality_id == municipality_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    names = _subject_names(session, [event for event, _ in events])
    return [
        LogLine(
            at=event.at,
            actor_email=email or "system",
            action=event.action,
            subject=event.subject,
            subject_id=event.subject_id,
            subject_name=names.get((event.subject, event.subject_id), ""),
            reason=event.reason,
            payload=event.payload,
        )
        for event, email in events
    ]


def _subject_names(session: Session, events: list[AuditEvent]) -> dict[tuple[str, Any], str]:
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.subject_id is not None:
            wanted.setdefault(event.subject, set()).add(event.subject_id)
    names: dict[tuple[str, Any], str] = {}
    for subject, model, column in (
        ("program", Program, Program.title),
        ("provider", Provider, Provider.name),
        ("period", FundingPeriod, FundingPeriod.name),
    ):
        ids = wanted.get(subject)
        if ids:
            for row_id, name in session.exec(
                select(model.id, column).where(col(model.id).in_(ids))  # type: ignore[attr-defined]
            ).all():
                names[(subject, row_id)] = name
    return names


# ---------------------------------------------------------------- administrators


def create_admin(
    session: Session,
    actor: Actor,
    *,
    email: str,
    municipality_code: str,
    full_name: str = "",
    password: str | None = None,
) -> tuple[User, bool]:
    """Make `email` an administrator of the municipality (the operator's act).

    A new account gets `password`, or an unusable random one when None (the administrator
    then sets their own through the password-reset link). Returns (user, account_created).
    """
    if not is_operator(session, actor):
        raise NotFound()
    municipality = session.exec(
        select(Municipality).where(Municipality.code == municipality_code)
    ).first()
    if municipality is None:
        raise NotFound()
    email = check_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    created = user is None
    if user is None:
        user = create_user(
            session,
            email,
            password if password is not None else secrets.token_urlsafe(32),
            full_name=full_name,
            locale=municipality.locale if municipality.locale in ("ru", "lt", "en") else "ru",
        )
    assert user.id is not None and municipality.id is not None
    already = session.exec(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.role == Role.MUNICIPALITY_ADMIN,
            Membership.municipality_id == municipality.id,
        )
    ).first()
    if already is None:
        session.add(
            Membership(
                user_id=user.id, role=Role.MUNICIPALITY_ADMIN, municipality_id=municipality.id
            )
        )
        audit.record(
            session,
            actor,
            municipality.id,
            "admin.added",
            "user",
            user.id,
            payload={"email": email},
        )
    session.flush()
    return user, created
