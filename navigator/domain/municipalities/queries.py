"""Reading municipalities: the list, who administers which, the policy and the decision log.

Every function that takes an actor answers "not found" to anyone who is not an
administrator of the municipality concerned (or the operator)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin, is_operator
from navigator.domain.accounts.models import Child, Membership, Role, User
from navigator.domain.funding.models import FundingPeriod
from navigator.domain.municipalities.models import Municipality, MunicipalityPolicy
from navigator.domain.programs.models import Program
from navigator.domain.providers.models import Provider
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.models import AuditEvent
from navigator.domain.shared.validation import check_row_id


def policy_of(session: Session, municipality_id: int) -> MunicipalityPolicy:
    check_row_id(municipality_id)
    policy = session.exec(
        select(MunicipalityPolicy).where(MunicipalityPolicy.municipality_id == municipality_id)
    ).first()
    return policy or MunicipalityPolicy(municipality_id=municipality_id)


def municipalities(session: Session) -> list[Municipality]:
    """Every municipality, by name: the choices of the forms and filters."""
    return list(session.exec(select(Municipality).order_by(col(Municipality.name))).all())


@dataclass(frozen=True)
class Town:
    """A municipality by its code, with its name and the currency its programs are priced in."""

    code: str
    name: str
    currency: str


_TOWNS = select(Municipality.code, Municipality.name, Municipality.currency).order_by(
    col(Municipality.name)
)


def towns(session: Session) -> list[Town]:
    """Every municipality's code, name and currency, by name: plain columns from a statement
    built once, as every search asks."""
    return [Town(*row) for row in session.exec(_TOWNS).all()]


def currency_of(session: Session, municipality_id: int) -> str:
    municipality = get_row(session, Municipality, municipality_id)
    if municipality is None:
        raise NotFound()
    return municipality.currency


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


def municipality_for_admin(session: Session, actor: Actor, municipality_id: int) -> Municipality:
    check_municipality_admin(session, actor, municipality_id)
    municipality = get_row(session, Municipality, municipality_id)
    if municipality is None:
        raise NotFound()
    return municipality


def policy_for_admin(session: Session, actor: Actor, municipality_id: int) -> MunicipalityPolicy:
    municipality_for_admin(session, actor, municipality_id)
    return policy_of(session, municipality_id)


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
    municipality_for_admin(session, actor, municipality_id)
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
    child_ids = wanted.get("child")
    if child_ids:  # the municipality's own children: its officials verify them
        for row_id, first, last in session.exec(
            select(Child.id, Child.first_name, Child.last_name).where(col(Child.id).in_(child_ids))
        ).all():
            names[("child", row_id)] = f"{first} {last}"
    for subject, model, column in (
        ("program", Program, Program.title),
        ("provider", Provider, Provider.name),
        ("period", FundingPeriod, FundingPeriod.name),
        ("municipality", Municipality, Municipality.name),
    ):
        ids = wanted.get(subject)
        if ids:
            for row_id, name in session.exec(
                select(model.id, column).where(col(model.id).in_(ids))  # type: ignore[attr-defined]
            ).all():
                names[(subject, row_id)] = name
    return names
