"""A school coordinator disputes a culture session's charge; the provider answers; the
programme operator decides what is contested or escalated. The same Dispute (subject
`culture_charge`) and the same steps as a parent's dispute of a lesson charge
(`disputes.api`), with the culture pass's own money and locks.

Every step locks the booking first (the culture lock order: booking → session → school
wallet → pupils' years), then reads the dispute again. A refund gives the booking's charge
back to the school's wallet (one entry, key `refund:dispute:<id>`) and each charged pupil's
share back under that pupil's yearly cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.models import Membership, Role
from navigator.domain.culture.access import (
    check_coordinator,
    check_culture_operator,
    check_provider_member,
    local_day,
)
from navigator.domain.culture.models import (
    CULTURE_CURRENCY,
    BookingPupil,
    BookingStatus,
    CultureBooking,
    CultureOperator,
    CulturePassYear,
    CultureService,
    CultureSession,
    PupilYear,
    SchoolWallet,
    SeatStatus,
    WalletEntry,
    WalletEntryKind,
    YearStatus,
)
from navigator.domain.culture.wallet import post
from navigator.domain.disputes.api import REASON_MAX, Decision, answer_due
from navigator.domain.disputes.models import (
    AWAITING_DECISION,
    UNDECIDED,
    Dispute,
    DisputeStatus,
    DisputeSubject,
)
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows
from navigator.domain.shared.models import Notification, utcnow
from navigator.domain.shared.validation import check_row_id, check_text

DISPUTE_DAYS = 14  # after the session, a coordinator may dispute its charge
PROGRAMME_TIMEZONE = "Europe/Vilnius"


def _charge(session: Session, booking_id: int) -> WalletEntry | None:
    return session.exec(
        select(WalletEntry).where(
            WalletEntry.booking_id == booking_id, WalletEntry.kind == WalletEntryKind.CHARGE
        )
    ).first()


def _parts(session: Session, booking: CultureBooking) -> tuple[CultureSession, CultureService]:
    culture_session = get_row(session, CultureSession, booking.session_id)
    assert culture_session is not None
    service = get_row(session, CultureService, culture_session.service_id)
    assert service is not None
    return culture_session, service


def _fresh(session: Session, dispute_id: int) -> Dispute:
    dispute = session.exec(
        select(Dispute).where(Dispute.id == dispute_id).execution_options(populate_existing=True)
    ).first()
    assert dispute is not None
    return dispute


def _notify(
    session: Session, user_ids: list[int], kind: str, dispute: Dispute, reason: str = ""
) -> None:
    """Display fields only: the class, the service, the money; never a pupil's name."""
    booking = get_row(session, CultureBooking, dispute.culture_booking_id)
    assert booking is not None
    _culture_session, service = _parts(session, booking)
    payload = {
        "dispute_id": dispute.id,
        "class_name": booking.class_name,
        "service_title": service.title,
        "amount_minor": dispute.amount_minor,
        "currency": dispute.currency,
        "lesson_date": dispute.lesson_date.isoformat(),
        "reason": reason,
    }
    for user_id in sorted(set(user_ids)):
        session.add(
            Notification(user_id=user_id, kind=f"culture_dispute.{kind}", payload=dict(payload))
        )


def _provider_people(session: Session, provider_id: int) -> list[int]:
    return list(
        session.exec(
            select(Membership.user_id).where(
                Membership.provider_id == provider_id,
                col(Membership.role).in_([Role.PROVIDER_OWNER, Role.PROVIDER_STAFF]),
            )
        ).all()
    )


def _operators(session: Session) -> list[int]:
    return list(session.exec(select(CultureOperator.user_id)).all())


