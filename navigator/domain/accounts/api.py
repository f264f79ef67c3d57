"""Users and their passwords. Passwords are hashed with scrypt (stdlib, salted)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.shared.errors import Conflict, InvalidInput
from navigator.domain.shared.models import Language, utcnow
from navigator.domain.shared.validation import check_choice, check_email, check_text

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    encoded = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password_too_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > 256:
        raise InvalidInput("field_too_long", field="password", max_length=256)
    if password.isdigit() or password.isalpha():
        raise InvalidInput("password_too_simple")
    return password


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    full_name: str = "",
    locale: str = "ru",
    roles: tuple[tuple[Role, int | None, int | None], ...] = (),
    email_confirmed: bool = False,
) -> User:
    """A user with (role, municipality_id, provider_id) memberships; email is unique.

    `email_confirmed` is for accounts made where the address is already proven (a link
    mailed to it was opened, or the operator made the account for a known address); a
    self-registered account confirms it through accounts.confirmation."""
    email = check_email(email)
    locale = check_choice(locale, "locale", Language)
    for role, _municipality_id, _provider_id in roles:
        check_choice(role, "role", Role)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict("email_taken")
    user = User(
        email=email,
        password_hash=hash_password(check_password(password)),
        full_name=check_text(full_name, "full_name", max_length=200, required=False),
        locale=locale,
        email_verified_at=utcnow() if email_confirmed is True else None,
    )
    try:
        with session.begin_nested():  # two sign-ups with one email at once: one wins
            session.add(user)
            session.flush()
    except IntegrityError:
        raise Conflict("email_taken") from None
    assert user.id is not None
    for role, municipality_id, provider_id in roles:
        session.add(
            Membership(
                user_id=user.id,
                role=role,
                municipality_id=municipality_id,
                provider_id=provider_id,
            )
        )
    session.flush()
    return user
