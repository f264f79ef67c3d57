"""Creating municipalities, their policy and their administrators."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from navigator.domain.accounts.access import Actor, is_operator
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Membership, Role, User
from navigator.domain.municipalities.models import (
    AbsenceCharge,
    Municipality,
    MunicipalityPolicy,
    WaitlistCriterion,
)
from navigator.domain.municipalities.queries import municipality_for_admin, policy_of
from navigator.domain.shared import audit
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Language
from navigator.domain.shared.money import exponent
from navigator.domain.shared.validation import (
    check_choice,
    check_email,
    check_non_negative,
    check_positive,
    check_text,
    check_timezone,
)


def create_municipality(
    session: Session,
    *,
    code: str,
    name: str,
    country: str,
    currency: str,
    locale: str,
    timezone: str,
    policy: MunicipalityPolicy | None = None,
) -> Municipality:
    exponent(currency)  # refuses an unknown currency
    code = check_text(code, "code", max_length=40)
    if policy is not None:
        check_choice(policy.absence_charge, "absence_charge", AbsenceCharge)
        check_non_negative(
            policy.attendance_correction_days, "attendance_correction_days", maximum=365
        )
        check_positive(policy.dispute_window_days, "dispute_window_days", maximum=MAX_DISPUTE_DAYS)
        policy.waitlist_priority = check_waitlist_priority(policy.waitlist_priority)
    if session.exec(select(Municipality.id).where(Municipality.code == code)).first():
        raise Conflict("municipality_code_taken", code=code)
    municipality = Municipality(
        code=code,
        name=check_text(name, "name", max_length=200),
        country=check_text(country, "country", max_length=2).upper(),
        currency=currency,
        locale=check_choice(locale, "locale", Language),
        timezone=check_timezone(timezone),
    )
    session.add(municipality)
    session.flush()
    assert municipality.id is not None
    policy = policy or MunicipalityPolicy(municipality_id=municipality.id)
    policy.municipality_id = municipality.id  # type: ignore[assignment]
    check_positive(policy.max_funded_enrollments, "max_funded_enrollments")
    session.add(policy)
    session.flush()
    return municipality


MAX_FUNDED_ENROLLMENTS = 20


MAX_CORRECTION_DAYS = 60


MAX_DISPUTE_DAYS = 365


def set_policy(
    session: Session,
    actor: Actor,
    municipality_id: int,
    *,
    max_funded_enrollments: int,
    absence_charge: str,
    prorate_late_start: bool,
    attendance_correction_days: int,
    require_two_factor: bool | None = None,
    dispute_window_days: int | None = None,
) -> MunicipalityPolicy:
    """The rules every enrollment follows from now on; contracts already made keep their money.
    `require_two_factor` (None: unchanged) makes its administrators sign in with a second
    factor; the administrator turning it on must have it already, or they would lock
    themselves out. `dispute_window_days` (None: unchanged): how long after a lesson its
    charge may be disputed."""
    municipality_for_admin(session, actor, municipality_id)
    check_positive(max_funded_enrollments, "max_funded_enrollments", maximum=MAX_FUNDED_ENROLLMENTS)
    absence_charge = check_choice(absence_charge, "absence_charge", AbsenceCharge)
    if not isinstance(prorate_late_start, bool):
        raise InvalidInput("field_required", field="prorate_late_start")
    check_non_negative(
        attendance_correction_days, "attendance_correction_days", maximum=MAX_CORRECTION_DAYS
    )
    if dispute_window_days is not None:
        check_positive(dispute_window_days, "dispute_window_days", maximum=MAX_DISPUTE_DAYS)
    policy = policy_of(session, municipality_id)
    policy = locked(session, MunicipalityPolicy, policy.id) or policy
    if dispute_window_days is None:
        dispute_window_days = policy.dispute_window_days
    if require_two_factor is None:
        require_two_factor = policy.require_two_factor
    elif not isinstance(require_two_factor, bool):
        raise InvalidInput("field_required", field="require_two_factor")
    if require_two_factor and not policy.require_two_factor and actor.user_id is not None:
        me = get_row(session, User, actor.user_id)
        if me is not None and not me.totp_secret:
            raise Conflict("two_factor_required_self")
    after = {
        "max_funded_enrollments": max_funded_enrollments,
        "absence_charge": absence_charge,
        "prorate_late_start": prorate_late_start,
        "attendance_correction_days": attendance_correction_days,
        "require_two_factor": require_two_factor,
        "dispute_window_days": dispute_window_days,
    }
    before = {name: getattr(policy, name) for name in after}
    if before == after:
        return policy
    for name, value in after.items():
        setattr(policy, name, value)
    session.add(policy)
    audit.record(
        session,
        actor,
        municipality_id,
        "policy.updated",
        "policy",
        policy.id,
        payload={"before": before, "after": after},
    )
    session.flush()
    return policy


MAX_WAITLIST_LEVELS = len(WaitlistCriterion)


def check_waitlist_priority(levels: object) -> list[list[str]]:
    """Ordered levels of known criteria, each criterion at most once; refuses anything else
    with an error naming the unknown criterion."""
    if not isinstance(levels, (list, tuple)) or len(levels) > MAX_WAITLIST_LEVELS:
        raise InvalidInput("field_required", field="waitlist_priority")
    known = {c.value for c in WaitlistCriterion}
    seen: set[str] = set()
    cleaned: list[list[str]] = []
    for level in levels:
        if not isinstance(level, (list, tuple)):
            raise InvalidInput("field_required", field="waitlist_priority")
        names: list[str] = []
        for name in level:
            if not isinstance(name, str) or name not in known:
                raise InvalidInput("waitlist_criterion_unknown", criterion=str(name)[:40])
            if name in seen:
                raise InvalidInput("waitlist_criterion_twice", criterion=name)
            seen.add(name)
            names.append(name)
        if names:
            cleaned.append(names)
    return cleaned


def set_waitlist_priority(
    session: Session, actor: Actor, municipality_id: int, levels: object
) -> MunicipalityPolicy:
    """Who comes off a waiting list first, from the next free seat on: audited, since it
    re-orders every waiting list of the municipality's groups."""
    municipality_for_admin(session, actor, municipality_id)
    cleaned = check_waitlist_priority(levels)
    policy = policy_of(session, municipality_id)
    policy = locked(session, MunicipalityPolicy, policy.id) or policy
    before = [list(level) for level in policy.waitlist_priority or []]
    if before == cleaned:
        return policy
    policy.waitlist_priority = cleaned
    session.add(policy)
    session.flush()
    audit.record(
        session,
        actor,
        municipality_id,
        "waitlist.priority",
        "policy",
        policy.id,
        payload={"before": before, "after": cleaned},
    )
    session.flush()
    return policy


