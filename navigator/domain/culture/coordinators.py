"""A school's coordinators. The operator invites a school's first coordinator by e-mail; a
coordinator invites another; a school may have several. Removing the last one is refused:
the operator replaces them in one step (the invitation names whom it replaces, and the new
coordinator's acceptance removes the old one, so the school is never left without one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator import routes
from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.invitations import (
    INVITATION_LIFETIME,
    has_account,
    join,
    lock_open,
    new_token,
    open_invitation,
    pending,
)
from navigator.domain.accounts.models import User
from navigator.domain.accounts.signin import CodeNeeded, SignedIn
from navigator.domain.accounts.throttle import spend_attempt
from navigator.domain.culture.access import (
    check_coordinator_or_operator,
    check_culture_operator,
    is_culture_operator,
)
from navigator.domain.culture.models import CoordinatorInvitation, School, SchoolCoordinator
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.mail import queue_mail
from navigator.domain.shared.models import Language, Notification, utcnow
from navigator.domain.shared.validation import check_choice, check_email, is_row_id
from navigator.i18n import translate

MAX_PENDING = 20  # open invitations per school


def invite_coordinator(
    session: Session,
    actor: Actor,
    school_id: int,
    email: str,
    *,
    app_url: str,
    locale: str = "lt",
    replaces_user_id: int | None = None,
    now: datetime | None = None,
) -> CoordinatorInvitation:
    """Mail a week-long invitation to book for the school. Only the operator replaces."""
    now = now or utcnow()
    school = check_coordinator_or_operator(session, actor, school_id)
    if replaces_user_id is not None:
        check_culture_operator(session, actor)
        if not _is_member(session, school_id, replaces_user_id):
            raise NotFound()
    email = check_email(email)
    spend_attempt(session, "invites", "user", str(actor.user_id), now=now)
    spend_attempt(session, "invited", "email", email, now=now)
    locale = check_choice(locale, "locale", Language)
    member = session.exec(
        select(SchoolCoordinator.id)
        .join(User, col(User.id) == SchoolCoordinator.user_id)
        .where(User.email == email, SchoolCoordinator.school_id == school_id)
    ).first()
    if member is not None:
        raise Conflict("coordinator_already")
    waiting = _pending(session, school_id, now)
    if len(waiting) >= MAX_PENDING:
        raise Conflict("too_many_invitations", max=MAX_PENDING)
    for old in waiting:
        if old.email == email:
            if old.replaces_user_id is not None and not is_culture_operator(session, actor):
                # the coordinator being replaced must not swap it for a plain invitation
                raise Conflict("coordinator_replacement_pending")
            old.revoked_at = now
            session.add(old)
    token, hashed = new_token()
    invitation = CoordinatorInvitation(
        school_id=school_id,
        email=email,
        token_hash=hashed,
        invited_by_id=actor.user_id,
        replaces_user_id=replaces_user_id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    link = f"{app_url.rstrip('/')}{routes.CULTURE_INVITE}?token={token}"
    queue_mail(
        session,
        email,
        translate("mail_coordinator_subject", locale, school=school.name),
        translate("mail_coordinator_body", locale, school=school.name, link=link, days=7),
    )
    return invitation


def _is_member(session: Session, school_id: int, user_id: int) -> bool:
    if not is_row_id(user_id):
        return False
    return (
        session.exec(
            select(SchoolCoordinator.id).where(
                SchoolCoordinator.school_id == school_id, SchoolCoordinator.user_id == user_id
            )
        ).first()
        is not None
    )


def _pending(session: Session, school_id: int, now: datetime) -> list[CoordinatorInvitation]:
    return pending(session, CoordinatorInvitation, CoordinatorInvitation.school_id, school_id, now)


@dataclass(frozen=True)
class CoordinatorInvitationView:
    school_name: str
    email: str
    has_account: bool


def coordinator_invitation(
    session: Session, token: str, *, now: datetime | None = None
) -> CoordinatorInvitationView:
    invitation = open_invitation(session, CoordinatorInvitation, token, now or utcnow())
    school = get_row(session, School, invitation.school_id)
    assert school is not None
    return CoordinatorInvitationView(
        school.name, invitation.email, has_account(session, invitation.email)
    )


def accept_coordinator_invitation(
    session: Session,
    token: str,
    password: str,
    password_again: str,
    *,
    client_address: str,
    locale: str = "lt",
    now: datetime | None = None,
) -> SignedIn | CodeNeeded | None:
    """Become a coordinator: a new account with this password, or an existing one proven by
    it. None for a wrong password of an existing account (a failed sign-in, counted)."""
    now = now or utcnow()
    invitation = lock_open(session, CoordinatorInvitation, token, now)
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
    if not _is_member(session, invitation.school_id, user_id):
        session.add(
            SchoolCoordinator(
                school_id=invitation.school_id,
                user_id=user_id,
                granted_by=invitation.invited_by_id,
            )
        )
    if invitation.replaces_user_id is not None and invitation.replaces_user_id != user_id:
        _drop(session, invitation.school_id, invitation.replaces_user_id)
    invitation.accepted_at = now
    session.add(invitation)
    session.flush()
    return signed_in


def _drop(session: Session, school_id: int, user_id: int) -> None:
    """Remove a coordinator, and the invitations they sent that nobody has used: a removed
    coordinator never gets back in through a door they opened."""
    for invitation in session.exec(
        select(CoordinatorInvitation).where(
            CoordinatorInvitation.school_id == school_id,
            CoordinatorInvitation.invited_by_id == user_id,
            col(CoordinatorInvitation.accepted_at).is_(None),
            col(CoordinatorInvitation.revoked_at).is_(None),
        )
    ).all():
        invitation.revoked_at = utcnow()
        session.add(invitation)
    row = session.exec(
        select(SchoolCoordinator).where(
            SchoolCoordinator.school_id == school_id, SchoolCoordinator.user_id == user_id
        )
    ).first()
    if row is not None:
        session.delete(row)
    _forget_school_notices(session, school_id, user_id)
    session.flush()


def _forget_school_notices(session: Session, school_id: int, user_id: int) -> None:
    """What the school told this person as its coordinator (its bookings, wallet, disputes)
    goes with the role: never mailed in a later digest, never shown on their notifications
    page (a decline's reason may name pupils)."""
    for notice in session.exec(
        select(Notification).where(
            Notification.user_id == user_id, col(Notification.kind).startswith("culture_")
        )
    ).all():
        if isinstance(notice.payload, dict) and notice.payload.get("school_id") == school_id:
            session.delete(notice)


def remove_coordinator(session: Session, actor: Actor, school_id: int, user_id: int) -> None:
    """A coordinator (or the operator) removes another; never the school's last one."""
    check_coordinator_or_operator(session, actor, school_id)
    school = locked(session, School, school_id)  # one removal at a time per school
    assert school is not None
    if not _is_member(session, school_id, user_id):
        raise NotFound()
    count = session.exec(
        select(func.count())
        .select_from(SchoolCoordinator)
        .where(SchoolCoordinator.school_id == school_id)
    ).one()
    if count <= 1:
        raise Conflict("last_coordinator")
    _drop(session, school_id, user_id)


@dataclass(frozen=True)
class CoordinatorRow:
    user_id: int | None
    invitation_id: int | None
    email: str
    pending: bool


def coordinators_of(
    session: Session, actor: Actor, school_id: int, *, now: datetime | None = None
) -> list[CoordinatorRow]:
    check_coordinator_or_operator(session, actor, school_id)
    people = [
        CoordinatorRow(user.id, None, user.email, False)
        for user in session.exec(
            select(User)
            .join(SchoolCoordinator, col(SchoolCoordinator.user_id) == User.id)
            .where(SchoolCoordinator.school_id == school_id)
            .order_by(col(User.email))
        ).all()
    ]
    waiting = [
        CoordinatorRow(None, i.id, i.email, True)
        for i in _pending(session, school_id, now or utcnow())
    ]
    return people + waiting


def can_replace(session: Session, actor: Actor) -> bool:
    return is_culture_operator(session, actor)
