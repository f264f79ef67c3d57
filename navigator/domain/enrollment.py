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

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain import ledger
from navigator.domain.access import Actor, check_guardian, check_provider_staff
from navigator.domain.calendar import age_on, is_lesson_date, lesson_dates, local_today
from navigator.domain.catalog import policy_of
from navigator.domain.certificates import current_account
from navigator.domain.db import locked
from navigator.domain.errors import Conflict, InvalidInput, NotFound
from navigator.domain.models import (
    LIVE_ENROLLMENT,
    SEATED_ENROLLMENT,
    AbsenceCharge,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Certificate,
    CertificateAccount,
    CertificateStatus,
    CertificationStatus,
    Child,
    Enrollment,
    EnrollmentStatus,
    EntryKind,
    FundingPeriod,
    Group,
    Municipality,
    Notification,
    PeriodStatus,
    Program,
    ProgramListing,
    Provider,
    utcnow,
)
from navigator.domain.validation import check_choice, check_date, check_text


@dataclass(frozen=True)
class Quote:
    """What an enrollment costs and who pays: the breakdown a parent agrees to."""

    lessons: int
    first_lesson: date | None
    last_lesson: date | None
    price_per_lesson_minor: int
    contract_minor: int
    certificate_share_minor: int
    copayment_minor: int
    funded: bool
    funded_lessons: int
    funded_until: date | None
    available_minor: int
    currency: str


@dataclass
class _Context:
    child: Child
    group: Group
    program: Program
    provider: Provider
    municipality: Municipality
    certificate: Certificate | None


@dataclass(frozen=True)
class _Funding:
    account: CertificateAccount
    period: FundingPeriod
    until: date


def _context(session: Session, child: Child, group: Group) -> _Context:
    program = session.get(Program, group.program_id)
    assert program is not None
    provider = session.get(Provider, program.provider_id)
    municipality = session.get(Municipality, child.municipality_id)
    assert provider is not None and municipality is not None
    certificate = session.exec(select(Certificate).where(Certificate.child_id == child.id)).first()
    return _Context(child, group, program, provider, municipality, certificate)


def _in_catalog(ctx: _Context) -> bool:
    program = ctx.program
    return (
        ctx.provider.admitted
        and program.listing == ProgramListing.LISTED
        and program.certification_status != CertificationStatus.SUSPENDED
        and (program.certification_status == CertificationStatus.CERTIFIED or program.is_free)
    )


def _funding(session: Session, ctx: _Context, today: date) -> _Funding | None:
    """The account that pays, when the certificate may pay for this program at all."""
    certificate = ctx.certificate
    if (
        certificate is None
        or certificate.status != CertificateStatus.FUNDED
        or not ctx.program.payable_by_certificate
        or ctx.program.municipality_id != ctx.child.municipality_id
    ):
        return None
    account = current_account(session, certificate, today)
    if account is None:
        return None
    period = session.get(FundingPeriod, account.period_id)
    assert period is not None
    until = min(period.ends_on, certificate.valid_until - timedelta(days=1))
    return _Funding(account, period, until)


def lesson_share(certificate_share: int, lessons: int, lesson_number: int) -> int:
    """The certificate's part of lesson k of n: spread evenly, summing exactly to the share."""
    if lessons <= 0 or not 1 <= lesson_number <= lessons:
        return 0
    return (
        certificate_share * lesson_number // lessons
        - certificate_share * (lesson_number - 1) // lessons
    )


def _quote(session: Session, ctx: _Context, today: date) -> Quote:
    dates = lesson_dates(ctx.group, today)
    price = ctx.group.price_per_lesson_minor
    contract = price * len(dates)
    funding = _funding(session, ctx, today)
    funded_lessons = sum(1 for d in dates if d <= funding.until) if funding else 0
    available = funding.account.available_minor if funding else 0
    share = min(price * funded_lessons, available)
    return Quote(
        lessons=len(dates),
        first_lesson=dates[0] if dates else None,
        last_lesson=dates[-1] if dates else None,
        price_per_lesson_minor=price,
        contract_minor=contract,
        certificate_share_minor=share,
        copayment_minor=contract - share,
        funded=share > 0,
        funded_lessons=funded_lessons if share > 0 else 0,
        funded_until=funding.until if funding and share > 0 else None,
        available_minor=available,
        currency=ctx.municipality.currency,
    )


