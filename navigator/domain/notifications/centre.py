"""The notification centre: a person's own notifications, newest first, the unread count,
marking read; and their mail preference. Every function takes the person asking and only
ever touches that person's rows (another's id is simply not found)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import User
from navigator.domain.notifications.models import MailMode, NotificationPreference
from navigator.domain.notifications.render import Rendered, render_many
from navigator.domain.shared.errors import InvalidInput, NotFound
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from navigator.domain.shared.validation import check_row_id

PAGE_SIZE = 20
LANGUAGES = ("ru", "lt", "en")


def _user_id(actor: Actor) -> int:
    if not isinstance(actor, Actor) or actor.user_id is None:
        raise NotFound()
    return actor.user_id


def unread_count(session: Session, actor: Actor) -> int:
    user_id = _user_id(actor)
    return int(
        session.exec(
            select(func.count()).where(
                Notification.user_id == user_id, col(Notification.read_at).is_(None)
            )
        ).one()
    )


@dataclass(frozen=True)
class Page:
    items: list[Rendered]
    unread: int
    page: int
    has_more: bool


def list_notifications(session: Session, actor: Actor, language: str, page: int = 0) -> Page:
    """One page of the person's notifications, newest first, in their language."""
    user_id = _user_id(actor)
    language = language if language in LANGUAGES else LANGUAGES[0]
    if not isinstance(page, int) or isinstance(page, bool) or not 0 <= page <= 100_000:
        raise InvalidInput("must_not_be_negative", field="page")
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    items = render_many(session, rows[:PAGE_SIZE], language)
    return Page(items, unread_count(session, actor), page, len(rows) > PAGE_SIZE)


def mark_read(
    session: Session, actor: Actor, notification_id: int, *, now: datetime | None = None
) -> None:
    user_id = _user_id(actor)
    check_row_id(notification_id)
    found = session.exec(
        select(Notification.id).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    ).first()
    if found is None:
        raise NotFound()
    session.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(col(Notification.id) == notification_id, col(Notification.read_at).is_(None))
        .values(read_at=now or utcnow())
    )


def mark_all_read(session: Session, actor: Actor, *, now: datetime | None = None) -> int:
    user_id = _user_id(actor)
    result = session.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now or utcnow())
    )
    return int(result.rowcount or 0)


# ---------------------------------------------------------------- preferences


@dataclass(frozen=True)
class Preference:
    mode: str
    digests: bool  # False once the person unsubscribed from digests


def _preference_row(session: Session, user_id: int) -> NotificationPreference:
    """The person's row, made with the defaults (and a signing key) when they have none."""
    row = session.get(NotificationPreference, user_id)
    if row is None:
        row = NotificationPreference(user_id=user_id, signing_key=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return row


def get_preference(session: Session, actor: Actor) -> Preference:
    row = session.get(NotificationPreference, _user_id(actor))
    if row is None:
        return Preference(MailMode.INSTANT, True)
    return Preference(row.mode, row.digests_stopped_at is None)


def set_preference(
    session: Session, actor: Actor, mode: str, digests: bool, *, now: datetime | None = None
) -> Preference:
    user_id = _user_id(actor)
    if mode not in tuple(MailMode):
        raise InvalidInput("field_not_allowed", field="mail_mode", allowed=", ".join(MailMode))
    if not isinstance(digests, bool):
        raise InvalidInput("invalid_input")
    row = _preference_row(session, user_id)
    row.mode = mode
    if digests:
        row.digests_stopped_at = None
    elif row.digests_stopped_at is None:
        row.digests_stopped_at = now or utcnow()
    row.updated_at = now or utcnow()
    session.add(row)
    return Preference(row.mode, row.digests_stopped_at is None)


@dataclass(frozen=True)
class UndeliveredMail:
    """Letters to the person's address were given up (shared.mail): when, and what the mail
    server answered, so they can check the address or their mailbox."""

    email: str
    given_up_at: datetime
    answer: str


def undelivered_mail(session: Session, actor: Actor) -> UndeliveredMail | None:
    """The last letter to the person's address that was given up, unless a letter sent to it
    later arrived (the address works again)."""
    user = session.get(User, _user_id(actor))
    if user is None:
        return None
    given_up = session.exec(
        select(OutgoingMail)
        .where(OutgoingMail.recipient == user.email, col(OutgoingMail.given_up_at).is_not(None))
        .order_by(col(OutgoingMail.given_up_at).desc())
        .limit(1)
    ).first()
    if given_up is None or given_up.given_up_at is None:
        return None
    sent_later = session.exec(
        select(OutgoingMail.id).where(
            OutgoingMail.recipient == user.email,
            col(OutgoingMail.sent_at) > given_up.given_up_at,
        )
    ).first()
    if sent_later is not None:
        return None
    return UndeliveredMail(user.email, given_up.given_up_at, given_up.last_error)


# ---------------------------------------------------------------- one-click unsubscribe

UNSUBSCRIBE_PURPOSE = b"digest-unsubscribe:"


def unsubscribe_token(session: Session, user_id: int) -> str:
    """`<user id>.<signature>`: signed with the person's own key, so it works without a
    session and only for that person."""
    row = _preference_row(session, check_row_id(user_id))
    return f"{user_id}.{_signature(row.signing_key, user_id)}"


def _signature(key: str, user_id: int) -> str:
    message = UNSUBSCRIBE_PURPOSE + str(user_id).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def unsubscribe_from_digests(session: Session, token: str, *, now: datetime | None = None) -> int:
    """Stop the digests of the person the token was made for; the same token again changes
    nothing. A malformed or forged token is NotFound."""
    if not isinstance(token, str) or len(token) > 100 or token.count(".") != 1:
        raise NotFound()
    user_part, signature = token.split(".")
    # ASCII only: "²" is a digit to str.isdigit(), and compare_digest refuses non-ASCII text
    if not re.fullmatch(r"[0-9]{1,12}", user_part) or not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise NotFound()
    user_id = int(user_part)
    row = session.get(NotificationPreference, user_id)
    if row is None or not hmac.compare_digest(_signature(row.signing_key, user_id), signature):
        raise NotFound()
    if row.digests_stopped_at is None:
        row.digests_stopped_at = now or utcnow()
        row.updated_at = row.digests_stopped_at
        session.add(row)
    return user_id
