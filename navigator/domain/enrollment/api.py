"""Applying, accepting, attending, cancelling and completing: the money follows the child.

Accepting holds the certificate share of the contract; each attended lesson captures
its part of that hold; cancelling or completing releases what is left. The certificate
pays only for lessons inside its funding period (and before the child turns 18), only
for a certified program of the child's own municipality.

Locks are taken in one order everywhere: child → funding period → group → enrollment →
certificate account. Accept locks the period exclusively: a period cannot close while a
hold is being placed in it, and two holds cannot both take the last of its budget.

A suspended or decertified program (suspended by the municipality, or paused by its
provider) takes no new applications or acceptances; contracts already accepted run to
their end on the terms agreed while it was certified.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_guardian
from navigator.domain.accounts.models import Child
from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import CertificateAccount, EntryKind
from navigator.domain.enrollment.models import (
    LIVE_ENROLLMENT,
    SEATED_ENROLLMENT,
    Enrollment,
    EnrollmentStatus,
)
from navigator.domain.enrollment.seats import SeatClaims, free_seats
from navigator.domain.enrollment.terms import (
    EnrollmentContext,
    check_age_fits,
    check_open,
    check_takes_applications,
    context_of,
    funding_of,
    group_or_not_found,
    in_catalog,
    live_statuses,
    lock_group_and_enrollment,
    notify,
    quote_terms,
    staff_context,
)
from navigator.domain.enrollment.waitlist import pending_applications, promote_waitlist
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.notifications import fanout
from navigator.domain.programs.models import Group
from navigator.domain.programs.timetable import lesson_dates
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import utcnow


def _check_can_apply(session: Session, ctx: EnrollmentContext, today: date) -> None:
    check_takes_applications(ctx)
    group = ctx.group
    check_open(group, today)
    if ctx.certificate is None:
        raise Conflict("certificate_required")
    if today >= ctx.certificate.valid_until:
        raise Conflict("certificate_expired")
    check_age_fits(ctx, today)
    live = session.exec(
        select(Enrollment.id).where(
            Enrollment.child_id == ctx.child.id,
            Enrollment.group_id == group.id,
            col(Enrollment.status).in_(live_statuses()),
        )
    ).first()
    if live is not None:
        raise Conflict("already_enrolled")


def _check_funded_limit(
    session: Session, ctx: EnrollmentContext, exclude_id: int | None = None
) -> None:
    limit = policy_of(session, ctx.child.municipality_id).max_funded_enrollments
    statement = (
        select(func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.child_id == ctx.child.id,
            col(Enrollment.funded).is_(True),
            col(Enrollment.status).in_(live_statuses()),
        )
    )
    if exclude_id is not None:
        statement = statement.where(Enrollment.id != exclude_id)
    if session.exec(statement).one() >= limit:
        raise Conflict("funded_limit_reached", limit=limit)


def _waitlist_exists(session: Session, group_id: int) -> bool:
    return (
        session.exec(
            select(Enrollment.id).where(
                Enrollment.group_id == group_id, Enrollment.status == EnrollmentStatus.WAITLISTED
            )
        ).first()
        is not None
    )


def apply_to_group(
    session: Session,
    actor: Actor,
    child_id: int,
    group_id: int,
    *,
    today: date | None = None,
    offered: bool = False,
) -> Enrollment:
    """The parent's application with the breakdown they saw.

    The application goes on the waiting list, and the parent is told at once, when the seats
    are taken or already promised to applications awaiting a decision (the rule promotion
    follows), or when a waiting list exists: the 31st parent for 30 seats waits in the
    municipality's priority order instead of learning days later that the group filled.
    """
    child = check_guardian(session, actor, locked(session, Child, child_id))
    group_or_not_found(session, group_id)
    group = locked(session, Group, group_id)
    assert group is not None
    ctx = context_of(session, child, group)
    today = today or local_today(ctx.municipality)
    _check_can_apply(session, ctx, today)
    terms = quote_terms(session, ctx, today)
    if terms.lessons == 0:
        raise Conflict("group_closed")
    if terms.funded:
        _check_funded_limit(session, ctx)
    # a provider's own offer is its decision among the applications awaiting it: it takes a
    # free seat before them, never before the children on the waiting list
    claims = SeatClaims(
        awaiting=0 if offered else pending_applications(session, group),
        waiting=int(_waitlist_exists(session, group_id)),
    )
    wait = free_seats(group.seats, group.seats_taken, claims) == 0  # what the catalog shows
    enrollment = Enrollment(
        child_id=child_id,
        group_id=group_id,
        status=EnrollmentStatus.WAITLISTED if wait else EnrollmentStatus.APPLIED,
        funded=terms.funded,
        contract_starts_on=terms.first_lesson or today,
        contract_lessons=terms.lessons,
        funded_until=terms.funded_until,
        funded_lessons=terms.funded_lessons,
        price_per_lesson_minor=terms.price_per_lesson_minor,
        contract_minor=terms.contract_minor,
        certificate_share_minor=terms.certificate_share_minor,
        copayment_minor=terms.copayment_minor,
    )
    session.add(enrollment)
    session.flush()
    fanout.notify_provider(
        session, ctx.program.provider_id, "application.new", {"enrollment_id": enrollment.id}
    )
    if wait:  # the parent is told at once that the group is full
        notify(session, ctx.child.guardian_id, "enrollment.waitlisted", enrollment)
    return enrollment


def accept_application(
    session: Session, actor: Actor, enrollment_id: int, *, today: date | None = None
) -> Enrollment:
    """Take a seat and hold the certificate share, atomically. Accepting twice changes nothing.

    The hold never exceeds the share the parent agreed to; if the certificate no longer
    covers it, the acceptance is refused rather than shifting the cost onto the parent.
    """
    _peek, ctx = staff_context(session, actor, enrollment_id)
    today = today or local_today(ctx.municipality)
    funding = funding_of(session, ctx, today)
    if funding is not None:
        # exclusive: two acceptances must not both fit into the last of the budget
        period = locked(session, FundingPeriod, funding.period.id)
        if period is None or period.status != PeriodStatus.OPEN:
            funding = None
    group, enrollment = lock_group_and_enrollment(session, ctx, enrollment_id)
    if enrollment.status in SEATED_ENROLLMENT:
        return enrollment
    if enrollment.status != EnrollmentStatus.APPLIED:
        raise Conflict("enrollment_not_pending", status=enrollment.status)
    if not in_catalog(ctx):
        raise Conflict("program_not_open")
    if not ctx.program.takes_applications(group):
        raise Conflict("group_awaiting_certification")
    if group.seats_taken >= group.seats:
        raise Conflict("group_full")
    dates = lesson_dates(group, today)
    if not dates or not group.enrollment_open:
        raise Conflict("group_closed")
    funded_dates = [d for d in dates if funding and d <= funding.until]
    contract = group.price_per_lesson_minor * len(dates)
    wanted = group.price_per_lesson_minor * len(funded_dates)
    share = min(wanted, enrollment.certificate_share_minor) if enrollment.funded else 0
    if contract - share > enrollment.copayment_minor:  # the parent would pay more than agreed
        raise Conflict("certificate_not_funded")
    account = None
    if share > 0:
        assert funding is not None
        _check_funded_limit(session, ctx, exclude_id=enrollment.id)
        account = locked(session, CertificateAccount, funding.account.id)
        assert account is not None
        if account.available_minor < share:
            raise Conflict(
                "insufficient_balance",
                available_minor=account.available_minor,
                currency=ctx.municipality.currency,
            )
        assert funding.period.id is not None
        committed, spent = ledger.period_money(session, funding.period.id)
        remaining = funding.period.budget_minor - committed - spent
        if share > remaining:
            raise Conflict(
                "period_budget_exhausted",
                remaining_minor=max(remaining, 0),
                currency=ctx.municipality.currency,
            )

    enrollment.status = EnrollmentStatus.ACCEPTED
    enrollment.decided_at = utcnow()
    enrollment.contract_starts_on = dates[0]
    enrollment.contract_lessons = len(dates)
    enrollment.price_per_lesson_minor = group.price_per_lesson_minor
    enrollment.contract_minor = contract
    enrollment.certificate_share_minor = share
    enrollment.copayment_minor = contract - share
    enrollment.funded = share > 0
    enrollment.funded_lessons = len(funded_dates) if share > 0 else 0
    enrollment.funded_until = funding.until if funding and share > 0 else None
    group.seats_taken += 1
    session.add_all([group, enrollment])
    session.flush()
    if account is not None and account.id is not None:
        enrollment.account_id = account.id
        ledger.post(
            session,
            account.id,
            EntryKind.HOLD,
            share,
            f"hold:{enrollment.id}",
            actor_id=actor.user_id,
            notify_user_id=ctx.child.guardian_id,
            enrollment_id=enrollment.id,
        )
        enrollment.held_minor = share
        session.add(enrollment)
    else:
        notify(session, ctx.child.guardian_id, "enrollment.accepted", enrollment)
    session.flush()
    return enrollment


def reject_application(
    session: Session, actor: Actor, enrollment_id: int, *, reason: str
) -> Enrollment:
    _peek, ctx = staff_context(session, actor, enrollment_id)
    group, enrollment = lock_group_and_enrollment(session, ctx, enrollment_id)
    if enrollment.status not in (EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED):
        raise Conflict("enrollment_not_pending", status=enrollment.status)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("field_required", field="reason")
    enrollment.status = EnrollmentStatus.REJECTED
    enrollment.reason = reason[:500]
    enrollment.decided_at = utcnow()
    session.add(enrollment)
    session.flush()
    notify(session, ctx.child.guardian_id, "enrollment.rejected", enrollment)
    promote_waitlist(session, group)
    session.flush()
    return enrollment


def release_rest_of_hold(
    session: Session, actor: Actor, enrollment: Enrollment, guardian_id: int
) -> int:
    """Give back what is left of the enrollment's hold; the caller holds its lock."""
    rest = enrollment.hold_remaining_minor
    if rest > 0 and enrollment.account_id is not None:
        ledger.post(
            session,
            enrollment.account_id,
            EntryKind.RELEASE,
            rest,
            f"release:{enrollment.id}",
            actor_id=actor.user_id,
            notify_user_id=guardian_id,
            enrollment_id=enrollment.id,
        )
        enrollment.released_minor += rest
    return rest


