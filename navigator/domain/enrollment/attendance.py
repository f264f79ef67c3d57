"""The attendance register: marking lessons, capturing their price, correcting marks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as wide_select
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_provider_staff
from navigator.domain.accounts.models import Child, User
from navigator.domain.certificates import ledger
from navigator.domain.certificates.models import CertificateAccount, EntryKind, LedgerEntry
from navigator.domain.disputes.models import Dispute, DisputeStatus
from navigator.domain.enrollment.models import (
    SEATED_ENROLLMENT,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
)
from navigator.domain.enrollment.terms import EnrollmentContext, lesson_share, staff_context
from navigator.domain.funding.models import FundingPeriod, PeriodStatus
from navigator.domain.municipalities.models import AbsenceCharge, Municipality
from navigator.domain.municipalities.queries import policy_of
from navigator.domain.notifications.fanout import notify
from navigator.domain.programs.api import staff_group
from navigator.domain.programs.models import Group, Program
from navigator.domain.programs.timetable import is_lesson_date, lesson_dates
from navigator.domain.providers.models import Provider
from navigator.domain.shared.calendar import local_today
from navigator.domain.shared.db import get_row
from navigator.domain.shared.errors import Busy, Conflict, DomainError, InvalidInput, NotFound
from navigator.domain.shared.locks import locked, locked_rows, note_created
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import check_choice, check_date, check_text, is_row_id


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
    _peek, ctx = staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    status = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
    enrollment = locked(session, Enrollment, enrollment_id)
    assert enrollment is not None
    already = session.exec(
        select(Attendance.id).where(
            Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
        )
    ).first()
    return _mark_one(session, actor, ctx, enrollment, lesson_date, status, already, today)


def _mark_one(
    session: Session,
    actor: Actor,
    ctx: EnrollmentContext,
    enrollment: Enrollment,
    lesson_date: date,
    status: AttendanceStatus,
    already: object,
    today: date | None,
) -> Attendance:
    """One child's mark, once the actor is checked and the place locked: as a register's."""
    lesson = _Lesson(
        session,
        ctx.group.as_certified(),
        lesson_date,
        today,
        {ctx.municipality.id: ctx.municipality},  # type: ignore[dict-item]
    )
    attendance, capture = lesson.mark(
        actor, enrollment, ctx.child.municipality_id, ctx.child.guardian_id, status, already
    )
    _save_marks(session, [attendance], [capture])
    return attendance


class _Lesson:
    """One lesson date of one group, and what marking it reads that is the same for every
    child of the group: the certified timetable, and per municipality (a child's, for its
    date and rules) its today and whether an absence is paid. Read once a register."""

    def __init__(
        self,
        session: Session,
        certified: Group,
        lesson_date: date,
        today: date | None,
        municipalities: dict[int, Municipality] | None = None,
        *,
        read_with: _Lesson | None = None,
    ) -> None:
        self.session = session
        self.lesson_date = lesson_date
        # a lesson of the certified timetable: a changed one waiting for review charges nothing
        self.on_timetable = is_lesson_date(certified, lesson_date)
        self.given_today = today
        self.municipalities = dict(municipalities or {})
        # another lesson of the same save (`read_with`) shares what it read of a municipality:
        # its today and its absence rule are the same for every date and group
        self.todays: dict[int, date] = read_with.todays if read_with else {}
        self.absence_paid: dict[int, bool] = read_with.absence_paid if read_with else {}

    def today_in(self, municipality_id: int) -> date:
        if self.given_today is not None:
            return self.given_today
        if municipality_id not in self.todays:
            municipality = self.municipalities.get(municipality_id) or get_row(
                self.session, Municipality, municipality_id
            )
            assert municipality is not None
            self.todays[municipality_id] = local_today(municipality)
        return self.todays[municipality_id]

    def charges(self, municipality_id: int, status: AttendanceStatus) -> bool:
        """Whether the certificate pays for a lesson marked so: present, or absent if the
        child's municipality says so (its policy read once, and only for an absence)."""
        if status is not AttendanceStatus.ABSENT:
            return status is AttendanceStatus.PRESENT
        if municipality_id not in self.absence_paid:
            policy = policy_of(self.session, municipality_id)
            self.absence_paid[municipality_id] = policy.absence_charge == AbsenceCharge.FULL
        return self.absence_paid[municipality_id]

    def mark(
        self,
        actor: Actor,
        enrollment: Enrollment,
        municipality_id: int,
        guardian_id: int,
        status: AttendanceStatus,
        already: object,
    ) -> tuple[Attendance, ledger.Movement | None]:
        """One child's mark, checked, with its capture counted on the place (the enrollment,
        locked by the caller): the new row and the ledger movement to post once it has an id.
        Reads only what this lesson has not read yet (a municipality's date and rules, once),
        writes nothing: the caller saves (`_save_marks`)."""
        lesson_date = self.lesson_date
        if enrollment.status not in SEATED_ENROLLMENT:
            raise Conflict("attendance_not_enrolled", status=enrollment.status)
        if lesson_date > self.today_in(municipality_id):
            raise InvalidInput("attendance_in_future")
        if lesson_date < enrollment.contract_starts_on or not self.on_timetable:
            raise InvalidInput("attendance_not_a_lesson", date=lesson_date.isoformat())
        if already is not None:
            raise Conflict("attendance_already_marked", date=lesson_date.isoformat())
        attendance = Attendance(
            enrollment_id=enrollment.id,  # type: ignore[arg-type]
            lesson_date=lesson_date,
            status=status,
            marked_by_id=actor.user_id,
        )
        capture = None
        amount = (
            _lesson_capture(enrollment, lesson_date) if self.charges(municipality_id, status) else 0
        )
        if amount > 0:
            assert enrollment.account_id is not None
            capture = ledger.Movement(
                enrollment.account_id,
                EntryKind.CAPTURE,
                amount,
                f"capture:{enrollment.id}:{lesson_date.isoformat()}",
                actor.user_id,
                guardian_id,
                enrollment_id=enrollment.id,
            )
            enrollment.captured_minor += amount
            attendance.charged_minor = amount
        enrollment.status = EnrollmentStatus.ACTIVE
        return attendance, capture


