"""Providers: sign-up, and the municipality's admission or refusal."""

from __future__ import annotations

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_municipality_admin
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.accounts.signin import SignedIn, start_session
from navigator.domain.municipalities.models import Municipality
from navigator.domain.notifications import fanout
from navigator.domain.providers.models import Provider, ProviderKind
from navigator.domain.shared import audit
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_choice, check_text

STAFF_ROLES = (Role.PROVIDER_OWNER, Role.PROVIDER_STAFF)


def register_provider(
    session: Session,
    *,
    email: str,
    password: str,
    password_again: str,
    organisation: str,
    kind: str,
    licence_number: str,
    municipality_id: int,
    locale: str = "ru",
) -> SignedIn:
    """An organisation and its owner; it lists programs once the municipality admits it."""
    if password != password_again:
        raise InvalidInput("passwords_differ")
    if (
        not isinstance(municipality_id, int)
        or get_row(session, Municipality, municipality_id) is None
    ):
        raise InvalidInput("field_required", field="municipality_id")
    provider = create_provider(
        session,
        municipality_id=municipality_id,
        name=organisation,
        kind=kind,
        licence_number=licence_number,
    )
    user = create_user(
        session, email, password, locale=locale, roles=((Role.PROVIDER_OWNER, None, provider.id),)
    )
    assert user.id is not None
    return start_session(session, user.id, utcnow())


def create_provider(
    session: Session,
    *,
    municipality_id: int,
    name: str,
    kind: str,
    licence_number: str = "",
) -> Provider:
    if get_row(session, Municipality, municipality_id) is None:
        raise NotFound()
    provider = Provider(
        municipality_id=municipality_id,
        name=check_text(name, "name", max_length=200),
        kind=check_choice(kind, "kind", ProviderKind),
        licence_number=check_text(licence_number, "licence_number", max_length=60, required=False),
    )
    session.add(provider)
    session.flush()
    fanout.notify_municipality(
        session, municipality_id, "queue.provider", {"provider_id": provider.id}
    )
    return provider


def admit_provider(session: Session, actor: Actor, provider_id: int) -> Provider:
    provider = locked(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    check_municipality_admin(session, actor, provider.municipality_id)
    if not provider.admitted:
        _check_owner_confirmed(session, provider)
        provider.admitted = True
        provider.admitted_at = utcnow()
        provider.admission_note = ""
        session.add(provider)
        audit.record(
            session, actor, provider.municipality_id, "provider.admitted", "provider", provider.id
        )
    return provider


def _check_owner_confirmed(session: Session, provider: Provider) -> None:
    """An organisation that signed up is admitted once its owner's address is confirmed:
    the decisions and applications it will be told about must reach it. (One the operator
    made, with no owner account yet, has no address to confirm.)"""
    owners = session.exec(
        select(User.email_verified_at)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.provider_id == provider.id, Membership.role == Role.PROVIDER_OWNER)
    ).all()
    if owners and all(confirmed is None for confirmed in owners):
        raise Conflict("provider_email_not_confirmed")


def refuse_admission(session: Session, actor: Actor, provider_id: int, *, reason: str) -> Provider:
    """Leave a provider out, saying why; it may apply again (an admin can admit it later)."""
    provider = locked(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    check_municipality_admin(session, actor, provider.municipality_id)
    reason = check_text(reason, "reason", max_length=500)
    if provider.admitted:
        raise Conflict("provider_already_admitted")
    provider.admission_note = reason
    session.add(provider)
    audit.record(
        session,
        actor,
        provider.municipality_id,
        "provider.refused",
        "provider",
        provider.id,
        reason=reason,
    )
    return provider
