"""A parent disputes a lesson charge; the provider accepts or contests; an unanswered
dispute escalates; the municipality decides. Money moves once, through the ledger."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.certificates.models import (
    CertificateAccount,
    EntryKind,
    LedgerEntry,
)
from navigator.domain.disputes.api import (
    accept_dispute,
    answer_due,
    contest_dispute,
    decide_dispute,
    escalate_dispute,
    open_dispute,
    overdue_disputes,
)
from navigator.domain.disputes.models import Dispute
from navigator.domain.disputes.queries import (
    charge_marks,
    decision_queue,
    disputes_by_provider,
    disputes_for_provider,
    undecided_in_period,
)
from navigator.domain.enrollment.api import complete_enrollment
from navigator.domain.enrollment.attendance import correct_attendance
from navigator.domain.enrollment.models import Attendance, AttendanceCorrection, Enrollment
from navigator.domain.funding.periods import close_period, closing_preview
from navigator.domain.municipalities.api import set_policy
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import Conflict, InvalidInput, NotFound
from navigator.domain.shared.models import AuditEvent, Notification
from navigator.jobs import run_due_jobs
from tests.domain.disputes.world import build_charged, municipality_admin, noon
from tests.factories import SYSTEM, build_world
from tests.support.invariants import assert_ledger_invariants


def _open(c, *, days_after: int = 1, comment: str = "") -> int:
    with c.world.tx() as s:
        return open_dispute(
            s,
            c.world.parent,
            c.entry_id,
            comment=comment,
            now=noon(c.lessons[0] + timedelta(days=days_after)),
        ).id


def _snapshot(engine):
    with read_session(engine) as s:
        return (
            [(e.kind, e.amount_minor) for e in s.exec(select(LedgerEntry)).all()],
            [(a.status, a.charged_minor) for a in s.exec(select(Attendance)).all()],
            [(d.id, d.status) for d in s.exec(select(Dispute)).all()],
        )


def _money(c):
    with read_session(c.world.engine) as s:
        account = s.get(CertificateAccount, c.world.account_id)
        enrollment = s.get(Enrollment, c.enrollment_id)
        return account.available_minor, account.refunded_minor, enrollment.hold_remaining_minor


def _kinds(engine, user_id):
    with read_session(engine) as s:
        return [
            n.kind
            for n in s.exec(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(col(Notification.id))
            ).all()
        ]


def test_parent_disputes_and_the_provider_accepts_the_refund_equals_the_charge_once(engine):
    c = build_charged(engine)
    available, refunded, held = _money(c)
    dispute_id = _open(c, comment="она болела")
    with read_session(engine) as s:
        marks = charge_marks(
            s, c.world.parent, c.world.certificate_id, today=c.lessons[0] + timedelta(days=1)
        )
        desk = disputes_for_provider(s, c.world.provider_user, c.world.provider_id)
    assert marks[c.entry_id].status == "open" and not marks[c.entry_id].can_dispute
    assert [row.id for row in desk] == [dispute_id] and desk[0].comment == "она болела"
    assert "dispute.opened" in _kinds(engine, c.world.parent.user_id)
    assert "dispute.opened" in _kinds(engine, c.world.provider_user.user_id)

    with c.world.tx() as s:
        dispute = accept_dispute(s, c.world.provider_user, dispute_id)
        assert dispute.status == "accepted" and dispute.refunded_minor == c.charge
    # the refund equals the charge; held again for the remaining lessons (still seated)
    assert _money(c) == (available, refunded + c.charge, held + c.charge)
    with read_session(engine) as s:
        attendance = s.exec(select(Attendance)).one()
        assert (attendance.status, attendance.charged_minor) == ("absent", 0)
        correction = s.exec(select(AttendanceCorrection)).one()
        assert correction.refunded_minor == c.charge and correction.reason == "она болела"
        refunds = s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REFUND)).all()
        assert [r.amount_minor for r in refunds] == [c.charge]
        payload = s.exec(
            select(Notification.payload).where(Notification.kind == "dispute.accepted")
        ).one()
        assert payload["amount_minor"] == c.charge and payload["child_first_name"] == "Аня"
        assert payload["lesson_date"] == c.lessons[0].isoformat()
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.subject == "dispute")).all()
        assert actions == ["dispute.opened", "dispute.accepted"]
    before = _snapshot(engine)
    with c.world.tx() as s:  # accepting again moves nothing
        accept_dispute(s, c.world.provider_user, dispute_id)
    assert _snapshot(engine) == before
    assert_ledger_invariants(engine)


def test_a_dispute_of_a_finished_place_refunds_without_holding_again(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    with c.world.tx() as s:
        complete_enrollment(s, c.world.provider_user, c.enrollment_id)
    available, _refunded, _held = _money(c)
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, dispute_id)
    assert _money(c)[0] == available + c.charge
    assert_ledger_invariants(engine)


def test_bad_disputes_are_refused_and_change_nothing(engine):
    c = build_charged(engine)
    other = build_world(engine)
    before = _snapshot(engine)
    with read_session(engine) as s:
        hold = s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.kind == EntryKind.HOLD, LedgerEntry.account_id == c.world.account_id
            )
        ).first()
    now = noon(c.lessons[0] + timedelta(days=1))
    cases = [
        (c.world.parent, hold, InvalidInput, "dispute_not_a_charge"),  # a hold, not a charge
        (other.parent, c.entry_id, NotFound, "not_found"),  # another family's line
        (c.world.provider_user, c.entry_id, NotFound, "not_found"),  # not the guardian
        (c.world.parent, 10**9, NotFound, "not_found"),
        (c.world.parent, "7", NotFound, "not_found"),
    ]
    for actor, entry_id, error, code in cases:
        with pytest.raises(error) as raised, c.world.tx() as s:
            open_dispute(s, actor, entry_id, now=now)
        assert code is None or raised.value.code == code
        assert raised.value.message("ru") and raised.value.message("lt")
    with pytest.raises(InvalidInput), c.world.tx() as s:
        open_dispute(s, c.world.parent, c.entry_id, comment="x" * 501, now=now)
    # the window: 30 days after the lesson by default, the municipality's own number
    with pytest.raises(Conflict) as late, c.world.tx() as s:
        open_dispute(s, c.world.parent, c.entry_id, now=noon(c.lessons[0] + timedelta(days=31)))
    assert late.value.code == "dispute_window_closed" and late.value.params["days"] == 30
    assert _snapshot(engine) == before

    with c.world.tx() as s:
        set_policy(
            s,
            c.admin,
            c.world.municipality_id,
            max_funded_enrollments=3,
            absence_charge="none",
            prorate_late_start=False,
            attendance_correction_days=7,
            dispute_window_days=40,
        )
    with c.world.tx() as s:
        open_dispute(s, c.world.parent, c.entry_id, now=noon(c.lessons[0] + timedelta(days=31)))
    with pytest.raises(Conflict) as twice, c.world.tx() as s:  # never twice for one charge
        open_dispute(s, c.world.parent, c.entry_id, now=now)
    assert twice.value.code == "dispute_already_opened"


def test_a_charge_a_correction_gave_back_is_not_disputed_nor_refunded_twice(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    with c.world.tx() as s:  # the provider corrects the mark while the dispute is open
        correct_attendance(
            s,
            c.world.provider_user,
            c.enrollment_id,
            c.lessons[0],
            "absent",
            "marked by mistake",
            today=c.lessons[0] + timedelta(days=1),
        )
    with c.world.tx() as s:
        dispute = accept_dispute(s, c.world.provider_user, dispute_id)
        assert dispute.refunded_minor == 0
    with read_session(engine) as s:
        refunds = s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REFUND)).all()
    assert [r.amount_minor for r in refunds] == [c.charge]
    assert_ledger_invariants(engine)

    c2 = build_charged(engine)
    with c2.world.tx() as s:
        correct_attendance(
            s,
            c2.world.provider_user,
            c2.enrollment_id,
            c2.lessons[0],
            "excused",
            "ill",
            today=c2.lessons[0] + timedelta(days=1),
        )
    with pytest.raises(Conflict) as refunded, c2.world.tx() as s:
        open_dispute(s, c2.world.parent, c2.entry_id, now=noon(c2.lessons[0] + timedelta(days=1)))
    assert refunded.value.code == "dispute_charge_refunded"


def test_contested_dispute_goes_to_the_municipality_which_upholds_the_parent(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    before = _snapshot(engine)
    with pytest.raises(InvalidInput), c.world.tx() as s:  # a contest says why
        contest_dispute(s, c.world.provider_user, dispute_id, "   ")
    with pytest.raises(Conflict) as early, c.world.tx() as s:  # nothing to decide yet
        decide_dispute(s, c.admin, dispute_id, "uphold", "the register was wrong")
    assert early.value.code == "dispute_not_awaiting_decision"
    assert _snapshot(engine) == before
    with c.world.tx() as s:
        contest_dispute(s, c.world.provider_user, dispute_id, "she was there, see the photo")
    with read_session(engine) as s:
        queue = decision_queue(s, c.admin, c.world.municipality_id)
    assert [(q.id, q.provider_reason) for q in queue] == [
        (dispute_id, "she was there, see the photo")
    ]
    assert "dispute.contested" in _kinds(engine, c.admin.user_id)
    with pytest.raises(Conflict), c.world.tx() as s:  # contested once
        contest_dispute(s, c.world.provider_user, dispute_id, "again")
    with pytest.raises(InvalidInput), c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "uphold", "")
    with pytest.raises(InvalidInput), c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "maybe", "hm")
    available = _money(c)[0]
    with c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "uphold", "the register was wrong")
    assert _money(c)[1] == c.charge and _money(c)[0] == available  # refunded, held again
    with pytest.raises(Conflict), c.world.tx() as s:  # decided once
        decide_dispute(s, c.admin, dispute_id, "reject", "changed my mind")
    with pytest.raises(Conflict), c.world.tx() as s:  # and the provider cannot accept it now
        accept_dispute(s, c.world.provider_user, dispute_id)
    kinds = _kinds(engine, c.world.parent.user_id)
    assert [k for k in kinds if k.startswith("dispute.")] == [
        "dispute.opened",
        "dispute.contested",
        "dispute.upheld",
    ]
    with read_session(engine) as s:
        report = disputes_by_provider(s, c.admin, c.world.municipality_id)
    assert [(r.provider_id, r.opened, r.refunded, r.refunded_minor) for r in report] == [
        (c.world.provider_id, 1, 1, c.charge)
    ]
    assert_ledger_invariants(engine)


def test_a_rejected_dispute_keeps_the_charge(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    with c.world.tx() as s:
        contest_dispute(s, c.world.provider_user, dispute_id, "present, signed the sheet")
    before = _money(c)
    with c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "reject", "the sheet is signed")
    assert _money(c) == before
    assert "dispute.rejected" in _kinds(engine, c.world.parent.user_id)


def test_only_the_teaching_provider_answers_and_only_that_municipality_decides(engine):
    c = build_charged(engine)
    other = build_world(engine)
    other_admin = municipality_admin(other)
    dispute_id = _open(c)
    before = _snapshot(engine)
    for call in (
        lambda s: accept_dispute(s, other.provider_user, dispute_id),
        lambda s: contest_dispute(s, other.provider_user, dispute_id, "no"),
        lambda s: accept_dispute(s, c.world.parent, dispute_id),
        lambda s: accept_dispute(s, c.admin, dispute_id),
        lambda s: decide_dispute(s, other_admin, dispute_id, "uphold", "yes"),
        lambda s: decide_dispute(s, c.world.provider_user, dispute_id, "uphold", "yes"),
        lambda s: decide_dispute(s, c.world.parent, dispute_id, "uphold", "yes"),
    ):
        with pytest.raises(NotFound), c.world.tx() as s:
            call(s)
    for reader in (
        lambda s: disputes_for_provider(s, other.provider_user, c.world.provider_id),
        lambda s: decision_queue(s, other_admin, c.world.municipality_id),
        lambda s: disputes_by_provider(s, other_admin, c.world.municipality_id),
        lambda s: charge_marks(s, other.parent, c.world.certificate_id),
        lambda s: undecided_in_period(s, other_admin, c.world.period_id),
    ):
        with pytest.raises(NotFound), read_session(engine) as s:
            reader(s)
    assert _snapshot(engine) == before


def test_five_working_days_skip_the_weekend():
    friday = noon(date(2026, 9, 11))
    assert answer_due(friday, "Europe/Moscow") == noon(date(2026, 9, 18))
    saturday = noon(date(2026, 9, 12))
    assert answer_due(saturday, "Europe/Moscow") == noon(date(2026, 9, 18))
    monday = noon(date(2026, 9, 7))
    assert answer_due(monday, "Europe/Moscow") == noon(date(2026, 9, 14))


def test_an_unanswered_dispute_escalates_on_the_clock_and_the_municipality_decides(engine):
    c = build_charged(engine)
    dispute_id = _open(c)  # on Tuesday the 8th: due Tuesday the 15th
    with read_session(engine) as s:
        due = s.get(Dispute, dispute_id).answer_due_at
    with c.world.tx() as s:
        assert not escalate_dispute(s, dispute_id, now=due - timedelta(minutes=1))
    with read_session(engine) as s:
        assert overdue_disputes(s, now=due - timedelta(minutes=1)) == []
        assert overdue_disputes(s, now=due) == [dispute_id]
    assert run_due_jobs(engine, now=due)["disputes_escalated"] == 1
    assert run_due_jobs(engine, now=due)["disputes_escalated"] == 0  # once
    with read_session(engine) as s:
        assert s.get(Dispute, dispute_id).status == "escalated"
    assert "dispute.escalated" in _kinds(engine, c.world.parent.user_id)
    assert "dispute.escalated" in _kinds(engine, c.admin.user_id)
    with c.world.tx() as s:  # late, the provider may still contest: the municipality decides
        contest_dispute(s, c.world.provider_user, dispute_id, "was there")
    with c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "uphold", "no register signature")
    assert _money(c)[1] == c.charge
    assert_ledger_invariants(engine)


def test_closing_a_period_lists_its_undecided_disputes_and_waits_for_them(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    with read_session(engine) as s:
        assert closing_preview(s, c.admin, c.world.period_id).open_disputes == 1
        assert [d.id for d in undecided_in_period(s, c.admin, c.world.period_id)] == [dispute_id]
    with pytest.raises(Conflict) as refused, c.world.tx() as s:
        close_period(s, c.admin, c.world.period_id)
    assert refused.value.code == "period_has_open_disputes"
    assert refused.value.params["count"] == 1
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, dispute_id)
    with read_session(engine) as s:
        assert closing_preview(s, c.admin, c.world.period_id).open_disputes == 0
    with c.world.tx() as s:
        close_period(s, c.admin, c.world.period_id)
    # a closed period takes no dispute
    entry = _second_charge_after_close(c)
    with pytest.raises(Conflict) as closed, c.world.tx() as s:
        open_dispute(s, c.world.parent, entry, now=noon(c.lessons[1]))
    assert closed.value.code == "dispute_period_closed"
    assert_ledger_invariants(engine)


def _second_charge_after_close(c) -> int:
    """A capture of the closed period (the first lesson's re-charge is gone; take any)."""
    with read_session(c.world.engine) as s:
        return s.exec(
            select(LedgerEntry.id).where(
                LedgerEntry.kind == EntryKind.CAPTURE,
                LedgerEntry.account_id == c.world.account_id,
            )
        ).first()


def test_system_actor_cannot_open_a_dispute(engine):
    c = build_charged(engine)
    with pytest.raises(NotFound), c.world.tx() as s:
        open_dispute(s, SYSTEM, c.entry_id, now=noon(c.lessons[0]))
    assert Actor.system().user_id is None


def test_a_refunded_or_disputed_charge_is_never_charged_again_by_a_correction(engine):
    """What a dispute refunded, or is settling, a correction cannot charge again; giving
    money back by a correction stays the provider's to do (see the test above)."""
    c = build_charged(engine)
    lesson, today = c.lessons[0], c.lessons[0] + timedelta(days=2)
    dispute_id = _open(c)
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, dispute_id)
    before = _snapshot(engine)
    with c.world.tx() as s, pytest.raises(Conflict) as refused:
        correct_attendance(
            s, c.world.provider_user, c.enrollment_id, lesson, "present", "был", today=today
        )
    assert refused.value.code == "attendance_disputed"
    assert refused.value.message("ru") != "attendance_disputed"
    assert _snapshot(engine) == before
    assert_ledger_invariants(engine)


def test_a_kept_charge_may_still_be_corrected_by_the_provider(engine):
    c = build_charged(engine)
    lesson, today = c.lessons[0], c.lessons[0] + timedelta(days=2)
    dispute_id = _open(c)
    with c.world.tx() as s:
        contest_dispute(s, c.world.provider_user, dispute_id, "present, signed the sheet")
    with c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "reject", "the sheet is signed")
    with c.world.tx() as s:
        correct_attendance(
            s, c.world.provider_user, c.enrollment_id, lesson, "absent", "ошибка", today=today
        )
    assert_ledger_invariants(engine)