def create_admin(
    session: Session,
    actor: Actor,
    *,
    email: str,
    municipality_code: str,
    full_name: str = "",
    password: str | None = None,
) -> tuple[User, bool]:
    """Make `email` an administrator of the municipality (the operator's act).

    A new account gets `password`, or an unusable random one when None (the administrator
    then sets their own through the password-reset link). Returns (user, account_created).
    """
    if not is_operator(session, actor):
        raise NotFound()
    municipality = session.exec(
        select(Municipality).where(Municipality.code == municipality_code)
    ).first()
    if municipality is None:
        raise NotFound()
    email = check_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    created = user is None
    if user is None:
        user = create_user(
            session,
            email,
            password if password is not None else secrets.token_urlsafe(32),
            full_name=full_name,
            locale=municipality.locale if municipality.locale in ("ru", "lt", "en") else "ru",
            email_confirmed=True,  # the operator names a known official's address
        )
    assert user.id is not None and municipality.id is not None
    already = session.exec(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.role == Role.MUNICIPALITY_ADMIN,
            Membership.municipality_id == municipality.id,
        )
    ).first()
    if already is None:
        session.add(
            Membership(
                user_id=user.id, role=Role.MUNICIPALITY_ADMIN, municipality_id=municipality.id
            )
        )
        audit.record(
            session,
            actor,
            municipality.id,
            "admin.added",
            "user",
            user.id,
            payload={"email": email},
        )
    session.flush()
    return user, created
