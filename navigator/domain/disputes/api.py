"""A parent disputes a lesson charge; the provider answers; the municipality decides.

Every step of one dispute locks, in the lock order: the funding period (shared: a period
does not close while a dispute of it moves; closing refuses while one is undecided), the
enrollment (which serialises every step of its disputes), the attendance, then the
certificate account when money moves. The refund is a ledger entry with the key
`refund:dispute:<id>`, so it is posted once whoever clicks at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import (
    Actor,
    check_guardian,
    check_municipality_admin,
    check_provider_staff,
)
from navigator.domain.accounts.models import Child, Membership, Role
from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import (
    Certificate,
    CertificateAccount,
    EntryKind,
    LedgerEntry,
)
from navigator.domain.disputes.models import (
    AWAITING_DECISION,
    UNDECIDED,
    Dispute,
    DisputeStatus,
    DisputeSubject,
)
from navigator.domain.enrollment.attendance import tell_refund_held
from navigator.domain.enrollment.models import (
    SEATED_ENROLLMENT,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Enrollment,
)
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.municipalities.models import Municipality
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.programs.models import Group, Program
from navigator.domain.shared import audit
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import Notification, utcnow
from navigator.domain.shared.validation import check_row_id, check_text

ANSWER_WORKING_DAYS = 5
REASON_MAX = 500


def answer_due(
    opened_at: datetime, timezone: str, working_days: int = ANSWER_WORKING_DAYS
) -> datetime:
    """The moment `working_days` working days (Monday to Friday) after `opened_at`, counted
    on the municipality's calendar. Public holidays are not known here and count as working."""
    day = opened_at.astimezone(ZoneInfo(timezone)).date()
    end, counted = day, 0
    while counted < working_days:
        end += timedelta(days=1)
        if end.isoweekday() <= 5:
            counted += 1
    return opened_at + timedelta(days=(end - day).days)


def _fresh(session: Session, dispute_id: int) -> Dispute:
    """The dispute read again after its enrollment's lock: what the last step committed."""
    dispute = session.exec(
        select(Dispute).where(Dispute.id == dispute_id).execution_options(populate_existing=True)
    ).first()
    assert dispute is not None
    return dispute


def _display(session: Session, dispute: Dispute, reason: str = "") -> dict[str, object]:
    """What a notification shows: the child's first name only, the program, the money."""
    enrollment = get_row(session, Enrollment, dispute.enrollment_id)
    child = get_row(session, Child, enrollment.child_id) if enrollment else None
    group = get_row(session, Group, enrollment.group_id) if enrollment else None
    program = get_row(session, Program, group.program_id) if group else None
    return {
        "dispute_id": dispute.id,
        "child_first_name": child.first_name if child else "",
        "program_title": program.title if program else "",
        "amount_minor": dispute.amount_minor,
        "currency": dispute.currency,
        "lesson_date": dispute.lesson_date.isoformat(),
        "reason": reason,
    }


def _provider_people(session: Session, provider_id: int) -> list[int]:
    return sorted(
        set(
            session.exec(
                select(Membership.user_id).where(
                    Membership.provider_id == provider_id,
                    col(Membership.role).in_([Role.PROVIDER_OWNER, Role.PROVIDER_STAFF]),
                )
            ).all()
        )
    )


def _municipality_people(session: Session, municipality_id: int) -> list[int]:
    return sorted(
        set(
            session.exec(
                select(Membership.user_id).where(
                    Membership.municipality_id == municipality_id,
                    Membership.role == Role.MUNICIPALITY_ADMIN,
                )
            ).all()
        )
    )


def _notify(
    session: Session, user_ids: list[int], kind: str, dispute: Dispute, reason: str = ""
) -> None:
    payload = _display(session, dispute, reason)
    for user_id in user_ids:
        session.add(Notification(user_id=user_id, kind=f"dispute.{kind}", payload=dict(payload)))


def _guardian(session: Session, dispute: Dispute) -> int:
    return dispute.opened_by_id