def _save_marks(
    session: Session, marks: list[Attendance], captures: list[ledger.Movement | None]
) -> None:
    """Write new marks (with their charge already on them) and the places' counters in one
    flush, then post their captures, each naming its mark, in one batch."""
    session.add_all(marks)
    session.flush()
    note_created(session, Attendance, [mark.id for mark in marks])  # correctable in this upload
    movements = [
        replace(capture, attendance_id=mark.id)
        for mark, capture in zip(marks, captures, strict=True)
        if capture is not None
    ]
    if movements:
        ledger.post_many(session, movements)


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
    _peek, ctx = staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    # the place is locked before "already marked?" is read: the same batch sent twice at
    # once waits here, then finds the first one's marks and changes nothing
    enrollment = locked(session, Enrollment, enrollment_id)
    assert enrollment is not None
    existing = session.exec(
        select(Attendance.status).where(
            Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
        )
    ).first()
    if existing is None:  # marked as mark_attendance would, without reading it all again
        checked = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
        _mark_one(session, actor, ctx, enrollment, lesson_date, checked, None, today)
        return "marked"
    if existing == status:
        return "unchanged"
    if correction_reason is None:
        raise Conflict("attendance_already_marked", date=lesson_date.isoformat())
    correct_attendance(
        session, actor, enrollment_id, lesson_date, status, correction_reason, today=today
    )
    return "corrected"


def _charges(session: Session, ctx: EnrollmentContext, status: AttendanceStatus) -> bool:
    """Whether the certificate pays for a lesson marked so: present, or absent if the rules say."""
    return status is AttendanceStatus.PRESENT or (
        status is AttendanceStatus.ABSENT
        and policy_of(session, ctx.child.municipality_id).absence_charge == AbsenceCharge.FULL
    )


