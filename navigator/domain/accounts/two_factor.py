"""Two-factor sign-in for the people who move money or rules: municipality administrators,
provider owners and the operator. A time-based code (RFC 6238: SHA-1, 6 digits, 30 s, as
every authenticator app reads an otpauth:// link) or one of ten single-use recovery codes.

Turning it on takes a code from the app, so a mistyped secret never locks anyone out; it
ends the account's other sessions. With it on, signing in takes the password and then a
code (accounts.signin.finish_sign_in). A code is accepted once: a step already used, or an
older one, is refused, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import delete
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import verify_password
from navigator.domain.accounts.models import LoginSession, Membership, RecoveryCode, Role, User
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import utcnow
from navigator.i18n import translate

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code from the step before or after is accepted: clocks drift
RECOVERY_CODES = 10
ISSUER = "Navigator"
OFFERED_TO = (Role.MUNICIPALITY_ADMIN, Role.PROVIDER_OWNER, Role.OPERATOR)


def code_at(secret: str, step: int) -> str:
    """The code of a base32 secret for one 30-second step."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


@dataclass(frozen=True)
class Setup:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth://, which a phone opens in its authenticator app


def start_setup(session: Session, actor: Actor) -> Setup:
    """A new secret, kept pending until a code from it comes back (finish_setup)."""
    user = _user(session, actor)
    if not _offered(session, user):
        raise Conflict("two_factor_not_offered")
    if user.totp_secret:
        raise Conflict("two_factor_already_on")
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    user.totp_pending_secret = secret
    session.add(user)
    label = quote(f"{ISSUER}:{user.email}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&digits={DIGITS}&period=30"
    return Setup(secret, uri)


def finish_setup(
    session: Session,
    actor: Actor,
    code: str,
    *,
    password: str,
    keep_token_hash: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Turned on by a code from the new secret and the account's password (a session alone,
    stolen or left open, cannot bind someone else's phone): the recovery codes, shown once.
    Every other session ends (`keep_token_hash` is the one this request came from), and the
    address is told."""
    now = now or utcnow()
    user = _user(session, actor)
    if not user.totp_pending_secret:
        raise Conflict("two_factor_not_started")
    _check_password(user, password)
    step = _matching_step(user.totp_pending_secret, code, now, after=-1)
    if step is None:
        raise InvalidInput("two_factor_code_wrong")
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, ""
    user.totp_last_step = step
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))  # type: ignore[call-overload]
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for plain in codes:
        session.add(RecoveryCode(user_id=user.id or 0, code_hash=_hash(plain)))
    session.exec(  # type: ignore[call-overload]
        delete(LoginSession).where(
            col(LoginSession.user_id) == user.id, col(LoginSession.token_hash) != keep_token_hash
        )
    )
    _tell(user, session, "two_factor_mail_on")
    return codes


def turn_off(
    session: Session, actor: Actor, code: str, *, password: str, now: datetime | None = None
) -> None:
    """Off again, with the password and a current code (or a recovery code): never by a
    session alone. The address is told."""
    user = _user(session, actor)
    if not user.totp_secret:
        raise Conflict("two_factor_not_on")
    _check_password(user, password)
    if not accept_code(session, user, code, now=now):
        raise InvalidInput("two_factor_code_wrong")
    user.totp_secret, user.totp_last_step = "", 0
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))  # type: ignore[call-overload]
    _tell(user, session, "two_factor_mail_off")


def _check_password(user: User, password: object) -> None:
    if (
        not isinstance(password, str)
        or len(password) > 256
        or not verify_password(password, user.password_hash)
    ):
        raise InvalidInput("password_wrong")


def _tell(user: User, session: Session, key: str) -> None:
    """A letter to the account's address: if it was not its owner, they learn at once."""
    locale = user.locale if user.locale in ("ru", "lt", "en") else "ru"
    queue_mail(
        session, user.email, translate(f"{key}_subject", locale), translate(f"{key}_body", locale)
    )


def accept_code(session: Session, user: User, code: object, *, now: datetime | None = None) -> bool:
    """A current code not used before, or an unused recovery code (then spent). The caller
    holds the user's row lock, so one code is never accepted twice at once."""
    now = now or utcnow()
    if not isinstance(code, str) or not user.totp_secret:
        return False
    cleaned = code.replace(" ", "").replace("-", "").strip().lower()
    step = _matching_step(user.totp_secret, cleaned, now, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        session.add(user)
        return True
    if len(cleaned) != 10 or not cleaned.isalnum():
        return False
    recovery = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(cleaned),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if recovery is None:
        return False
    recovery.used_at = now
    session.add(recovery)
    return True


@dataclass(frozen=True)
class Status:
    offered: bool  # staff who move money or rules may turn it on
    enabled: bool
    recovery_codes_left: int


def status(session: Session, actor: Actor) -> Status:
    user = _user(session, actor, lock=False)
    left = session.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
        )
    ).all()
    return Status(_offered(session, user), bool(user.totp_secret), len(left))


def _matching_step(secret: str, code: object, now: datetime, *, after: int) -> int | None:
    if not isinstance(code, str):
        return None
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def _user(session: Session, actor: Actor, *, lock: bool = True) -> User:
    if not isinstance(actor, Actor) or actor.user_id is None:
        raise NotFound()
    user = locked(session, User, actor.user_id) if lock else session.get(User, actor.user_id)
    if user is None:
        raise NotFound()
    return user


def _offered(session: Session, user: User) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                Membership.user_id == user.id, col(Membership.role).in_(list(OFFERED_TO))
            )
        ).first()
        is not None
    )


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    return "".join(secrets.choice(alphabet) for _ in range(10))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