def open_culture_dispute(
    session: Session,
    actor: Actor,
    booking_id: int,
    *,
    comment: str = "",
    now: datetime | None = None,
) -> Dispute:
    """A coordinator of the booking's school disputes its charge, within 14 days of the
    session and while the year is open; once per booking."""
    check_row_id(booking_id)
    comment = check_text(comment, "comment", max_length=REASON_MAX, required=False)
    peek = get_row(session, CultureBooking, booking_id)
    if peek is None:
        raise NotFound()
    check_coordinator(session, actor, peek.school_id)
    if actor.user_id is None:
        raise NotFound()  # a dispute is a coordinator's own
    now = now or utcnow()
    booking = locked(session, CultureBooking, booking_id)
    assert booking is not None
    charge = _charge(session, booking_id)
    if booking.status != BookingStatus.DELIVERED or charge is None:
        raise InvalidInput("dispute_not_a_charge")
    # the wallet locked before the year is read: closing the year locks every wallet first,
    # so a dispute either comes before the closing (which then waits for it) or sees it closed
    wallet = locked(session, SchoolWallet, booking.wallet_id)
    year = get_row(session, CulturePassYear, wallet.year_id) if wallet else None
    if year is None or year.status != YearStatus.OPEN:
        raise Conflict("dispute_period_closed")
    culture_session, service = _parts(session, booking)
    day = local_day(culture_session.starts_at)
    if local_day(now) > day + timedelta(days=DISPUTE_DAYS):
        raise Conflict("dispute_window_closed", days=DISPUTE_DAYS)
    if session.exec(select(Dispute.id).where(Dispute.culture_booking_id == booking_id)).first():
        raise Conflict("dispute_already_opened")
    dispute = Dispute(
        subject=DisputeSubject.CULTURE_CHARGE,
        culture_booking_id=booking_id,
        provider_id=service.provider_id,
        opened_by_id=actor.user_id,
        amount_minor=charge.amount_minor,
        currency=CULTURE_CURRENCY,
        lesson_date=day,
        comment=comment,
        answer_due_at=answer_due(now, PROGRAMME_TIMEZONE),
        opened_at=now,
    )
    session.add(dispute)
    session.flush()
    _notify(
        session,
        [actor.user_id, *_provider_people(session, service.provider_id)],
        "opened",
        dispute,
        comment,
    )
    session.flush()
    return dispute


def _peek(session: Session, dispute_id: int) -> tuple[Dispute, CultureBooking]:
    check_row_id(dispute_id)
    peek = get_row(session, Dispute, dispute_id)
    if peek is None or peek.subject != DisputeSubject.CULTURE_CHARGE:
        raise NotFound()
    return peek, get_row(session, CultureBooking, peek.culture_booking_id)  # type: ignore[return-value]


def _lock(session: Session, peek: Dispute) -> tuple[Dispute, CultureBooking]:
    booking = locked(session, CultureBooking, peek.culture_booking_id)
    assert booking is not None and peek.id is not None
    return _fresh(session, peek.id), booking


def accept_culture_dispute(
    session: Session, actor: Actor, dispute_id: int, *, now: datetime | None = None
) -> Dispute:
    """The provider agrees: the charge goes back to the school's wallet and the pupils' caps."""
    peek, _booking = _peek(session, dispute_id)
    check_provider_member(session, actor, peek.provider_id)
    dispute, booking = _lock(session, peek)
    if dispute.status == DisputeStatus.ACCEPTED:
        return dispute
    if dispute.status not in UNDECIDED:
        raise Conflict("dispute_decided")
    _refund(session, actor, dispute, booking)
    dispute.status = DisputeStatus.ACCEPTED
    dispute.answered_by_id, dispute.answered_at = actor.user_id, now or utcnow()
    session.add(dispute)
    session.flush()
    _notify(session, [dispute.opened_by_id], "accepted", dispute)
    return dispute