def _lesson_capture(enrollment: Enrollment, lesson_date: date) -> int:
    """Count a charged lesson on the place; its part of the hold, 0 when the certificate
    does not pay for that date (or has nothing left to pay)."""
    in_funded_window = (
        enrollment.funded_until is not None and lesson_date <= enrollment.funded_until
    )
    if not in_funded_window or enrollment.account_id is None:
        return 0
    enrollment.lessons_charged += 1
    share = lesson_share(
        enrollment.certificate_share_minor, enrollment.funded_lessons, enrollment.lessons_charged
    )
    return min(share, enrollment.hold_remaining_minor)


def _capture_lesson(
    session: Session,
    actor: Actor,
    ctx: EnrollmentContext,
    enrollment: Enrollment,
    attendance: Attendance,
    idempotency_key: str,
) -> int:
    """Capture the lesson's part of the hold, if the certificate pays for that date."""
    amount = _lesson_capture(enrollment, attendance.lesson_date)
    if amount > 0:
        assert enrollment.account_id is not None
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
    _peek, ctx = staff_context(session, actor, enrollment_id)
    check_date(lesson_date, "lesson_date")
    status = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
    reason = check_text(reason, "reason", max_length=300)
    enrollment = locked(session, Enrollment, enrollment_id)
    assert enrollment is not None
    # found, then locked by its id: an upload that locked it already (before the accounts,
    # as the lock order says) locks nothing new here; a mark is written only under its
    # place's lock, which is held, so the id found is the one locked
    mark_id = session.exec(
        select(Attendance.id).where(
            Attendance.enrollment_id == enrollment_id, Attendance.lesson_date == lesson_date
        )
    ).first()
    attendance = locked(session, Attendance, mark_id) if mark_id is not None else None
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
    if counts_now and not counted_before and _disputed(session, attendance.id):
        # a charge refunded by a dispute, or one the dispute is still settling, is never
        # charged again by a correction (giving money back stays the provider's to do)
        raise Conflict("attendance_disputed", date=lesson_date.isoformat())
    if counted_before != counts_now:
        account = get_row(session, CertificateAccount, enrollment.account_id)
        period = get_row(session, FundingPeriod, account.period_id) if account else None
        if period is None or period.status == PeriodStatus.CLOSED:
            raise Conflict("correction_period_closed")
    if counted_before and not counts_now:
        refund = attendance.charged_minor
        assert enrollment.account_id is not None
        if refund > 0:
            refunded = ledger.post(
                session,
                enrollment.account_id,
                EntryKind.REFUND,
                refund,
                f"refund:correction:{correction.id}",
                actor_id=actor.user_id,
                # held again at once while seated: one notification tells both (below)
                notify_user_id=None if seated else ctx.child.guardian_id,
                enrollment_id=enrollment_id,
                attendance_id=attendance.id,
                note=reason,  # the parent reads why the charge came back
            )
            enrollment.refunded_minor += refund
            if seated:
                held = ledger.post(
                    session,
                    enrollment.account_id,
                    EntryKind.HOLD,
                    refund,
                    f"hold:correction:{correction.id}",
                    actor_id=actor.user_id,
                    notify_user_id=None,
                    enrollment_id=enrollment_id,
                    note=reason,
                )
                tell_refund_held(session, ctx.child.guardian_id, refunded, held)
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


def tell_refund_held(
    session: Session, guardian_id: int, refunded: LedgerEntry, held: LedgerEntry
) -> None:
    """A lesson's charge given back to a child still enrolled is held again at once for the
    rest of the contract: two ledger movements, one event for the parent (the free balance
    never moved), so one notification names both: the refund and the hold again."""
    notify(
        session,
        guardian_id,
        "certificate.refund_held",
        {
            "entry_id": refunded.id,
            "hold_entry_id": held.id,
            "account_id": refunded.account_id,
            "amount_minor": refunded.amount_minor,
            "enrollment_id": refunded.enrollment_id,
        },
    )


def _disputed(session: Session, attendance_id: object) -> bool:
    """A dispute of this lesson's charge that did not end with the charge kept."""
    return (
        session.exec(
            select(Dispute.id).where(
                Dispute.attendance_id == attendance_id, Dispute.status != DisputeStatus.REJECTED
            )
        ).first()
        is not None
    )