def _group_or_not_found(session: Session, group_id: int) -> Group:
    """The group, or NotFound for an unknown (or malformed) id."""
    group = session.get(Group, group_id) if isinstance(group_id, int) else None
    if group is None:
        raise NotFound()
    return group


def quote(
    session: Session, actor: Actor, child_id: int, group_id: int, *, today: date | None = None
) -> Quote:
    child = check_guardian(session, actor, session.get(Child, child_id))
    ctx = _context(session, child, _group_or_not_found(session, group_id))
    if not _in_catalog(ctx):
        raise NotFound()
    return _quote(session, ctx, today or local_today(ctx.municipality))


def _live_statuses() -> list[str]:
    return [s.value for s in LIVE_ENROLLMENT]


def _check_can_apply(session: Session, ctx: _Context, today: date) -> None:
    if not _in_catalog(ctx):
        raise NotFound()
    group, program = ctx.group, ctx.program
    if not group.enrollment_open or group.ends_on < today:
        raise Conflict("group_closed")
    if ctx.certificate is None:
        raise Conflict("certificate_required")
    if today >= ctx.certificate.valid_until:
        raise Conflict("certificate_expired")
    age = age_on(ctx.child.birth_date, max(today, group.starts_on))
    if not program.age_min <= age <= program.age_max:
        raise Conflict("age_does_not_fit", age=age, min=program.age_min, max=program.age_max)
    live = session.exec(
        select(Enrollment.id).where(
            Enrollment.child_id == ctx.child.id,
            Enrollment.group_id == group.id,
            col(Enrollment.status).in_(_live_statuses()),
        )
    ).first()
    if live is not None:
        raise Conflict("already_enrolled")


