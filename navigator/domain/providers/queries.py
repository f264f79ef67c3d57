"""Which providers a user works for, and which wait for admission."""

from __future__ import annotations

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Membership
from navigator.domain.municipalities.queries import municipality_for_admin
from navigator.domain.providers.api import STAFF_ROLES
from navigator.domain.providers.models import Provider


def providers_of(session: Session, actor: Actor) -> list[Provider]:
    """The organisations this user works for."""
    if actor.user_id is None:
        return []
    return list(
        session.exec(
            select(Provider)
            .join(Membership, col(Membership.provider_id) == Provider.id)
            .where(Membership.user_id == actor.user_id, col(Membership.role).in_(STAFF_ROLES))
            .order_by(col(Provider.id))
        ).all()
    )


def admission_queue(session: Session, actor: Actor, municipality_id: int) -> list[Provider]:
    """Providers not admitted yet: waiting ones first, then those refused (with the reason)."""
    municipality_for_admin(session, actor, municipality_id)
    return list(
        session.exec(
            select(Provider)
            .where(Provider.municipality_id == municipality_id, col(Provider.admitted).is_(False))
            .order_by(col(Provider.admission_note) != "", col(Provider.created_at))
        ).all()
    )
