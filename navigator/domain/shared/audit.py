"""The decision log: every decision with who made it, when and why."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from navigator.domain.shared.models import AuditEvent


class Acting(Protocol):
    """Whoever acts: a user (their id), or the system (no id). `accounts.access.Actor`."""

    @property
    def user_id(self) -> int | None: ...


def record(
    session: Session,
    actor: Acting,
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