def _check_funded_limit(session: Session, ctx: _Context, exclude_id: int | None = None) -> None:
    limit = policy_of(session, ctx.child.municipality_id).max_funded_enrollments
    statement = (
        select(func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.child_id == ctx.child.id,
            col(Enrollment.funded).is_(True),
            col(Enrollment.status).in_(_live_statuses()),
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
    session: Session, actor: Actor, child_id: int, group_id: int, *, today: date | None = None
) -> Enrollment:
    """The parent's application with the breakdown they saw.

    A full group, or one with a waiting list already, puts the application on the list.
    """
    child = check_guardian(session, actor, locked(session, Child, child_id))
    _group_or_not_found(session, group_id)
    group = locked(session, Group, group_id)
    assert group is not None
    ctx = _context(session, child, group)
    today = today or local_today(ctx.municipality)
    _check_can_apply(session, ctx, today)
    terms = _quote(session, ctx, today)
    if terms.lessons == 0:
        raise Conflict("group_closed")
    if terms.funded:
        _check_funded_limit(session, ctx)
    wait = group.seats_taken >= group.seats or _waitlist_exists(session, group_id)
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
    return enrollment


def _staff_context(
    session: Session, actor: Actor, enrollment_id: int
) -> tuple[Enrollment, _Context]:
    """Checks the actor works for the enrollment's provider before anything is locked."""
    peek = session.get(Enrollment, enrollment_id) if isinstance(enrollment_id, int) else None
    if peek is None:
        raise NotFound()
    group = session.get(Group, peek.group_id)
    child = session.get(Child, peek.child_id)
    assert group is not None and child is not None
    ctx = _context(session, child, group)
    check_provider_staff(session, actor, ctx.provider.id)  # type: ignore[arg-type]
    return peek, ctx


def _lock_group_and_enrollment(
    session: Session, ctx: _Context, enrollment_id: int
) -> tuple[Group, Enrollment]:
    group = locked(session, Group, ctx.group.id)
    enrollment = locked(session, Enrollment, enrollment_id)
    assert group is not None and enrollment is not None
    ctx.group = group
    return group, enrollment


def accept_application(
    session: Session, actor: Actor, enrollment_id: int, *, today: date | None = None
) -> Enrollment:
    """Take a seat and hold the certificate share, atomically. Accepting twice changes nothing.

    The hold never exceeds the share the parent agreed to; if the certificate no longer
    covers it, the acceptance is refused rather than shifting the cost onto the parent.
    """
    _peek, ctx = _staff_context(session, actor, enrollment_id)
    today = today or local_today(ctx.municipality)
    funding = _funding(session, ctx, today)
    if funding is not None:
        # exclusive: two acceptances must not both fit into the last of the budget
        period = locked(session, FundingPeriod, funding.period.id)
        if period is None or period.status != PeriodStatus.OPEN:
            funding = None
    group, enrollment = _lock_group_and_enrollment(session, ctx, enrollment_id)
    if enrollment.status in SEATED_ENROLLMENT:
        return enrollment
    if enrollment.status != EnrollmentStatus.APPLIED:
        raise Conflict("enrollment_not_pending", status=enrollment.status)
    if not _in_catalog(ctx):
        raise Conflict("program_not_open")
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
        _notify(session, ctx.child.guardian_id, "enrollment.accepted", enrollment)
    session.flush()
    return enrollment


def reject_application(
    session: Session, actor: Actor, enrollment_id: int, *, reason: str
) -> Enrollment:
    _peek, ctx = _staff_context(session, actor, enrollment_id)
    group, enrollment = _lock_group_and_enrollment(session, ctx, enrollment_id)
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
    _notify(session, ctx.child.guardian_id, "enrollment.rejected", enrollment)
    _promote_waitlist(session, group)
    session.flush()
    return enrollment


def mark_attendance(
    session: Session,
    actor: Actor,
    enrollment_id: int,
    lesson_date: date,
    status: AttendanceStatus | str,
    *,
    today: date | None = None,
) -> Attendance:
    """Record one lesson; a charged lesson captures its certificate share from the hold."""
    _peek, ctx = _staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    status = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
    enrollment = locked(session, Enrollment, enrollment_id)
    assert enrollment is not None
    if enrollment.status not in SEATED_ENROLLMENT:
        raise Conflict("attendance_not_enrolled", status=enrollment.status)
    today = today or local_today(ctx.municipality)
    if lesson_date > today:
        raise InvalidInput("attendance_in_future")
    if lesson_date < enrollment.contract_starts_on or not is_lesson_date(ctx.group, lesson_date):
        raise InvalidInput("attendance_not_a_lesson", date=lesson_date.isoformat())
    already = session.exec(
        select(Attendance.id).where(
            Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
        )
    ).first()
    if already is not None:
        raise Conflict("attendance_already_marked", date=lesson_date.isoformat())

    attendance = Attendance(
        enrollment_id=enrollment_id,
        lesson_date=lesson_date,
        status=status,
        marked_by_id=actor.user_id,
    )
    session.add(attendance)
    session.flush()
    if _charges(session, ctx, status):
        _capture_lesson(
            session,
            actor,
            ctx,
            enrollment,
            attendance,
            f"capture:{enrollment_id}:{lesson_date.isoformat()}",
        )
    enrollment.status = EnrollmentStatus.ACTIVE
    session.add_all([enrollment, attendance])
    session.flush()
    return attendance


def record_attendance(
    session: Session,
    actor: Actor,
    enrollment_id: int,
    lesson_date: date,
    status: AttendanceStatus | str,
    *,
    correction_reason: str | None = None,
    today: date | None = None,
) -> str:
    """Mark a lesson, or leave it when marked the same, or correct it when a reason is given.

    Returns "marked", "unchanged" or "corrected": an e-journal can send the same marks
    twice and nothing moves the second time.
    """
    _staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    existing = session.exec(
        select(Attendance.status).where(
            Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
        )
    ).first()
    if existing is None:
        mark_attendance(session, actor, enrollment_id, lesson_date, status, today=today)
        return "marked"
    if existing == status:
        return "unchanged"
    if correction_reason is None:
        raise Conflict("attendance_already_marked", date=lesson_date.isoformat())
    correct_attendance(
        session, actor, enrollment_id, lesson_date, status, correction_reason, today=today
    )
    return "corrected"


def _charges(session: Session, ctx: _Context, status: AttendanceStatus) -> bool:
    """Whether the certificate pays for a lesson marked so: present, or absent if the rules say."""
    return status is AttendanceStatus.PRESENT or (
        status is AttendanceStatus.ABSENT
        and policy_of(session, ctx.child.municipality_id).absence_charge == AbsenceCharge.FULL
    )


def _capture_lesson(
    session: Session,
    actor: Actor,
    ctx: _Context,
    enrollment: Enrollment,
    attendance: Attendance,
    idempotency_key: str,
) -> int:
    """Capture the lesson's part of the hold, if the certificate pays for that date."""
    in_funded_window = (
        enrollment.funded_until is not None and attendance.lesson_date <= enrollment.funded_until
    )
    if not in_funded_window or enrollment.account_id is None:
        return 0
    enrollment.lessons_charged += 1
    share = lesson_share(
        enrollment.certificate_share_minor, enrollment.funded_lessons, enrollment.lessons_charged
    )
    amount = min(share, enrollment.hold_remaining_minor)
    if amount > 0:
        ledger.post(
            session,
            enrollment.account_id,
            EntryKind.CAPTURE,
            amount,
            idempotency_key,
            actor_id=actor.user_id,
            notify_user_id=ctx.child.guardian_id,
            enrollment_id=enrollment.id,
            attendance_id=attendance.id,
        )
        enrollment.captured_minor += amount
        attendance.charged_minor = amount
    return amount


def correct_attendance(
    session: Session,
    actor: Actor,
    enrollment_id: int,
    lesson_date: date,
    status: AttendanceStatus | str,
    reason: str,
    *,
    today: date | None = None,
) -> AttendanceCorrection:
    """Change a mark within the municipality's correction window, leaving an audit row.

    Removing a charged lesson refunds its capture; while the child is still seated the
    refund is held again, so the remaining lessons stay covered and the parent's available
    balance is exactly what it was before the wrong mark. Adding a charge captures as a
    first marking would.
    """
    _peek, ctx = _staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    status = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
    reason = check_text(reason, "reason", max_length=300)
    enrollment = locked(session, Enrollment, enrollment_id)
    assert enrollment is not None
    attendance = session.exec(
        select(Attendance)
        .where(Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date)
        .with_for_update()
    ).first()
    if attendance is None:
        raise NotFound()
    today = today or local_today(ctx.municipality)
    window = policy_of(session, ctx.child.municipality_id).attendance_correction_days
    if lesson_date < today - timedelta(days=window):
        raise Conflict("correction_window_closed", days=window)
    before = AttendanceStatus(attendance.status)
    if before is status:
        raise InvalidInput("correction_same_status")
    seated = enrollment.status in SEATED_ENROLLMENT
    correction = AttendanceCorrection(
        attendance_id=attendance.id,  # type: ignore[arg-type]
        enrollment_id=enrollment_id,
        lesson_date=lesson_date,
        from_status=before,
        to_status=status,
        reason=reason,
        actor_id=actor.user_id,
    )
    session.add(correction)
    session.flush()
    # a lesson counts toward the certificate's lessons exactly as _capture_lesson counted it
    paid_by_certificate = (
        enrollment.account_id is not None
        and enrollment.funded_until is not None
        and lesson_date <= enrollment.funded_until
    )
    # what the lesson cost when it was marked, not what today's policy would say: the
    # municipality may have changed what an absence costs since
    counted_before = paid_by_certificate and (
        before is AttendanceStatus.PRESENT or attendance.charged_minor > 0
    )
    counts_now = paid_by_certificate and _charges(session, ctx, status)
    if counted_before != counts_now:
        account = session.get(CertificateAccount, enrollment.account_id)
        period = session.get(FundingPeriod, account.period_id) if account else None
        if period is None or period.status == PeriodStatus.CLOSED:
            raise Conflict("correction_period_closed")
    if counted_before and not counts_now:
        refund = attendance.charged_minor
        assert enrollment.account_id is not None
        if refund > 0:
            ledger.post(
                session,
                enrollment.account_id,
                EntryKind.REFUND,
                refund,
                f"refund:correction:{correction.id}",
                actor_id=actor.user_id,
                notify_user_id=ctx.child.guardian_id,
                enrollment_id=enrollment_id,
                attendance_id=attendance.id,
                note=f"{lesson_date.isoformat()}: {before.value} → {status.value}",
            )
            enrollment.refunded_minor += refund
            if seated:
                ledger.post(
                    session,
                    enrollment.account_id,
                    EntryKind.HOLD,
                    refund,
                    f"hold:correction:{correction.id}",
                    actor_id=actor.user_id,
                    notify_user_id=None,
                    enrollment_id=enrollment_id,
                    note=lesson_date.isoformat(),
                )
                enrollment.held_minor += refund
        enrollment.lessons_charged = max(0, enrollment.lessons_charged - 1)
        attendance.charged_minor = 0
        correction.refunded_minor = refund
    elif counts_now and not counted_before:
        if not seated:
            raise Conflict("attendance_not_enrolled", status=enrollment.status)
        correction.captured_minor = _capture_lesson(
            session, actor, ctx, enrollment, attendance, f"capture:correction:{correction.id}"
        )
    attendance.status = status
    attendance.marked_by_id = actor.user_id
    attendance.marked_at = utcnow()
    session.add_all([enrollment, attendance, correction])
    session.flush()
    return correction


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
        peek = session.get(Enrollment, enrollment_id) if isinstance(enrollment_id, int) else None
        child = session.get(Child, peek.child_id) if peek else None
        check_guardian(session, actor, child)
        assert peek is not None and child is not None
        group_row = session.get(Group, peek.group_id)
        assert group_row is not None
        ctx = _context(session, child, group_row)
    else:
        _peek, ctx = _staff_context(session, actor, enrollment_id)
    group, enrollment = _lock_group_and_enrollment(session, ctx, enrollment_id)
    if enrollment.status == final:
        return enrollment
    allowed: tuple[EnrollmentStatus, ...] = SEATED_ENROLLMENT
    if final is EnrollmentStatus.CANCELLED:
        allowed = LIVE_ENROLLMENT
    if enrollment.status not in allowed:
        raise Conflict("enrollment_not_live", status=enrollment.status)
    seated = enrollment.status in SEATED_ENROLLMENT
    release_rest_of_hold(session, actor, enrollment, ctx.child.guardian_id)
    enrollment.status = final
    enrollment.reason = (reason.strip() if isinstance(reason, str) else "")[:500]
    enrollment.ended_at = utcnow()
    session.add(enrollment)
    if seated:
        group.seats_taken -= 1
        session.add(group)
    session.flush()
    _promote_waitlist(session, group)
    _notify(session, ctx.child.guardian_id, f"enrollment.{final.value}", enrollment)
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


def _promote_waitlist(session: Session, group: Group) -> None:
    """Longest-waiting first, while free seats outnumber the applications awaiting a decision."""
    pending = session.exec(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.APPLIED)
    ).one()
    free = group.seats - group.seats_taken - pending
    if free <= 0:
        return
    waiting = session.exec(
        select(Enrollment)
        .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(col(Enrollment.applied_at), col(Enrollment.id))
        .limit(free)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for enrollment in waiting:
        enrollment.status = EnrollmentStatus.APPLIED
        session.add(enrollment)
        child = session.get(Child, enrollment.child_id)
        if child is not None:
            _notify(session, child.guardian_id, "enrollment.promoted", enrollment)


def _notify(session: Session, user_id: int, kind: str, enrollment: Enrollment) -> None:
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            payload={"enrollment_id": enrollment.id, "group_id": enrollment.group_id},
        )
    )