def _audit(session: Session, actor: Actor, dispute: Dispute, action: str, reason: str = "") -> None:
    assert dispute.municipality_id is not None
    audit.record(
        session,
        actor,
        dispute.municipality_id,
        f"dispute.{action}",
        "dispute",
        dispute.id,
        reason=reason[:REASON_MAX],
        payload={
            "amount_minor": dispute.amount_minor,
            "refunded_minor": dispute.refunded_minor,
            "provider_id": dispute.provider_id,
            "enrollment_id": dispute.enrollment_id,
            "lesson_date": dispute.lesson_date.isoformat(),
        },
    )


def _lock_period(session: Session, account: CertificateAccount) -> FundingPeriod:
    period = locked(session, FundingPeriod, account.period_id, shared=True)
    assert period is not None
    return period


# ------------------------------------------------------------------ the parent


def open_dispute(
    session: Session,
    actor: Actor,
    entry_id: int,
    *,
    comment: str = "",
    now: datetime | None = None,
) -> Dispute:
    """ "My child was not there": the guardian disputes one lesson charge of the history,
    within the municipality's window after the lesson and while its funding period is open."""
    check_row_id(entry_id)
    comment = check_text(comment, "comment", max_length=REASON_MAX, required=False)
    entry = get_row(session, LedgerEntry, entry_id)
    if entry is None:
        raise NotFound()
    account = get_row(session, CertificateAccount, entry.account_id)
    certificate = get_row(session, Certificate, account.certificate_id) if account else None
    child = get_row(session, Child, certificate.child_id) if certificate else None
    child = check_guardian(session, actor, child)  # another family's line: not found
    if actor.user_id is None:
        raise NotFound()  # a dispute is a guardian's own
    assert account is not None
    if entry.kind != EntryKind.CAPTURE or entry.attendance_id is None:
        raise InvalidInput("dispute_not_a_charge")
    assert entry.enrollment_id is not None
    municipality = get_row(session, Municipality, child.municipality_id)
    assert municipality is not None
    now = now or utcnow()
    period = _lock_period(session, account)
    if period.status != PeriodStatus.OPEN:
        raise Conflict("dispute_period_closed")
    enrollment = locked(session, Enrollment, entry.enrollment_id)
    attendance = get_row(session, Attendance, entry.attendance_id)
    assert enrollment is not None and attendance is not None
    session.refresh(attendance)
    window = policy_of(session, child.municipality_id).dispute_window_days
    if local_today(municipality, now) > attendance.lesson_date + timedelta(days=window):
        raise Conflict("dispute_window_closed", days=window)
    if session.exec(select(Dispute.id).where(Dispute.ledger_entry_id == entry_id)).first():
        raise Conflict("dispute_already_opened")
    latest_capture = session.exec(
        select(func.max(LedgerEntry.id)).where(
            LedgerEntry.attendance_id == attendance.id, LedgerEntry.kind == EntryKind.CAPTURE
        )
    ).one()
    if attendance.charged_minor <= 0 or latest_capture != entry.id:
        raise Conflict("dispute_charge_refunded")  # a correction already gave it back
    group = get_row(session, Group, enrollment.group_id)
    program = get_row(session, Program, group.program_id) if group else None
    assert program is not None
    dispute = Dispute(
        subject=DisputeSubject.CERTIFICATE_CHARGE,
        ledger_entry_id=entry_id,
        enrollment_id=enrollment.id,
        attendance_id=attendance.id,
        municipality_id=child.municipality_id,
        provider_id=program.provider_id,
        opened_by_id=actor.user_id,
        amount_minor=attendance.charged_minor,
        currency=municipality.currency,
        lesson_date=attendance.lesson_date,
        comment=comment,
        answer_due_at=answer_due(now, municipality.timezone),
        opened_at=now,
    )
    session.add(dispute)
    session.flush()
    _notify(session, [actor.user_id], "opened", dispute, comment)
    _notify(session, _provider_people(session, program.provider_id), "opened", dispute, comment)
    _audit(session, actor, dispute, "opened", comment)
    session.flush()
    return dispute


# ------------------------------------------------------------------ the provider


def _for_provider(session: Session, actor: Actor, dispute_id: int) -> Dispute:
    check_row_id(dispute_id)
    peek = get_row(session, Dispute, dispute_id)
    if peek is None or peek.subject != DisputeSubject.CERTIFICATE_CHARGE:
        raise NotFound()
    check_provider_staff(session, actor, peek.provider_id)
    return peek


