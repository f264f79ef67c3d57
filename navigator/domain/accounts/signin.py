"""Signing in: parent sign-up, sessions, rate-limited log-in, password reset by e-mail.

A session or reset token is 32 random bytes; the database keeps only its SHA-256, so a
leaked database opens no account. Failed log-ins are counted per e-mail and per client
address; past the limit every attempt is refused for a while, right password or not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from sqlalchemy import bindparam, delete, func, text, update
from sqlmodel import Session, col, select

from navigator import routes
from navigator.domain.accounts.api import (
    check_password,
    create_user,
    hash_password,
    verify_password,
)
from navigator.domain.accounts.models import (
    LoginAttempt,
    LoginChallenge,
    LoginSession,
    PasswordReset,
    Role,
    User,
)
from navigator.domain.accounts.two_factor import accept_code
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import InvalidInput, TooManyAttempts
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import check_choice, check_email
from navigator.i18n import translate

SESSION_LIFETIME = timedelta(days=14)


RESET_LIFETIME = timedelta(hours=1)


ATTEMPT_WINDOW = timedelta(minutes=15)


MAX_FAILURES_PER_EMAIL = 5


MAX_FAILURES_PER_ADDRESS = 30


MAX_RESETS_PER_WINDOW = 3


MAX_TOKEN_LENGTH = 100


def _well_formed(token: object) -> TypeGuard[str]:
    """A token, challenge or reset link as the site hands them out: what is not never
    reaches the database."""
    return isinstance(token, str) and bool(token) and len(token) <= MAX_TOKEN_LENGTH


# tokens in one IN list: a thousand open cabinets never make one huge statement
TOKENS_PER_STATEMENT = 500

# the second step of a two-factor sign-in: a few minutes and a few tries per password
CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_CODE_TRIES = 5


# verify_password runs on this for unknown e-mails, so timing does not tell who has an account
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _attempt_key(kind: str, value: str) -> str:
    return token_hash(f"{kind}:{value}")


def queue_on(session: Session, key: str) -> None:
    """Transactions counting attempts under the same hashed key wait for each other here, so
    each sees the others' attempts (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if not isinstance(key, str) or len(key) < 15:
        raise InvalidInput("field_required", field="key")
    if session.get_bind().dialect.name == "postgresql":
        # 60 bits of the hash: a signed 64-bit advisory lock key
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key[:15], 16)})


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right and the account has two-factor sign-in: this challenge, with a
    code, finishes it (finish_sign_in)."""

    challenge: str


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    token: str
    expires_at: datetime


def start_session(session: Session, user_id: int, now: datetime) -> SignedIn:
    token = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    session.add(LoginSession(token_hash=token_hash(token), user_id=user_id, expires_at=expires_at))
    session.flush()
    return SignedIn(user_id, token, expires_at)


def register_parent(
    session: Session, email: str, password: str, password_again: str, *, locale: str = "ru"
) -> SignedIn:
    """A new parent account, signed in at once; the address still has to be confirmed (a
    link is mailed, see accounts.confirmation) before a certificate can be requested."""
    if password != password_again:
        raise InvalidInput("passwords_differ")
    user = create_user(session, email, password, locale=locale, roles=((Role.PARENT, None, None),))
    assert user.id is not None
    return start_session(session, user.id, utcnow())


def _failures(session: Session, key: str, since: datetime) -> int:
    query = select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    return session.exec(query).one()


def sign_in(
    session: Session, email: str, password: str, client_address: str, *, now: datetime | None = None
) -> SignedIn | CodeNeeded | None:
    """A new session, or None for a wrong e-mail or password (the failure is recorded), or
    CodeNeeded when the account signs in with a second factor.

    The caller commits either way: a failure must stay counted.
    """
    now = now or utcnow()
    email_key = _attempt_key("email", str(email or "").strip().lower())
    address_key = _attempt_key("address", client_address)
    since = now - ATTEMPT_WINDOW
    queue_on(session, email_key)  # parallel guesses for one e-mail see each other's failures
    if (
        _failures(session, email_key, since) >= MAX_FAILURES_PER_EMAIL
        or _failures(session, address_key, since) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(minutes=int(ATTEMPT_WINDOW.total_seconds() // 60))
    try:
        email = check_email(email)
    except InvalidInput:
        email = ""
    user = session.exec(select(User).where(User.email == email)).first() if email else None
    password = password if isinstance(password, str) and len(password) <= 256 else ""
    matches = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not matches or not user.is_active:
        session.add(LoginAttempt(key=email_key, at=now))
        session.add(LoginAttempt(key=address_key, at=now))
        session.flush()
        return None
    session.exec(delete(LoginSession).where(col(LoginSession.expires_at) < now))  # type: ignore[call-overload]
    assert user.id is not None
    if user.totp_secret:  # the password was right; a code from the app is due next
        challenge = secrets.token_urlsafe(32)
        session.add(
            LoginChallenge(
                token_hash=token_hash(challenge),
                user_id=user.id,
                expires_at=now + CHALLENGE_LIFETIME,
            )
        )
        session.flush()
        return CodeNeeded(challenge)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == email_key))  # type: ignore[call-overload]
    return start_session(session, user.id, now)


def finish_sign_in(
    session: Session,
    challenge: str,
    code: str,
    client_address: str,
    *,
    now: datetime | None = None,
) -> SignedIn | None:
    """The second step: a code from the app (or a recovery code) for a challenge the right
    password opened. None for a wrong code (counted like a wrong password; a challenge
    takes MAX_CODE_TRIES); InvalidInput when the challenge is unknown, spent or expired."""
    now = now or utcnow()
    if not _well_formed(challenge):
        raise InvalidInput("sign_in_code_expired")
    found = session.exec(
        select(LoginChallenge.user_id).where(LoginChallenge.token_hash == token_hash(challenge))
    ).first()
    user = locked(session, User, found) if found is not None else None  # one code at a time
    row = session.exec(
        select(LoginChallenge).where(LoginChallenge.token_hash == token_hash(challenge))
    ).first()
    if (
        user is None
        or row is None
        or row.used_at is not None
        or row.expires_at <= now
        or row.failures >= MAX_CODE_TRIES
        or not user.is_active
    ):
        raise InvalidInput("sign_in_code_expired")
    email_key = _attempt_key("email", user.email)
    address_key = _attempt_key("address", client_address)
    since = now - ATTEMPT_WINDOW
    if (
        _failures(session, email_key, since) >= MAX_FAILURES_PER_EMAIL
        or _failures(session, address_key, since) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(minutes=int(ATTEMPT_WINDOW.total_seconds() // 60))
    if not accept_code(session, user, code, now=now):
        row.failures += 1
        session.add(row)
        session.add(LoginAttempt(key=email_key, at=now))
        session.add(LoginAttempt(key=address_key, at=now))
        session.flush()
        return None
    row.used_at = now
    session.add(row)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == email_key))  # type: ignore[call-overload]
    assert user.id is not None
    return start_session(session, user.id, now)


def _signing_in(hashes: Any, now: Any) -> tuple[Any, ...]:
    """The sessions of these token hashes that still sign their person in: not signed out or
    ended by a password reset (the row is gone then), not expired, the account not disabled.
    The one statement of these rules, for one token and for many (values or parameters)."""
    return (
        col(LoginSession.token_hash).in_(hashes),
        col(LoginSession.expires_at) > now,
        col(User.is_active).is_(True),
    )


def signed_in_by(statement: Any) -> Any:
    """The statement (one that selects from User) narrowed to the user whose session token
    its parameters name (`signing_in`). Built once and run for every token: every event of
    every screen asks who is signed in, and building the statement each time was most of its
    cost (SQLAlchemy compiles one statement once; building it and its cache key is Python)."""
    return statement.join(LoginSession, col(LoginSession.user_id) == User.id).where(
        *_signing_in(bindparam("token_hashes", expanding=True), bindparam("now"))
    )


def signing_in(token: str | None, *, now: datetime | None = None) -> dict[str, Any] | None:
    """The parameters of a `signed_in_by` statement for this session token; None for a token
    the site never hands out, which never reaches the database."""
    if not _well_formed(token):
        return None
    return {"token_hashes": [token_hash(token)], "now": now or utcnow()}


_USER_SIGNED_IN = signed_in_by(select(User))


def user_for_token(
    session: Session, token: str | None, *, now: datetime | None = None
) -> User | None:
    """The signed-in user of this session token; None when unknown, expired or disabled."""
    params = signing_in(token, now=now)
    return None if params is None else session.exec(_USER_SIGNED_IN, params=params).first()


def user_ids_for_tokens(
    session: Session, tokens: list[str | None], *, now: datetime | None = None
) -> dict[str, int]:
    """The signed-in user's id of each token that still signs someone in (the rules of
    user_for_token), in one statement per TOKENS_PER_STATEMENT tokens: every open cabinet
    of a worker is polled at once. A token that signs nobody in is left out."""
    if not isinstance(tokens, list | tuple | set | frozenset):
        return {}
    by_hash = {token_hash(token): token for token in tokens if _well_formed(token)}
    hashes, now = list(by_hash), now or utcnow()
    found: dict[str, int] = {}
    for start in range(0, len(hashes), TOKENS_PER_STATEMENT):
        rows = session.exec(
            select(LoginSession.token_hash, LoginSession.user_id)
            .join(User, col(User.id) == LoginSession.user_id)
            .where(*_signing_in(hashes[start : start + TOKENS_PER_STATEMENT], now))
        ).all()
        found.update((by_hash[hashed], user_id) for hashed, user_id in rows)
    return found


def sign_out(session: Session, token: str | None) -> None:
    if _well_formed(token):
        session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token)))  # type: ignore[call-overload]


def request_password_reset(
    session: Session, email: str, *, app_url: str, locale: str = "ru", now: datetime | None = None
) -> None:
    """Mail a one-hour reset link if the account exists. The answer is the same either way."""
    now = now or utcnow()
    locale = check_choice(locale, "locale", Language)
    email = check_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        return
    recent = session.exec(
        select(func.count()).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at >= now - ATTEMPT_WINDOW
        )
    ).one()
    if recent >= MAX_RESETS_PER_WINDOW:
        return  # the links already sent still work; no mail flood to a victim's inbox
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        PasswordReset(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    link = f"{app_url.rstrip('/')}{routes.PASSWORD_RESET}?token={token}"
    queue_mail(
        session,
        user.email,
        translate("mail_reset_subject", locale),
        translate("mail_reset_body", locale, link=link, hours=1),
    )


def reset_password(
    session: Session, token: str, password: str, password_again: str, *, now: datetime | None = None
) -> None:
    """Set a new password from a reset link; the link is spent and every session ends."""
    now = now or utcnow()
    if not _well_formed(token):
        raise InvalidInput("reset_link_invalid")
    found = session.exec(
        select(PasswordReset.id).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    reset = locked(session, PasswordReset, found) if found is not None else None  # one use only
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidInput("reset_link_invalid")
    if password != password_again:
        raise InvalidInput("passwords_differ")
    user = get_row(session, User, reset.user_id)
    assert user is not None
    user.password_hash = hash_password(check_password(password))
    reset.used_at = now
    session.add_all([user, reset])
    session.exec(  # type: ignore[call-overload]
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))  # type: ignore[call-overload]
    session.exec(
        delete(LoginAttempt).where(col(LoginAttempt.key) == _attempt_key("email", user.email))  # type: ignore[call-overload]
    )
