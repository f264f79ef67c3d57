"""What every invitation by e-mail shares (a provider's staff, a school's coordinators): a
week-long random token kept only as its hash; a link that opens only while the invitation is
neither accepted, withdrawn nor expired; and accepting it with the account of the address
invited: a new one with the password chosen (the link proved the address), or an existing
one proven by its password, and by its second factor when it has one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import (
    MAX_TOKEN_LENGTH,
    CodeNeeded,
    SignedIn,
    sign_in,
    start_session,
    token_hash,
)
from navigator.domain.shared.errors import InvalidInput
from navigator.domain.shared.locks import locked

INVITATION_LIFETIME = timedelta(days=7)


MAX_PENDING = 50  # open invitations per organisation or school


class Invitation(Protocol):
    id: Any
    email: str
    token_hash: str
    accepted_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime


Invited = TypeVar("Invited", bound=Invitation)


def new_token() -> tuple[str, str]:
    """A token for the link, and the hash the database keeps instead of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def is_open(invitation: Invitation, now: datetime) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > now
    )


def open_invitation(session: Session, model: type[Invited], token: str, now: datetime) -> Invited:
    """The open invitation a link's token names; `invitation_invalid` for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInput("invitation_invalid")
    invitation = session.exec(
        select(model).where(col(model.token_hash) == token_hash(token))  # type: ignore[attr-defined]
    ).first()
    if invitation is None or not is_open(invitation, now):
        raise InvalidInput("invitation_invalid")
    return invitation


def pending(
    session: Session, model: type[Invited], owner: Any, owner_id: int, now: datetime
) -> list[Invited]:
    """The open invitations of one organisation or school (`owner`: its column)."""
    return list(
        session.exec(
            select(model).where(
                owner == owner_id,
                col(model.accepted_at).is_(None),  # type: ignore[attr-defined]
                col(model.revoked_at).is_(None),  # type: ignore[attr-defined]
                col(model.expires_at) > now,  # type: ignore[attr-defined]
            )
        ).all()
    )


def lock_open(session: Session, model: type[Invited], token: str, now: datetime) -> Invited:
    """The invitation, locked: accepted, withdrawn or replaced while we waited, it is gone."""
    found = open_invitation(session, model, token, now)
    invitation = locked(session, model, found.id)  # type: ignore[type-var]
    if invitation is None or not is_open(invitation, now):
        raise InvalidInput("invitation_invalid")
    return invitation  # type: ignore[return-value]


def has_account(session: Session, email: str) -> bool:
    if not isinstance(email, str):
        return False
    return session.exec(select(User.id).where(User.email == email)).first() is not None


def join(
    session: Session,
    email: str,
    password: str,
    password_again: str,
    *,
    client_address: str,
    locale: str,
    now: datetime,
) -> tuple[int, SignedIn | CodeNeeded] | None:
    """The invited address's account and how it signs in: a new account (signed in), or an
    existing one proven by its password (CodeNeeded when a code from its app is due: the
    person joins, and finishes signing in with the code). None for a wrong password: a
    failed sign-in, counted and rate-limited, so the caller commits and says so."""
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        if password != password_again:
            raise InvalidInput("passwords_differ", field="password_again")
        user = create_user(session, email, password, locale=locale, email_confirmed=True)
        assert user.id is not None
        return user.id, start_session(session, user.id, now)
    proven = sign_in(session, email, password, client_address, now=now)
    if proven is None:
        return None
    assert user.id is not None
    return user.id, proven
