"""A provider's people: owners invite staff by e-mail, and remove them.

Only an owner invites or removes. The invitation link carries a random token (the
database keeps its hash) and lasts a week. Whoever follows it either sets a password for
a new account or, if the address already has one, proves it with that account's password;
either way the membership is added and they are signed in. A provider always keeps at
least one owner. A removed member's API keys are revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from navigator import routes
from navigator.domain.accounts.access import Actor, is_provider_owner, is_provider_staff
from navigator.domain.accounts.invitations import (
    INVITATION_LIFETIME,
    MAX_PENDING,
    has_account,
    join,
    lock_open,
    new_token,
    open_invitation,
    pending,
)
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.accounts.signin import CodeNeeded, SignedIn
from navigator.domain.accounts.throttle import spend_attempt
from navigator.domain.providers.api import STAFF_ROLES
from navigator.domain.providers.models import ApiKey, Provider, StaffInvitation
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import check_choice, check_email
from navigator.i18n import translate


def _check_owner(session: Session, actor: Actor, provider_id: int) -> Provider:
    provider = get_row(session, Provider, provider_id)
    if provider is None or not is_provider_staff(session, actor, provider_id):
        raise NotFound()
    if not is_provider_owner(session, actor, provider_id):
        raise Conflict("owner_only")  # staff learn why; anyone else learned nothing above
    return provider


def invite_staff(
    session: Session,
    actor: Actor,
    provider_id: int,
    email: str,
    role: Role | str,
    *,
    app_url: str,
    locale: str = "ru",
    now: datetime | None = None,
) -> StaffInvitation:
    """Mail a week-long invitation; a new one for the same address replaces the old."""
    now = now or utcnow()
    provider = _check_owner(session, actor, provider_id)
    if not provider.admitted:
        raise Conflict("provider_not_admitted")  # no mail goes out for an unchecked organisation
    email = check_email(email)
    spend_attempt(session, "invites", "user", str(actor.user_id), now=now)
    spend_attempt(session, "invited", "email", email, now=now)
    role = Role(check_choice(role, "role", Role))
    if role not in STAFF_ROLES:
        raise InvalidInput("field_not_allowed", field="role", allowed=", ".join(STAFF_ROLES))
    locale = check_choice(locale, "locale", Language)
    member = session.exec(
        select(Membership.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            User.email == email,
            Membership.provider_id == provider_id,
            col(Membership.role).in_(STAFF_ROLES),
        )
    ).first()
    if member is not None:
        raise Conflict("staff_already_member")
    waiting = _pending(session, provider_id, now)
    if len(waiting) >= MAX_PENDING:
        raise Conflict("too_many_invitations", max=MAX_PENDING)
    for old in waiting:
        if old.email == email:
            old.revoked_at = now
            session.add(old)
    token, hashed = new_token()
    invitation = StaffInvitation(
        provider_id=provider_id,
        email=email,
        role=role,
        token_hash=hashed,
        invited_by_id=actor.user_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    link = f"{app_url.rstrip('/')}{routes.INVITE}?token={token}"
    queue_mail(
        session,
        email,
        translate("mail_invite_subject", locale, provider=provider.name),
        translate("mail_invite_body", locale, provider=provider.name, link=link, days=7),
    )
    return invitation


def _pending(session: Session, provider_id: int, now: datetime) -> list[StaffInvitation]:
    return pending(session, StaffInvitation, StaffInvitation.provider_id, provider_id, now)


@dataclass(frozen=True)
class InvitationView:
    provider_name: str
    email: str
    role: str
    has_account: bool


def invitation_for_token(
    session: Session, token: str, *, now: datetime | None = None
) -> InvitationView:
    """What the invitation page shows to whoever holds the link."""
    invitation = open_invitation(session, StaffInvitation, token, now or utcnow())
    provider = get_row(session, Provider, invitation.provider_id)
    assert provider is not None
    return InvitationView(
        provider.name, invitation.email, invitation.role, has_account(session, invitation.email)
    )


def accept_invitation(
    session: Session,
    token: str,
    password: str,
    password_again: str,
    *,
    client_address: str,
    locale: str = "ru",
    now: datetime | None = None,
) -> SignedIn | CodeNeeded | None:
    """Join the provider: a new account with this password, or an existing one proven by it
    (CodeNeeded when that account signs in with a second factor: it joins, and the person
    finishes signing in with a code).

    None for a wrong password of an existing account: it counts as a failed log-in
    (rate-limited), so the caller commits and shows the error.
    """
    now = now or utcnow()
    invitation = lock_open(session, StaffInvitation, token, now)
    joined = join(
        session,
        invitation.email,
        password,
        password_again,
        client_address=client_address,
        locale=locale,
        now=now,
    )
    if joined is None:
        return None
    user_id, signed_in = joined
    already = session.exec(
        select(Membership.id).where(
            Membership.user_id == user_id,
            Membership.provider_id == invitation.provider_id,
            col(Membership.role).in_(STAFF_ROLES),
        )
    ).first()
    if already is None:
        session.add(
            Membership(user_id=user_id, role=invitation.role, provider_id=invitation.provider_id)
        )
    invitation.accepted_at = now
    session.add(invitation)
    session.flush()
    return signed_in


@dataclass(frozen=True)
class StaffRow:
    user_id: int | None  # None for an invitation not yet accepted
    invitation_id: int | None
    email: str
    role: str
    pending: bool


def staff_of(
    session: Session, actor: Actor, provider_id: int, *, now: datetime | None = None
) -> list[StaffRow]:
    """Members and open invitations, for the owner's staff page."""
    _check_owner(session, actor, provider_id)
    members = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.provider_id == provider_id, col(Membership.role).in_(STAFF_ROLES))
        .order_by(col(User.email))
    ).all()
    rows = [StaffRow(u.id, None, u.email, m.role, False) for u, m in members]
    rows += [
        StaffRow(None, i.id, i.email, i.role, True)
        for i in sorted(_pending(session, provider_id, now or utcnow()), key=lambda i: i.email)
    ]
    return rows


def remove_staff(session: Session, actor: Actor, provider_id: int, user_id: int) -> None:
    """End someone's work for the provider; the last owner stays."""
    _check_owner(session, actor, provider_id)
    memberships = (
        session.exec(
            select(Membership)
            .where(
                Membership.provider_id == provider_id,
                Membership.user_id == user_id,
                col(Membership.role).in_(STAFF_ROLES),
            )
            .with_for_update()
        ).all()
        if isinstance(user_id, int)
        else []
    )
    if not memberships:
        raise NotFound()
    owners = session.exec(
        select(Membership.user_id)
        .where(Membership.provider_id == provider_id, Membership.role == Role.PROVIDER_OWNER)
        .with_for_update()
    ).all()
    if set(owners) == {user_id}:
        raise Conflict("last_owner")
    for membership in memberships:
        session.delete(membership)
    for key in session.exec(
        select(ApiKey).where(
            ApiKey.provider_id == provider_id,
            ApiKey.created_by_id == user_id,
            col(ApiKey.revoked_at).is_(None),
        )
    ).all():  # revoked for good: an invitation back later does not revive them
        key.revoked_at = utcnow()
        session.add(key)
    session.flush()


def revoke_invitation(session: Session, actor: Actor, provider_id: int, invitation_id: int) -> None:
    _check_owner(session, actor, provider_id)
    invitation = locked(session, StaffInvitation, invitation_id)
    if invitation is None or invitation.provider_id != provider_id:
        raise NotFound()
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        session.flush()
