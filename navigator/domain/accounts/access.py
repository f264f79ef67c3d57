"""Who is asking. Every service takes an Actor and checks it before reading a row for them.

An id the actor may not see answers NotFound, exactly like an id that does not exist,
so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from navigator.domain.accounts.models import Child, Membership, Role, User
from navigator.domain.municipalities.models import MunicipalityPolicy
from navigator.domain.shared.errors import Conflict, NotFound
from navigator.domain.shared.validation import check_row_id, is_row_id


@dataclass(frozen=True)
class Actor:
    """A signed-in user, or the system itself (operator command line, scheduled jobs)."""

    user_id: int | None
    is_system: bool = False

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=None, is_system=True)

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(user_id=user_id)


def _has_role(
    session: Session,
    actor: Actor,
    roles: tuple[Role, ...],
    *,
    provider_id: int | None = None,
    municipality_id: int | None = None,
) -> bool:
    if actor.user_id is None:
        return False
    if any(i is not None and not is_row_id(i) for i in (provider_id, municipality_id)):
        return False
    statement = select(Membership.id).where(
        Membership.user_id == actor.user_id,
        Membership.role.in_([r.value for r in roles]),  # type: ignore[attr-defined]
    )
    if provider_id is not None:
        statement = statement.where(Membership.provider_id == provider_id)
    if municipality_id is not None:
        statement = statement.where(Membership.municipality_id == municipality_id)
    return session.exec(statement).first() is not None


def is_operator(session: Session, actor: Actor) -> bool:
    return actor.is_system or _has_role(session, actor, (Role.OPERATOR,))


def check_guardian(session: Session, actor: Actor, child: Child | None) -> Child:
    """The child, if the actor is its guardian (or the system)."""
    if child is None or not (actor.is_system or actor.user_id == child.guardian_id):
        raise NotFound()
    return child


def is_provider_owner(session: Session, actor: Actor, provider_id: int) -> bool:
    if not is_row_id(provider_id):
        return False
    return is_operator(session, actor) or _has_role(
        session, actor, (Role.PROVIDER_OWNER,), provider_id=provider_id
    )


def is_provider_staff(session: Session, actor: Actor, provider_id: int) -> bool:
    """Owner or staff of this provider (the operator too)."""
    if not is_row_id(provider_id):
        return False
    return is_operator(session, actor) or _has_role(
        session, actor, (Role.PROVIDER_OWNER, Role.PROVIDER_STAFF), provider_id=provider_id
    )


def check_provider_staff(session: Session, actor: Actor, provider_id: int) -> None:
    check_row_id(provider_id)
    if not is_provider_staff(session, actor, provider_id):
        raise NotFound()


def check_municipality_admin(session: Session, actor: Actor, municipality_id: int) -> None:
    """An administrator of this municipality (or the operator). Where the municipality
    requires two-factor sign-in, an administrator without it is refused until it is on."""
    check_row_id(municipality_id)
    if is_operator(session, actor):
        return
    if not _has_role(session, actor, (Role.MUNICIPALITY_ADMIN,), municipality_id=municipality_id):
        raise NotFound()
    if actor.user_id is None:
        return
    required = session.exec(
        select(MunicipalityPolicy.require_two_factor).where(
            MunicipalityPolicy.municipality_id == municipality_id
        )
    ).first()
    user = session.get(User, actor.user_id) if required else None
    if user is not None and not user.totp_secret:
        raise Conflict("two_factor_required")


def check_parent(session: Session, actor: Actor) -> int:
    """The parent's own user id. Only an account made as a parent's keeps a family here: a
    provider's or a municipality's staff, and the system, answer NotFound."""
    if actor.user_id is None or not _has_role(session, actor, (Role.PARENT,)):
        raise NotFound()
    return actor.user_id