MAX_REGISTER_ROWS = 60


@dataclass(frozen=True)
class Register:
    """A group's attendance register: children × lesson dates."""

    group_id: int
    program_id: int
    dates: list[date]
    children: list[tuple[int, str]]  # (enrollment id, child's name)
    marks: dict[tuple[int, date], str]
    correctable_from: date  # marks of lessons on or after this date may still be corrected


def register_of(
    session: Session, actor: Actor, group_id: int, today: date | None = None
) -> Register:
    """Lesson dates up to today (the latest MAX_REGISTER_ROWS) and the seated children.

    Today is the municipality's own date unless given.
    """
    group, program = staff_group(session, actor, group_id)
    if today is None:
        today = local_today(get_row(session, Municipality, program.municipality_id))  # type: ignore[arg-type]
    # the certified timetable's dates: those are the lessons a certificate pays for
    dates = [d for d in lesson_dates(group.as_certified()) if d <= today][-MAX_REGISTER_ROWS:]
    seated = session.exec(
        select(Enrollment, Child)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .where(Enrollment.group_id == group_id, col(Enrollment.status).in_(list(SEATED_ENROLLMENT)))
        .order_by(col(Child.last_name), col(Child.first_name))
    ).all()
    ids = [e.id for e, _c in seated if e.id is not None]
    marks = {
        (a.enrollment_id, a.lesson_date): a.status
        for a in session.exec(
            select(Attendance).where(col(Attendance.enrollment_id).in_(ids))
        ).all()
    }
    window = policy_of(session, program.municipality_id).attendance_correction_days
    return Register(
        group_id=group_id,
        program_id=program.id,  # type: ignore[arg-type]
        dates=dates,
        correctable_from=today - timedelta(days=window),
        children=[(e.id, f"{c.last_name} {c.first_name}") for e, c in seated if e.id is not None],
        marks=marks,
    )


def lock_batch(session: Session, enrollment_ids: list[object]) -> list[Enrollment]:
    """Lock every enrollment of a batch of marks, in id order, before any lesson's money is
    captured: places before accounts, as the lock order says. The places, fresh."""
    if not isinstance(enrollment_ids, (list, tuple, dict)):
        raise InvalidInput("field_required", field="statuses")
    return locked_rows(
        session,
        Enrollment,
        select(Enrollment)
        .where(col(Enrollment.id).in_([i for i in enrollment_ids if is_row_id(i)]))
        .order_by(col(Enrollment.id)),
    )


@dataclass(frozen=True)
class UploadedMark:
    """One row of an e-journal's upload: a mark, or with a reason a correction of one."""

    enrollment_id: int
    lesson_date: date
    status: str
    correction_reason: str | None = None


@dataclass
class UploadOutcome:
    """What an upload did: rows marked, corrected, left as they were, and each refused row's
    index with the reason (the other rows still applied)."""

    marked: int = 0
    corrected: int = 0
    unchanged: int = 0
    refused: list[tuple[int, DomainError]] = field(default_factory=list)


def _lock_upload(
    session: Session, provider_id: int, marks: list[UploadedMark]
) -> dict[int, Enrollment]:
    """Every row an upload may change, locked before its first mark, table by table in the
    lock order and each table in id order: the provider's places, the marks it corrects,
    then the certificate accounts that pay for them. Locked as each row came, two uploads
    naming the same children in opposite orders (a child in two groups, one account) each
    held an account the other wanted: a deadlock, retried and at worst answered busy.
    The provider's places, by id: a row naming any other is refused as unknown."""
    wanted = [m.enrollment_id for m in marks if is_row_id(m.enrollment_id)]
    own = session.exec(  # another provider's places are not even locked: they are refused
        select(Enrollment.id)
        .join(Group, col(Group.id) == Enrollment.group_id)
        .join(Program, col(Program.id) == Group.program_id)
        .where(Program.provider_id == provider_id, col(Enrollment.id).in_(wanted))
    ).all()
    places = lock_batch(session, list(own))
    corrected = {  # a row with something else than a date is refused, never looked up
        m.lesson_date for m in marks if m.correction_reason is not None and _is_day(m.lesson_date)
    }
    if places and corrected:
        locked_rows(
            session,
            Attendance,
            select(Attendance)
            .where(
                col(Attendance.enrollment_id).in_([p.id for p in places]),
                col(Attendance.lesson_date).in_(sorted(corrected)),
            )
            .order_by(col(Attendance.id)),
        )
    accounts = sorted({p.account_id for p in places if p.account_id is not None})
    if accounts:
        locked_rows(
            session,
            CertificateAccount,
            select(CertificateAccount)
            .where(col(CertificateAccount.id).in_(accounts))
            .order_by(col(CertificateAccount.id)),
        )
    return {place.id: place for place in places if place.id is not None}


