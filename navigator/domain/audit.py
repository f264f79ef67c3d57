"""The municipality's audit log: every decision with who made it, when and why."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.access import Actor
from navigator.domain.models import AuditEvent, Group, Program


def record(
    session: Session,
    actor: Actor,
    municipality_id: int,
    action: str,
    subject: str,
    subject_id: int | None,
    *,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        municipality_id=municipality_id,
        actor_id=actor.user_id,
        action=action,
        subject=subject,
        subject_id=subject_id,
        reason=reason,
        payload=payload or {},
    )
    session.add(event)
    return event


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