def contest_culture_dispute(
    session: Session, actor: Actor, dispute_id: int, reason: str, *, now: datetime | None = None
) -> Dispute:
    """The provider disagrees, saying why: the programme operator decides."""
    peek, _booking = _peek(session, dispute_id)
    check_provider_member(session, actor, peek.provider_id)
    reason = check_text(reason, "reason", max_length=REASON_MAX)
    dispute, _booking = _lock(session, peek)
    if dispute.status == DisputeStatus.CONTESTED:
        raise Conflict("dispute_already_answered")
    if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.ESCALATED):
        raise Conflict("dispute_decided")
    dispute.status = DisputeStatus.CONTESTED
    dispute.provider_reason = reason
    dispute.answered_by_id, dispute.answered_at = actor.user_id, now or utcnow()
    session.add(dispute)
    session.flush()
    _notify(session, [dispute.opened_by_id, *_operators(session)], "contested", dispute, reason)
    return dispute


def overdue_culture_disputes(session: Session, *, now: datetime | None = None) -> list[int]:
    return [
        dispute_id
        for dispute_id in session.exec(
            select(Dispute.id)
            .where(
                Dispute.status == DisputeStatus.OPEN,
                Dispute.subject == DisputeSubject.CULTURE_CHARGE,
                Dispute.answer_due_at <= (now or utcnow()),
            )
            .order_by(col(Dispute.id))
            .limit(500)
        ).all()
        if dispute_id is not None
    ]


def escalate_culture_dispute(
    session: Session, dispute_id: int, *, now: datetime | None = None
) -> bool:
    """An unanswered dispute goes to the operator; False when it was answered meanwhile."""
    now = now or utcnow()
    peek, _booking = _peek(session, dispute_id)
    dispute, _booking = _lock(session, peek)
    if dispute.status != DisputeStatus.OPEN or dispute.answer_due_at > now:
        return False
    dispute.status, dispute.escalated_at = DisputeStatus.ESCALATED, now
    session.add(dispute)
    session.flush()
    _notify(
        session,
        [
            dispute.opened_by_id,
            *_operators(session),
            *_provider_people(session, dispute.provider_id),
        ],
        "escalated",
        dispute,
    )
    return True