def _is_day(value: object) -> bool:
    """A date as `check_date` takes one (not a datetime, not a string)."""
    return isinstance(value, date) and not isinstance(value, datetime)


class _Upload:
    """What an upload's rows read, read once for them all once its rows are locked: the
    places' children (municipality, guardian), the groups, the marks already made on the
    rows' dates. New marks are checked by a `_Lesson` per group and date, as a register's,
    and queued, then written together (`save`); a correction goes the single mark's way."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        places: dict[int, Enrollment],
        marks: list[UploadedMark],
        today: date | None,
    ) -> None:
        self.session, self.actor, self.places, self.today = session, actor, places, today
        ids = list(places)
        self.children: dict[int, tuple[int, int]] = {}
        self.groups: dict[int, Group] = {}
        dates = sorted({m.lesson_date for m in marks if _is_day(m.lesson_date)})
        # what each (place, date) holds now: read once, then kept as the rows change it
        self.statuses: dict[tuple[int, date], str] = {}
        if ids:
            self.children = {
                enrollment_id: (municipality_id, guardian_id)
                for enrollment_id, municipality_id, guardian_id in session.exec(
                    select(Enrollment.id, Child.municipality_id, Child.guardian_id)
                    .join(Child, col(Child.id) == Enrollment.child_id)
                    .where(col(Enrollment.id).in_(ids))
                ).all()
                if enrollment_id is not None
            }
            groups = {place.group_id for place in places.values()}
            self.groups = {
                group.id: group.as_certified()
                for group in session.exec(select(Group).where(col(Group.id).in_(groups))).all()
                if group.id is not None
            }
        if ids and dates:
            self.statuses = {
                (enrollment_id, lesson_date): status
                for enrollment_id, lesson_date, status in session.exec(
                    select(
                        col(Attendance.enrollment_id),
                        col(Attendance.lesson_date),
                        col(Attendance.status),
                    )
                    .where(col(Attendance.enrollment_id).in_(ids))
                    .where(col(Attendance.lesson_date).in_(dates))
                ).all()
            }
        self.lessons: dict[tuple[int, date], _Lesson] = {}
        self.queued: list[Attendance] = []
        self.captures: list[ledger.Movement | None] = []
        # from the first queued mark on, in a savepoint: the rows checked and what each did,
        # replayed one by one should the ledger refuse the batch (`save`)
        self.savepoint: SessionTransaction | None = None
        self.pending: list[tuple[int, UploadedMark, str | None]] = []

    def check(self, mark: UploadedMark) -> str:
        """The row as `record_attendance` would take it, refused with its DomainError before
        anything changes: "marked" (queued), "unchanged", or "correct" (its own step)."""
        place = self.places.get(mark.enrollment_id) if is_row_id(mark.enrollment_id) else None
        if place is None:  # unknown, or another provider's (check_enrollment_of)
            raise NotFound()
        lesson_date = check_date(mark.lesson_date, "lesson_date")
        existing = self.statuses.get((mark.enrollment_id, lesson_date))
        if existing is not None:
            if existing == mark.status:
                return "unchanged"
            if mark.correction_reason is None:
                raise Conflict("attendance_already_marked", date=lesson_date.isoformat())
            return "correct"
        status = AttendanceStatus(check_choice(mark.status, "status", AttendanceStatus))
        municipality_id, guardian_id = self.children[mark.enrollment_id]
        if self.savepoint is None:  # before a place's counters change: undone with the batch
            self.savepoint = self.session.begin_nested()
        with self.session.no_autoflush:  # the queued marks' places are written together
            attendance, capture = self._lesson(place.group_id, lesson_date).mark(
                self.actor, place, municipality_id, guardian_id, status, None
            )
        self.queued.append(attendance)
        self.captures.append(capture)
        self.statuses[(mark.enrollment_id, lesson_date)] = status.value
        return "marked"

    def _lesson(self, group_id: int, lesson_date: date) -> _Lesson:
        if (group_id, lesson_date) not in self.lessons:
            self.lessons[group_id, lesson_date] = _Lesson(
                self.session,
                self.groups[group_id],
                lesson_date,
                self.today,
                read_with=next(iter(self.lessons.values()), None),
            )
        return self.lessons[group_id, lesson_date]

    def checked(self, index: int, mark: UploadedMark, done: str | None) -> None:
        """Note a row checked while marks are queued: replayed if their batch is refused."""
        if self.savepoint is not None:
            self.pending.append((index, mark, done))

    def correct(self, mark: UploadedMark) -> str:
        """A row as one mark is recorded (a correction, or a row replayed), in a savepoint of
        its own (a refused row rolls back alone); the marks queued before it are saved first."""
        if (self.places.get(mark.enrollment_id) if is_row_id(mark.enrollment_id) else None) is None:
            raise NotFound()  # another provider's, as `check_enrollment_of` refuses it
        with self.session.begin_nested():
            done = record_attendance(
                self.session,
                self.actor,
                mark.enrollment_id,
                mark.lesson_date,
                mark.status,
                correction_reason=mark.correction_reason,
                today=self.today,
            )
        self.statuses[(mark.enrollment_id, mark.lesson_date)] = AttendanceStatus(mark.status).value
        return done

    def save(self, outcome: UploadOutcome) -> None:
        """Write the queued marks, their places' counters and their captures in one batch.

        Should the ledger refuse one capture (an account whose hold drifted below its
        places'), the batch's savepoint is rolled back (the places' counters with it, their
        objects expired and read again) and its rows are recorded one by one, as before
        batching: only the refused row is refused."""
        savepoint, rows, queued, captures = self.savepoint, self.pending, self.queued, self.captures
        self.savepoint, self.pending, self.queued, self.captures = None, [], [], []
        if savepoint is None:
            return
        try:
            if queued:
                _save_marks(self.session, queued, captures)
        except Busy:
            raise
        except DomainError:
            savepoint.rollback()
            self._replay(outcome, rows)
        else:
            savepoint.commit()

    def _replay(
        self, outcome: UploadOutcome, rows: list[tuple[int, UploadedMark, str | None]]
    ) -> None:
        """The rows of a refused batch, counted again as each is recorded on its own."""
        indices = {index for index, _mark, _done in rows}
        outcome.refused = [row for row in outcome.refused if row[0] not in indices]
        for _index, mark, done in rows:
            if done == "marked":  # its mark was never written
                del self.statuses[mark.enrollment_id, mark.lesson_date]
            _count(outcome, done, -1)
        for index, mark, _done in rows:
            _count(outcome, _row(outcome, index, self.correct, mark), 1)


def _count(outcome: UploadOutcome, done: str | None, by: int) -> None:
    """Count (or with -1 uncount) a row's result on the outcome."""
    if done in ("marked", "corrected", "unchanged"):
        setattr(outcome, done, getattr(outcome, done) + by)


def _row(
    outcome: UploadOutcome, index: int, step: Callable[[UploadedMark], str], mark: UploadedMark
) -> str | None:
    """One step of one row; a DomainError refuses the row (reported with its index), Busy
    the whole upload."""
    try:
        return step(mark)
    except Busy:
        raise  # the whole upload again, not a row reported as refused
    except DomainError as error:
        outcome.refused.append((index, error))
        return None


def record_upload(
    session: Session,
    actor: Actor,
    provider_id: int,
    marks: list[UploadedMark],
    *,
    today: date | None = None,
) -> UploadOutcome:
    """An e-journal's batch of marks for one provider, each row as `record_attendance`
    records it; a refused row changes nothing and the others still apply. Every lock is taken
    first (`_lock_upload`), so the rows' order in the upload never decides the locks' order.

    New marks, the common case, are checked row by row but written as a register writes them
    (`mark_lesson`): together, in a few statements for the whole upload. A correction is
    applied as a single one, after the marks before it are written, so it finds them. Should
    the ledger refuse a batch's capture, that batch's rows are recorded one by one instead,
    and only the refused row is refused (`_Upload.save`)."""
    check_provider_staff(session, actor, provider_id)
    if not isinstance(marks, list) or not all(isinstance(m, UploadedMark) for m in marks):
        raise InvalidInput("field_required", field="statuses")
    upload = _Upload(session, actor, _lock_upload(session, provider_id, marks), marks, today)
    outcome = UploadOutcome()
    for index, mark in enumerate(marks):
        done = _row(outcome, index, upload.check, mark)
        if done == "correct":
            upload.save(outcome)
            done = _row(outcome, index, upload.correct, mark)
        else:
            upload.checked(index, mark, done)
        _count(outcome, done, 1)
    upload.save(outcome)
    outcome.refused.sort(key=lambda row: row[0])  # a replayed batch's rows come back late
    return outcome


def mark_lesson(
    session: Session,
    actor: Actor,
    group_id: int,
    lesson_date: date,
    statuses: dict[int, str],
    *,
    today: date | None = None,
) -> int:
    """Mark one date for several children of one group at once; the number newly marked.

    Children already marked for that date are left as they are (a correction is its own,
    audited step), so saving the same grid twice changes nothing.

    One register is one batch: the actor is checked for the group once (every place must be
    the group's), the places locked in id order, their children, the marks already made that
    day and the rules read in a query each, every mark checked as `mark_attendance` checks
    it, then the marks written in one flush and their captures posted in one ledger batch.
    """
    group, _program = staff_group(session, actor, group_id)
    check_date(lesson_date, "lesson_date")
    if not isinstance(statuses, dict):
        raise InvalidInput("field_required", field="statuses")
    if len(statuses) > 500:
        raise InvalidInput("value_too_large", field="statuses", max=500)
    places = {e.id: e for e in lock_batch(session, list(statuses))}
    ids = list(places)
    children = {
        enrollment_id: (municipality_id, guardian_id)
        for enrollment_id, municipality_id, guardian_id in session.exec(
            select(Enrollment.id, Child.municipality_id, Child.guardian_id)
            .join(Child, col(Child.id) == Enrollment.child_id)
            .where(col(Enrollment.id).in_(ids))
        ).all()
    }
    marked_already = set(
        session.exec(
            select(Attendance.enrollment_id).where(
                col(Attendance.enrollment_id).in_(ids), Attendance.lesson_date == lesson_date
            )
        ).all()
    )
    lesson = _Lesson(session, group.as_certified(), lesson_date, today)
    marks: list[Attendance] = []
    captures: list[ledger.Movement | None] = []
    with session.no_autoflush:  # the marks are written together below, not one by one
        for enrollment_id, status in statuses.items():
            enrollment = places.get(enrollment_id) if is_row_id(enrollment_id) else None
            if enrollment is None or enrollment.group_id != group_id:
                raise NotFound()
            if enrollment.status not in SEATED_ENROLLMENT:
                continue  # cancelled a moment ago: the rest of the class is still marked
            if enrollment_id in marked_already:
                continue
            municipality_id, guardian_id = children[enrollment_id]
            checked = AttendanceStatus(check_choice(status, "status", AttendanceStatus))
            attendance, capture = lesson.mark(
                actor, enrollment, municipality_id, guardian_id, checked, None
            )
            marks.append(attendance)
            captures.append(capture)
    if marks:
        _save_marks(session, marks, captures)
    return len(marks)


@dataclass(frozen=True)
class CorrectionRow:
    lesson_date: date
    child_name: str
    from_status: str
    to_status: str
    reason: str
    refunded_minor: int
    captured_minor: int
    corrected_by: str
    corrected_at: datetime


def corrections_of(session: Session, actor: Actor, group_id: int) -> list[CorrectionRow]:
    """The group's audit trail of changed marks, newest first."""
    staff_group(session, actor, group_id)
    rows = session.exec(  # type: ignore[call-overload]
        wide_select(AttendanceCorrection, Child, User)
        .join(Enrollment, col(Enrollment.id) == AttendanceCorrection.enrollment_id)
        .join(Child, col(Child.id) == Enrollment.child_id)
        .outerjoin(User, col(User.id) == AttendanceCorrection.actor_id)
        .where(col(Enrollment.group_id) == group_id)
        .order_by(col(AttendanceCorrection.id).desc())
        .limit(200)
    ).all()
    return [
        CorrectionRow(
            lesson_date=c.lesson_date,
            child_name=f"{child.last_name} {child.first_name}",
            from_status=c.from_status,
            to_status=c.to_status,
            reason=c.reason,
            refunded_minor=c.refunded_minor,
            captured_minor=c.captured_minor,
            corrected_by=user.email if user is not None else "",
            corrected_at=c.corrected_at,
        )
        for c, child, user in rows
    ]


@dataclass(frozen=True)
class LessonToday:
    """A group of the provider that meets today: the register to open first."""

    group_id: int
    program_title: str
    group_name: str
    starts: str  # "16:00", from the timetable's slot for today's weekday
    ends: str
    children: int  # seated in the group
    marked: int  # of them, already marked for today


def lessons_today(
    session: Session, actor: Actor, provider_id: int, today: date | None = None
) -> list[LessonToday]:
    """The provider's groups with a lesson today on the certified timetable (the lessons a
    certificate pays for), by start time. Today is the provider's municipality's date."""
    check_provider_staff(session, actor, provider_id)
    provider = get_row(session, Provider, provider_id)
    if provider is None:
        raise NotFound()
    if today is None:
        today = local_today(get_row(session, Municipality, provider.municipality_id))  # type: ignore[arg-type]
    rows = session.exec(
        select(Group, Program)
        .join(Program, col(Program.id) == Group.program_id)
        .where(
            Program.provider_id == provider_id,
            Group.starts_on <= today,
            Group.ends_on >= today,
        )
    ).all()
    meeting = [(g, p) for g, p in rows if is_lesson_date(g.as_certified(), today)]
    group_ids = [g.id for g, _p in meeting]
    seated: dict[int | None, int] = dict(
        session.exec(
            select(Enrollment.group_id, func.count())
            .where(
                col(Enrollment.group_id).in_(group_ids),
                col(Enrollment.status).in_(list(SEATED_ENROLLMENT)),
            )
            .group_by(col(Enrollment.group_id))
        ).all()
    )
    marked: dict[int | None, int] = dict(
        session.exec(
            select(Enrollment.group_id, func.count())
            .join(Attendance, col(Attendance.enrollment_id) == Enrollment.id)
            .where(col(Enrollment.group_id).in_(group_ids), Attendance.lesson_date == today)
            .group_by(col(Enrollment.group_id))
        ).all()
    )
    lessons = []
    for group, program in meeting:
        slot = next(
            (s for s in group.as_certified().timetable if int(s["weekday"]) == today.isoweekday()),
            {},
        )
        lessons.append(
            LessonToday(
                group_id=group.id,  # type: ignore[arg-type]
                program_title=program.title,
                group_name=group.name,
                starts=str(slot.get("start", "")),
                ends=str(slot.get("end", "")),
                children=int(seated.get(group.id, 0)),
                marked=int(marked.get(group.id, 0)),
            )
        )
    return sorted(lessons, key=lambda lesson: (lesson.starts, lesson.program_title))
