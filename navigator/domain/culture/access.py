"""Who may do what in the culture pass: the programme operator, a school's coordinators, a
service's provider. Someone else's school, booking or service answers "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.accounts.signin import signed_in_by, signing_in
from navigator.domain.culture.models import CultureOperator, School, SchoolCoordinator
from navigator.domain.municipalities.models import Municipality
from navigator.domain.providers.api import STAFF_ROLES
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.validation import is_row_id


@dataclass(frozen=True)
class HeaderRoles:
    """The cabinets the header links a person to."""

    provider: bool = False
    admin: bool = False
    coordinator: bool = False
    culture_operator: bool = False


def _role_flags(user_id: Any) -> tuple[Any, ...]:
    """The four cabinets' flags of the user whose id is this value or column (correlated to
    the statement around them), in HeaderRoles's order."""

    def member(*roles: Role):
        return (
            select(Membership.id)
            .where(Membership.user_id == user_id, col(Membership.role).in_(roles))
            .exists()
        )

    return (
        member(*STAFF_ROLES),
        or_(
            member(Role.MUNICIPALITY_ADMIN),
            and_(member(Role.OPERATOR), select(Municipality.id).exists()),
        ),
        select(SchoolCoordinator.id).where(SchoolCoordinator.user_id == user_id).exists(),
        select(CultureOperator.id).where(CultureOperator.user_id == user_id).exists(),
    )


@dataclass(frozen=True)
class HeaderPerson:
    """The signed-in person as the header shows them."""

    user_id: int
    email: str
    roles: HeaderRoles


_HEADER_PERSON = signed_in_by(select(User.id, User.email, *_role_flags(User.id)))


def header_person(session: Session, token: str | None) -> HeaderPerson | None:
    """Who this session token signs in and the cabinets the header links them to, in one
    statement built once: every screen asks on every event. None when it signs nobody in."""
    params = signing_in(token)
    if params is None:
        return None
    row = session.exec(_HEADER_PERSON, params=params).first()
    if row is None:
        return None
    user_id, email, *flags = row
    return HeaderPerson(user_id, email, HeaderRoles(*(bool(flag) for flag in flags)))


def is_culture_operator(session: Session, actor: Actor) -> bool:
    if actor.is_system:
        return True
    if actor.user_id is None:
        return False
    return (
        session.exec(
            select(CultureOperator.id).where(CultureOperator.user_id == actor.user_id)
        ).first()
        is not None
    )


def check_culture_operator(session: Session, actor: Actor) -> None:
    if not is_culture_operator(session, actor):
        raise NotFound()


def is_coordinator(session: Session, actor: Actor, school_id: int) -> bool:
    if actor.user_id is None or not is_row_id(school_id):
        return False
    return (
        session.exec(
            select(SchoolCoordinator.id).where(
                SchoolCoordinator.school_id == school_id,
                SchoolCoordinator.user_id == actor.user_id,
            )
        ).first()
        is not None
    )


def check_coordinator(session: Session, actor: Actor, school_id: int) -> School:
    """The school, when the actor coordinates it; NotFound for anyone else's."""
    school = get_row(session, School, school_id) if is_row_id(school_id) else None
    if school is None or not (actor.is_system or is_coordinator(session, actor, school_id)):
        raise NotFound()
    return school


def check_coordinator_or_operator(session: Session, actor: Actor, school_id: int) -> School:
    school = get_row(session, School, school_id) if is_row_id(school_id) else None
    if school is None:
        raise NotFound()
    if is_culture_operator(session, actor) or is_coordinator(session, actor, school_id):
        return school
    raise NotFound()


def schools_of(session: Session, actor: Actor) -> list[School]:
    """The schools this person coordinates, by name."""
    if actor.user_id is None:
        return []
    return list(
        session.exec(
            select(School)
            .join(SchoolCoordinator, col(SchoolCoordinator.school_id) == School.id)
            .where(SchoolCoordinator.user_id == actor.user_id)
            .order_by(col(School.name))
        ).all()
    )


def check_provider_member(session: Session, actor: Actor, provider_id: int) -> None:
    """Someone who works for the provider (owner or staff). Unlike the certificates side,
    the platform operator is no member here: a provider's bookings hold pupils' names."""
    if actor.is_system:
        return
    if actor.user_id is None or not is_row_id(provider_id):
        raise NotFound()
    member = session.exec(
        select(Membership.id).where(
            Membership.user_id == actor.user_id,
            Membership.provider_id == provider_id,
            col(Membership.role).in_([Role.PROVIDER_OWNER, Role.PROVIDER_STAFF]),
        )
    ).first()
    if member is None:
        raise NotFound()


VILNIUS = ZoneInfo("Europe/Vilnius")  # the programme's clock: windows and deadlines


def local_day(moment: datetime) -> date:
    """The programme's calendar day of a moment (a session at 01:00 on 21 December in
    Vilnius is 20 December in UTC)."""
    return moment.astimezone(VILNIUS).date()
