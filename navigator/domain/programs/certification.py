"""Certification: a program is submitted, certified or rejected, suspended or reinstated.

Each decision is in the municipality's log; a certification keeps the program as certified,
which the next review is compared against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin, check_provider_staff
from navigator.domain.municipalities.queries import municipality_for_admin
from navigator.domain.programs.api import check_not_archived
from navigator.domain.programs.models import CertificationStatus, Group, Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared import audit
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import AuditEvent, utcnow
from navigator.domain.shared.validation import check_choice, check_text


def set_certification(
    session: Session,
    actor: Actor,
    program_id: int,
    status: CertificationStatus | str,
    *,
    reason: str = "",
) -> Program:
    """Moves a program along draft → submitted → certified / rejected → suspended.

    A rejection or a suspension says why. Each move is in the audit log; a certification
    keeps the program as certified, which the next review is compared against.
    """
    status = CertificationStatus(check_choice(status, "status", CertificationStatus))
    program = locked(session, Program, program_id)
    if program is None:
        raise NotFound()
    allowed = {
        CertificationStatus.SUBMITTED: {CertificationStatus.DRAFT, CertificationStatus.REJECTED},
        CertificationStatus.CERTIFIED: {
            CertificationStatus.SUBMITTED,
            CertificationStatus.SUSPENDED,
        },
        CertificationStatus.REJECTED: {CertificationStatus.SUBMITTED},
        CertificationStatus.SUSPENDED: {CertificationStatus.CERTIFIED},
    }
    if status is CertificationStatus.SUBMITTED:
        check_provider_staff(session, actor, program.provider_id)
        check_not_archived(program)
    else:
        check_municipality_admin(session, actor, program.municipality_id)
    if program.certification_status not in allowed.get(status, set()):
        raise Conflict(
            "certification_transition", current=program.certification_status, target=status.value
        )
    needs_reason = status in (CertificationStatus.REJECTED, CertificationStatus.SUSPENDED)
    reason = check_text(reason, "reason", max_length=500, required=needs_reason)
    payload: dict[str, Any] = {"from": program.certification_status}
    if status is CertificationStatus.CERTIFIED:
        payload["snapshot"] = program_snapshot(session, program)
    program.certification_status = status
    program.updated_at = utcnow()
    session.add(program)
    audit.record(
        session,
        actor,
        program.municipality_id,
        f"program.{status.value}",
        "program",
        program.id,
        reason=reason,
        payload=payload,
    )
    return program


SNAPSHOT_FIELDS = (
    "title",
    "description",
    "direction",
    "age_min",
    "age_max",
    "format",
    "language",
    "address",
    "tags",
    "is_free",
)


def program_snapshot(session: Session, program: Program) -> dict[str, Any]:
    """What a certification decision was about: the program's fields and its groups' terms."""
    snapshot: dict[str, Any] = {name: getattr(program, name) for name in SNAPSHOT_FIELDS}
    groups = session.exec(
        select(Group).where(Group.program_id == program.id).order_by(col(Group.id))
    ).all()
    snapshot["groups"] = [
        {
            "name": g.name,
            "starts_on": g.starts_on.isoformat(),
            "ends_on": g.ends_on.isoformat(),
            "seats": g.seats,
            "price_minor": g.price_per_lesson_minor,
        }
        for g in groups
    ]
    return snapshot


def decision_reason(session: Session, program: Program) -> str:
    """Why the program was rejected or suspended, for the provider; "" otherwise."""
    if program.certification_status not in ("rejected", "suspended"):
        return ""
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.subject == "program",
            AuditEvent.subject_id == program.id,
            AuditEvent.action == f"program.{program.certification_status}",
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return event.reason if event else ""


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
    now = program_snapshot(session, program)
    changes = [
        Change(name, before.get(name), now[name])
        for name in (*SNAPSHOT_FIELDS, "groups")
        if before.get(name) != now[name]
    ]
    return (last.at if last else None), changes


def certification_queue(session: Session, actor: Actor, municipality_id: int) -> list[Submission]:
    """Programs waiting for a decision, oldest change first, each with its diff."""
    municipality_for_admin(session, actor, municipality_id)
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
    municipality_for_admin(session, actor, municipality_id)
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
