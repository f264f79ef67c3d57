"""Writing notifications: to one person, to a provider's team, to a municipality's
administrators. Called in the transaction of the change the notification tells about (any
ORM session: a row's own session will do)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from navigator.domain.accounts.models import Membership, Role
from navigator.domain.culture.models import CultureOperator, SchoolCoordinator
from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.models import Notification
from navigator.domain.shared.validation import check_row_id

PROVIDER_ROLES = (Role.PROVIDER_OWNER.value, Role.PROVIDER_STAFF.value)


def notify(session: Session, user_id: int, kind: str, payload: dict[str, Any]) -> None:
    _check(kind, payload)
    session.add(Notification(user_id=check_row_id(user_id), kind=kind, payload=payload))


def _check(kind: object, payload: object) -> None:
    if not isinstance(kind, str) or not 0 < len(kind) <= 40 or not isinstance(payload, dict):
        raise InvalidInput("invalid_input")


def notify_provider(session: Session, provider_id: int, kind: str, payload: dict[str, Any]) -> None:
    """Everyone who works for the provider (owners and staff)."""
    _check(kind, payload)
    check_row_id(provider_id)
    with session.no_autoflush:  # reading the team must not flush the change half-made
        members = session.scalars(
            select(Membership.user_id)
            .where(
                Membership.provider_id == provider_id,
                col(Membership.role).in_(PROVIDER_ROLES),
            )
            .distinct()
        ).all()
    for user_id in sorted(members):
        notify(session, user_id, kind, {"provider_id": provider_id, **payload})


def notify_municipality(
    session: Session, municipality_id: int, kind: str, payload: dict[str, Any]
) -> None:
    """The municipality's administrators."""
    _check(kind, payload)
    check_row_id(municipality_id)
    with session.no_autoflush:  # (a flush here would publish a program twice)
        members = session.scalars(
            select(Membership.user_id)
            .where(
                Membership.municipality_id == municipality_id,
                Membership.role == Role.MUNICIPALITY_ADMIN.value,
            )
            .distinct()
        ).all()
    for user_id in sorted(members):
        notify(session, user_id, kind, payload)


def certification_moved(
    session: Session, program_id: int, provider_id: int, municipality_id: int, status: str
) -> None:
    """A submission is a new item in the municipality's queue; a decision is the provider's."""
    if not isinstance(status, str):
        raise InvalidInput("invalid_input")
    if status == "submitted":
        notify_municipality(session, municipality_id, "queue.program", {"program_id": program_id})
    elif status in ("certified", "rejected", "suspended"):
        notify_provider(session, provider_id, f"certification.{status}", {"program_id": program_id})


def notify_school(session: Session, school_id: int, kind: str, payload: dict[str, Any]) -> None:
    """The school's culture-pass coordinators: the class, the service and the money, never a
    pupil's name (a roster is personal data and these words go into mail)."""
    _check(kind, payload)
    check_row_id(school_id)
    with session.no_autoflush:
        members = session.scalars(
            select(SchoolCoordinator.user_id)
            .where(SchoolCoordinator.school_id == school_id)
            .distinct()
        ).all()
    for user_id in sorted(members):
        notify(session, user_id, kind, {"school_id": school_id, **payload})


def notify_culture_operators(session: Session, kind: str, payload: dict[str, Any]) -> None:
    """The culture pass's programme operator (everyone made one)."""
    _check(kind, payload)
    with session.no_autoflush:
        members = session.scalars(select(CultureOperator.user_id).distinct()).all()
    for user_id in sorted(members):
        notify(session, user_id, kind, payload)