def _end(
    session: Session,
    actor: Actor,
    enrollment_id: int,
    final: EnrollmentStatus,
    reason: str,
    *,
    by_guardian: bool,
) -> Enrollment:
    if by_guardian:
        peek = get_row(session, Enrollment, enrollment_id)
        child = get_row(session, Child, peek.child_id) if peek else None
        check_guardian(session, actor, child)
        assert peek is not None and child is not None
        group_row = get_row(session, Group, peek.group_id)
        assert group_row is not None
        ctx = context_of(session, child, group_row)
    else:
        _peek, ctx = staff_context(session, actor, enrollment_id)
    group, enrollment = lock_group_and_enrollment(session, ctx, enrollment_id)
    if enrollment.status == final:
        return enrollment
    allowed: tuple[EnrollmentStatus, ...] = SEATED_ENROLLMENT
    if final is EnrollmentStatus.CANCELLED:
        allowed = LIVE_ENROLLMENT
    if enrollment.status not in allowed:
        raise Conflict("enrollment_not_live", status=enrollment.status)
    seated = enrollment.status in SEATED_ENROLLMENT
    enrollment.status = final
    enrollment.reason = (reason.strip() if isinstance(reason, str) else "")[:500]
    enrollment.ended_at = utcnow()
    session.add(enrollment)
    if seated:
        group.seats_taken -= 1
        session.add(group)
    session.flush()
    promote_waitlist(session, group)  # the waiting enrollments before the account (lock order)
    release_rest_of_hold(session, actor, enrollment, ctx.child.guardian_id)
    notify(session, ctx.child.guardian_id, f"enrollment.{final.value}", enrollment)
    session.flush()
    return enrollment


def cancel_enrollment(
    session: Session,
    actor: Actor,
    enrollment_id: int,
    *,
    reason: str = "",
    by_guardian: bool = True,
) -> Enrollment:
    """Cancel by the parent (or the provider): the rest of the hold goes back, the seat frees."""
    return _end(
        session, actor, enrollment_id, EnrollmentStatus.CANCELLED, reason, by_guardian=by_guardian
    )


def complete_enrollment(session: Session, actor: Actor, enrollment_id: int) -> Enrollment:
    return _end(session, actor, enrollment_id, EnrollmentStatus.COMPLETED, "", by_guardian=False)