def _lock(session: Session, peek: Dispute) -> tuple[FundingPeriod, Dispute]:
    """The period (shared), then the enrollment; the dispute as the last step left it."""
    entry = get_row(session, LedgerEntry, peek.ledger_entry_id)
    account = get_row(session, CertificateAccount, entry.account_id) if entry else None
    assert account is not None and peek.id is not None
    period = _lock_period(session, account)
    locked(session, Enrollment, peek.enrollment_id)
    return period, _fresh(session, peek.id)


def accept_dispute(
    session: Session, actor: Actor, dispute_id: int, *, now: datetime | None = None
) -> Dispute:
    """The provider agrees: the charge is refunded, at any time before a decision, whatever
    the correction window says. Accepting an accepted dispute changes nothing."""
    peek = _for_provider(session, actor, dispute_id)
    period, dispute = _lock(session, peek)
    if dispute.status == DisputeStatus.ACCEPTED:
        return dispute
    if dispute.status not in UNDECIDED:
        raise Conflict("dispute_decided")
    _refund(session, actor, dispute, period, dispute.comment)
    dispute.status = DisputeStatus.ACCEPTED
    dispute.answered_by_id = actor.user_id
    dispute.answered_at = now or utcnow()
    session.add(dispute)
    session.flush()
    _notify(session, [_guardian(session, dispute)], "accepted", dispute)
    _audit(session, actor, dispute, "accepted")
    session.flush()
    return dispute


def contest_dispute(
    session: Session, actor: Actor, dispute_id: int, reason: str, *, now: datetime | None = None
) -> Dispute:
    """The provider disagrees, saying why: the municipality decides."""
    peek = _for_provider(session, actor, dispute_id)
    reason = check_text(reason, "reason", max_length=REASON_MAX)
    _period, dispute = _lock(session, peek)
    if dispute.status == DisputeStatus.CONTESTED:
        raise Conflict("dispute_already_answered")
    if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.ESCALATED):
        raise Conflict("dispute_decided")
    dispute.status = DisputeStatus.CONTESTED
    dispute.provider_reason = reason
    dispute.answered_by_id = actor.user_id
    dispute.answered_at = now or utcnow()
    session.add(dispute)
    session.flush()
    _notify(session, [_guardian(session, dispute)], "contested", dispute, reason)
    assert dispute.municipality_id is not None
    _notify(
        session,
        _municipality_people(session, dispute.municipality_id),
        "contested",
        dispute,
        reason,
    )
    _audit(session, actor, dispute, "contested", reason)
    session.flush()
    return dispute


# ------------------------------------------------------------------ the clock


def overdue_disputes(session: Session, *, now: datetime | None = None) -> list[int]:
    """Open disputes whose provider did not answer in time, oldest first."""
    return [
        dispute_id
        for dispute_id in session.exec(
            select(Dispute.id)
            .where(
                Dispute.status == DisputeStatus.OPEN,
                Dispute.subject == DisputeSubject.CERTIFICATE_CHARGE,
                Dispute.answer_due_at <= (now or utcnow()),
            )
            .order_by(col(Dispute.id))
            .limit(500)
        ).all()
        if dispute_id is not None
    ]


def escalate_dispute(session: Session, dispute_id: int, *, now: datetime | None = None) -> bool:
    """Send an unanswered dispute to the municipality; False when it was answered meanwhile."""
    check_row_id(dispute_id)
    now = now or utcnow()
    peek = get_row(session, Dispute, dispute_id)
    if peek is None or peek.subject != DisputeSubject.CERTIFICATE_CHARGE:
        return False
    _period, dispute = _lock(session, peek)
    if dispute.status != DisputeStatus.OPEN or dispute.answer_due_at > now:
        return False
    dispute.status = DisputeStatus.ESCALATED
    dispute.escalated_at = now
    session.add(dispute)
    session.flush()
    _notify(session, [_guardian(session, dispute)], "escalated", dispute)
    assert dispute.municipality_id is not None
    _notify(session, _municipality_people(session, dispute.municipality_id), "escalated", dispute)
    _notify(session, _provider_people(session, dispute.provider_id), "escalated", dispute)
    _audit(session, Actor.system(), dispute, "escalated")
    session.flush()
    return True


# ------------------------------------------------------------------ the municipality


