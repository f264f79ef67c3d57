"""Users, their roles and children. Passwords are hashed with scrypt (stdlib, salted)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from navigator.domain.access import Actor, check_guardian, check_municipality_admin
from navigator.domain.calendar import age_on, local_today
from navigator.domain.db import locked
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.models import (
    Certificate,
    Child,
    ChildCategory,
    Language,
    Membership,
    Municipality,
    Role,
    User,
)
from navigator.domain.validation import check_choice, check_date, check_email, check_text

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 10
OLDEST_CHILD_AGE = 18
MAX_CHILDREN_PER_GUARDIAN = 12


def same_child(child: Child, first_name: str, last_name: str, birth_date: date) -> bool:
    """The same person by name (any case, any spacing) and date of birth."""

    def norm(name: str) -> str:
        return " ".join(name.split()).casefold()

    return (
        child.birth_date == birth_date
        and norm(child.first_name) == norm(first_name)
        and norm(child.last_name) == norm(last_name)
    )


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
) -> User:
    """A user with (role, municipality_id, provider_id) memberships; email is unique."""
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


def _check_birth_date(birth_date: date, today: date) -> date:
    check_date(birth_date, "birth_date")
    if birth_date > today:
        raise InvalidInput("birth_date_in_future")
    if age_on(birth_date, today) >= OLDEST_CHILD_AGE:
        raise InvalidInput("child_too_old", max=OLDEST_CHILD_AGE)
    return birth_date


def add_child(
    session: Session,
    actor: Actor,
    *,
    guardian_id: int,
    municipality_id: int,
    first_name: str,
    last_name: str,
    birth_date: date,
    category: str = ChildCategory.BASE,
    district: str = "",
) -> Child:
    """A guardian adds their child in the base category; only the municipality sets another."""
    if not (actor.is_system or actor.user_id == guardian_id):
        raise NotFound()
    municipality = locked(session, Municipality, municipality_id, shared=True)
    if municipality is None or locked(session, User, guardian_id, shared=True) is None:
        raise NotFound()
    category = check_choice(category, "category", ChildCategory)
    if category != ChildCategory.BASE and not actor.is_system:
        check_municipality_admin(session, actor, municipality_id)
    first_name = check_text(first_name, "first_name", max_length=100)
    last_name = check_text(last_name, "last_name", max_length=100)
    siblings = session.exec(select(Child).where(Child.guardian_id == guardian_id)).all()
    if len(siblings) >= MAX_CHILDREN_PER_GUARDIAN:
        raise Conflict("too_many_children", max=MAX_CHILDREN_PER_GUARDIAN)
    if any(same_child(c, first_name, last_name, birth_date) for c in siblings):
        raise Conflict("child_exists")
    child = Child(
        guardian_id=guardian_id,
        municipality_id=municipality_id,
        first_name=first_name,
        last_name=last_name,
        birth_date=_check_birth_date(birth_date, local_today(municipality)),
        category=category,
        district=check_text(district, "district", max_length=100, required=False),
    )
    session.add(child)
    session.flush()
    return child


def set_child_category(session: Session, actor: Actor, child_id: int, category: str) -> Child:
    """A category (disability, large family) changes the nominal: the municipality verifies it."""
    child = locked(session, Child, child_id)
    if child is None:
        raise NotFound()
    check_municipality_admin(session, actor, child.municipality_id)
    child.category = check_choice(category, "category", ChildCategory)
    session.add(child)
    return child


def update_child(
    session: Session,
    actor: Actor,
    child_id: int,
    *,
    first_name: str,
    last_name: str,
    birth_date: date,
    district: str | None = None,
) -> Child:
    """The guardian corrects a name, the district or the birth date (fixed once certified)."""
    child = check_guardian(session, actor, locked(session, Child, child_id))
    municipality = session.get(Municipality, child.municipality_id)
    assert municipality is not None
    child.first_name = check_text(first_name, "first_name", max_length=100)
    child.last_name = check_text(last_name, "last_name", max_length=100)
    if district is not None:
        child.district = check_text(district, "district", max_length=100, required=False)
    birth_date = _check_birth_date(birth_date, local_today(municipality))
    if birth_date != child.birth_date:
        has_certificate = session.exec(
            select(Certificate.id).where(Certificate.child_id == child.id)
        ).first()
        if has_certificate is not None:
            raise Conflict("birth_date_locked")
        child.birth_date = birth_date
    session.add(child)
    session.flush()
    return child
