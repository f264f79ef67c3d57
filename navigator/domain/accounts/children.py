"""A guardian's children: added and corrected by the guardian, their category set by the
municipality."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from navigator.domain.accounts.access import Actor, check_guardian, check_municipality_admin
from navigator.domain.accounts.models import Child, ChildCategory, User
from navigator.domain.certificates.models import Certificate
from navigator.domain.municipalities.models import Municipality
from navigator.domain.shared.calendar import age_on, local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.validation import check_choice, check_date, check_text

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


def check_birth_date(birth_date: date, today: date) -> date:
    check_date(birth_date, "birth_date")
    if birth_date > today:
        raise InvalidInput("birth_date_in_future", field="birth_date")
    if age_on(birth_date, today) >= OLDEST_CHILD_AGE:
        raise InvalidInput("child_too_old", max=OLDEST_CHILD_AGE, field="birth_date")
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
        birth_date=check_birth_date(birth_date, local_today(municipality)),
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
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    first_name = check_text(first_name, "first_name", max_length=100)
    last_name = check_text(last_name, "last_name", max_length=100)
    if child.verified and (first_name, last_name, birth_date) != (
        child.first_name,
        child.last_name,
        child.birth_date,
    ):
        # verified: a new identity goes back to the municipality (verification.request_identity)
        raise Conflict("identity_verified")
    child.first_name, child.last_name = first_name, last_name
    if district is not None:
        child.district = check_text(district, "district", max_length=100, required=False)
    birth_date = check_birth_date(birth_date, local_today(municipality))
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