def decide_culture_dispute(
    session: Session,
    actor: Actor,
    dispute_id: int,
    decision: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> Dispute:
    """The programme operator decides a contested or escalated dispute, with a reason."""
    peek, _booking = _peek(session, dispute_id)
    check_culture_operator(session, actor)
    if decision not in (Decision.UPHOLD, Decision.REJECT):
        raise InvalidInput("field_not_allowed", field="decision", allowed="uphold, reject")
    reason = check_text(reason, "reason", max_length=REASON_MAX)
    dispute, booking = _lock(session, peek)
    if dispute.status not in AWAITING_DECISION:
        raise Conflict("dispute_not_awaiting_decision", status=dispute.status)
    if decision == Decision.UPHOLD:
        _refund(session, actor, dispute, booking)
        dispute.status = DisputeStatus.UPHELD
    else:
        dispute.status = DisputeStatus.REJECTED
    dispute.decision_reason = reason
    dispute.decided_by_id, dispute.decided_at = actor.user_id, now or utcnow()
    session.add(dispute)
    session.flush()
    _notify(
        session,
        [dispute.opened_by_id, *_provider_people(session, dispute.provider_id)],
        dispute.status,
        dispute,
        reason,
    )
    return dispute


def _refund(session: Session, actor: Actor, dispute: Dispute, booking: CultureBooking) -> None:
    """The charged pupils' shares back under their caps, the total back to the wallet; the
    caller holds the booking's lock."""
    wallet = locked(session, SchoolWallet, booking.wallet_id)
    assert wallet is not None
    year = get_row(session, CulturePassYear, wallet.year_id)
    if year is None or year.status != YearStatus.OPEN:
        raise Conflict("correction_period_closed")
    seats = list(
        session.exec(
            select(BookingPupil)
            .where(BookingPupil.booking_id == booking.id, BookingPupil.status == SeatStatus.CHARGED)
            .order_by(col(BookingPupil.id))
        ).all()
    )
    years = {
        row.id: row
        for row in locked_rows(
            session,
            PupilYear,
            select(PupilYear)
            .where(col(PupilYear.id).in_([s.pupil_year_id for s in seats]))
            .order_by(col(PupilYear.id)),
        )
    }
    refund = 0
    for seat in seats:
        row = years[seat.pupil_year_id]
        row.charged_minor -= seat.amount_minor
        seat.status = SeatStatus.RELEASED
        refund += seat.amount_minor
        session.add_all([row, seat])
    if refund > 0:
        post(
            session,
            booking.wallet_id,
            WalletEntryKind.REFUND,
            refund,
            f"refund:dispute:{dispute.id}",
            actor_id=actor.user_id,
            booking_id=booking.id,
        )
    dispute.refunded_minor = refund
    session.add(dispute)
    session.flush()


# ------------------------------------------------------------------ reads


@dataclass(frozen=True)
class CultureDisputeRow:
    id: int
    status: str
    booking_id: int
    class_name: str
    service_title: str
    session_day: date
    amount_minor: int
    refunded_minor: int
    comment: str
    provider_reason: str
    decision_reason: str
    answer_due_at: datetime


def _rows(session: Session, *conditions) -> list[CultureDisputeRow]:
    rows = session.exec(
        select(Dispute, CultureBooking, CultureService)
        .join(CultureBooking, col(CultureBooking.id) == Dispute.culture_booking_id)
        .join(CultureSession, col(CultureSession.id) == CultureBooking.session_id)
        .join(CultureService, col(CultureService.id) == CultureSession.service_id)
        .where(col(Dispute.subject) == DisputeSubject.CULTURE_CHARGE, *conditions)
        .order_by(col(Dispute.opened_at), col(Dispute.id))
        .limit(500)
    ).all()
    return [
        CultureDisputeRow(
            id=d.id,  # type: ignore[arg-type]
            status=d.status,
            booking_id=b.id,  # type: ignore[arg-type]
            class_name=b.class_name,
            service_title=s.title,
            session_day=d.lesson_date,
            amount_minor=d.amount_minor,
            refunded_minor=d.refunded_minor,
            comment=d.comment,
            provider_reason=d.provider_reason,
            decision_reason=d.decision_reason,
            answer_due_at=d.answer_due_at,
        )
        for d, b, s in rows
    ]


def school_disputes(session: Session, actor: Actor, school_id: int) -> list[CultureDisputeRow]:
    """Every dispute of the school's bookings: for its coordinators."""
    check_coordinator(session, actor, school_id)
    return _rows(session, col(CultureBooking.school_id) == school_id)


def provider_culture_disputes(
    session: Session, actor: Actor, provider_id: int
) -> list[CultureDisputeRow]:
    """The provider's undecided culture disputes, those waiting for its answer first."""
    check_provider_member(session, actor, provider_id)
    rows = _rows(
        session,
        col(Dispute.provider_id) == provider_id,
        col(Dispute.status).in_(list(UNDECIDED)),
    )
    return [r for r in rows if r.status == DisputeStatus.OPEN] + [
        r for r in rows if r.status != DisputeStatus.OPEN
    ]


def operator_dispute_queue(session: Session, actor: Actor) -> list[CultureDisputeRow]:
    """Contested and escalated culture disputes, oldest first: for the programme operator."""
    check_culture_operator(session, actor)
    return _rows(session, col(Dispute.status).in_(list(AWAITING_DECISION)))


def undecided_culture_disputes(session: Session, year_id: int) -> int:
    """How many disputes of the year's charges are undecided: the year closes after them."""
    check_row_id(year_id)
    return len(
        session.exec(
            select(Dispute.id)
            .join(CultureBooking, col(CultureBooking.id) == Dispute.culture_booking_id)
            .join(SchoolWallet, col(SchoolWallet.id) == CultureBooking.wallet_id)
            .where(col(SchoolWallet.year_id) == year_id, col(Dispute.status).in_(list(UNDECIDED)))
        ).all()
    )