class Decision:
    UPHOLD = "uphold"  # the parent is right: refunded
    REJECT = "reject"  # the provider is right: the charge stays


def decide_dispute(
    session: Session,
    actor: Actor,
    dispute_id: int,
    decision: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> Dispute:
    """The municipality of the child decides a contested or escalated dispute, with a reason."""
    check_row_id(dispute_id)
    peek = get_row(session, Dispute, dispute_id)
    if peek is None or peek.municipality_id is None:
        raise NotFound()
    check_municipality_admin(session, actor, peek.municipality_id)
    if decision not in (Decision.UPHOLD, Decision.REJECT):
        raise InvalidInput("field_not_allowed", field="decision", allowed="uphold, reject")
    reason = check_text(reason, "reason", max_length=REASON_MAX)
    period, dispute = _lock(session, peek)
    if dispute.status not in AWAITING_DECISION:
        raise Conflict("dispute_not_awaiting_decision", status=dispute.status)
    if decision == Decision.UPHOLD:
        _refund(session, actor, dispute, period, reason)
        dispute.status = DisputeStatus.UPHELD
    else:
        dispute.status = DisputeStatus.REJECTED
    dispute.decision_reason = reason
    dispute.decided_by_id = actor.user_id
    dispute.decided_at = now or utcnow()
    session.add(dispute)
    session.flush()
    kind = dispute.status  # "upheld" or "rejected"
    _notify(session, [_guardian(session, dispute)], kind, dispute, reason)
    _notify(session, _provider_people(session, dispute.provider_id), kind, dispute, reason)
    _audit(session, actor, dispute, kind, reason)
    session.flush()
    return dispute


# ------------------------------------------------------------------ the money


def _refund(
    session: Session, actor: Actor, dispute: Dispute, period: FundingPeriod, why: str
) -> None:
    """Give the lesson's charge back, as a correction to "absent, not charged" would, but
    outside the correction window; the caller holds the enrollment's lock.

    While the child is still seated the refund is held again for the remaining lessons
    (as a correction does). A charge a correction gave back meanwhile is not refunded twice.
    """
    if period.status == PeriodStatus.CLOSED:
        raise Conflict("correction_period_closed")
    enrollment = locked(session, Enrollment, dispute.enrollment_id)
    attendance = locked(session, Attendance, dispute.attendance_id)
    assert enrollment is not None and attendance is not None
    refund = attendance.charged_minor
    before = AttendanceStatus(attendance.status)
    reason = why[:300]  # the parent reads why the charge came back: their words or the decision
    correction = AttendanceCorrection(
        attendance_id=attendance.id,  # type: ignore[arg-type]
        enrollment_id=enrollment.id,  # type: ignore[arg-type]
        lesson_date=attendance.lesson_date,
        from_status=before,
        to_status=AttendanceStatus.ABSENT,
        reason=reason,
        actor_id=actor.user_id,
    )
    session.add(correction)
    session.flush()
    if refund > 0:
        assert enrollment.account_id is not None
        seated = enrollment.status in SEATED_ENROLLMENT
        refunded = ledger.post(
            session,
            enrollment.account_id,
            EntryKind.REFUND,
            refund,
            f"refund:dispute:{dispute.id}",
            actor_id=actor.user_id,
            # held again at once while seated: one notification tells both (below)
            notify_user_id=None if seated else dispute.opened_by_id,
            enrollment_id=enrollment.id,
            attendance_id=attendance.id,
            note=reason,
        )
        enrollment.refunded_minor += refund
        if seated:
            held = ledger.post(
                session,
                enrollment.account_id,
                EntryKind.HOLD,
                refund,
                f"hold:dispute:{dispute.id}",
                actor_id=actor.user_id,
                notify_user_id=None,
                enrollment_id=enrollment.id,
                note=reason,
            )
            tell_refund_held(session, dispute.opened_by_id, refunded, held)
            enrollment.held_minor += refund
        enrollment.lessons_charged = max(0, enrollment.lessons_charged - 1)
    attendance.charged_minor = 0
    attendance.status = AttendanceStatus.ABSENT
    attendance.marked_by_id = actor.user_id
    attendance.marked_at = utcnow()
    correction.refunded_minor = refund
    dispute.refunded_minor = refund
    session.add_all([enrollment, attendance, correction, dispute])
    session.flush()
