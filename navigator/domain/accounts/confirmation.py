"""Confirming an e-mail address: a link mailed to it, opened once.

A parent confirms the address before requesting a certificate, a provider's owner before
the municipality can admit the organisation: letters about money and decisions must reach
the person. Links are limited per account (MAX_LINKS_PER_WINDOW per hour), so the form
cannot flood an inbox.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import EmailConfirmation, User
from navigator.domain.accounts.signin import MAX_TOKEN_LENGTH, token_hash
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import InvalidInput, NotFound, TooManyAttempts
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import check_choice
from navigator.i18n import translate

LINK_LIFETIME = timedelta(days=2)
LINK_WINDOW = timedelta(hours=1)
MAX_LINKS_PER_WINDOW = 3
LINK_DAY = timedelta(days=1)
MAX_LINKS_PER_DAY = 6  # an address someone else signed up cannot be flooded either


def send_confirmation(
    session: Session,
    user_id: int,
    *,
    app_url: str,
    locale: str = "ru",
    now: datetime | None = None,
) -> None:
    """Mail a confirmation link to the user's address (nothing when already confirmed);
    TooManyAttempts past the hourly limit, so the inbox is never flooded."""
    now = now or utcnow()
    locale = check_choice(locale, "locale", Language)
    user = locked(session, User, user_id)
    if user is None:
        raise NotFound()
    if user.email_verified_at is not None:
        return
    for window, limit in ((LINK_WINDOW, MAX_LINKS_PER_WINDOW), (LINK_DAY, MAX_LINKS_PER_DAY)):
        recent = session.exec(
            select(func.count()).where(
                EmailConfirmation.user_id == user.id, EmailConfirmation.created_at >= now - window
            )
        ).one()
        if recent >= limit:
            raise TooManyAttempts("too_many_requests", minutes=int(window.total_seconds() // 60))
    token = secrets.token_urlsafe(32)
    session.add(
        EmailConfirmation(
            token_hash=token_hash(token),
            user_id=user_id,
            email=user.email,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    link = f"{app_url.rstrip('/')}{routes.AUTH_EMAIL_CONFIRM}?token={token}"
    queue_mail(
        session,
        user.email,
        translate("mail_confirm_subject", locale),
        translate("mail_confirm_body", locale, link=link, days=LINK_LIFETIME.days),
    )


def confirm_email(session: Session, token: str, *, now: datetime | None = None) -> int:
    """The address is confirmed by its link (once, before it expires); the user's id."""
    now = now or utcnow()
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInput("confirm_link_invalid")
    found = session.exec(
        select(EmailConfirmation.user_id).where(EmailConfirmation.token_hash == token_hash(token))
    ).first()
    user = locked(session, User, found) if found is not None else None
    link = session.exec(
        select(EmailConfirmation).where(EmailConfirmation.token_hash == token_hash(token))
    ).first()
    if user is None or link is None or link.expires_at <= now or link.email != user.email:
        raise InvalidInput("confirm_link_invalid")
    if link.used_at is None:
        user.email_verified_at = user.email_verified_at or now
        session.add(user)
        session.exec(  # type: ignore[call-overload]
            update(EmailConfirmation)
            .where(
                col(EmailConfirmation.user_id) == user.id, col(EmailConfirmation.used_at).is_(None)
            )
            .values(used_at=now)
        )
    assert user.id is not None
    return user.id


def unconfirmed_address(session: Session, actor: Actor) -> str:
    """The signed-in person's address while it waits for its link; "" once confirmed."""
    user = get_row(session, User, actor.user_id) if actor.user_id is not None else None
    return user.email if user is not None and user.email_verified_at is None else ""
