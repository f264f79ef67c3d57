"""Every ledger movement reaches the parent. A lesson's charge given back (a dispute's refund
or a correction's) to a child still enrolled is held again at once for the rest of the
contract: two movements, one event (the free balance does not move), so the parent gets one
notification that names both and says the money is held again. A place already finished
gets the refund alone, told as a refund."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from navigator.domain.certificates.models import EntryKind, LedgerEntry
from navigator.domain.disputes.api import accept_dispute, open_dispute
from navigator.domain.enrollment.api import complete_enrollment
from navigator.domain.enrollment.attendance import correct_attendance
from navigator.domain.notifications.centre import list_notifications
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import Notification
from tests.domain.disputes.world import build_charged, noon


def _open(c):
    with c.world.tx() as s:
        return open_dispute(
            s, c.world.parent, c.entry_id, now=noon(c.lessons[0] + timedelta(days=1))
        ).id


def _told_entries(engine, user_id):
    """The ledger entries the parent's notifications name."""
    with read_session(engine) as s:
        payloads = s.exec(
            select(Notification.payload).where(
                Notification.user_id == user_id,
                col(Notification.kind).startswith("certificate."),
            )
        ).all()
    told: list[int] = []
    for payload in payloads:
        told += [payload[k] for k in ("entry_id", "hold_entry_id") if payload.get(k)]
    return told


def _entries(c):
    with read_session(c.world.engine) as s:
        return s.exec(
            select(LedgerEntry)
            .where(LedgerEntry.account_id == c.world.account_id)
            .order_by(col(LedgerEntry.id))
        ).all()


def _assert_every_movement_told_once(c):
    told = _told_entries(c.world.engine, c.world.parent.user_id)
    entries = _entries(c)
    assert sorted(told) == sorted(e.id for e in entries), ([e.kind for e in entries], told)


def _kinds(c):
    with read_session(c.world.engine) as s:
        return s.exec(
            select(Notification.kind)
            .where(Notification.user_id == c.world.parent.user_id)
            .order_by(col(Notification.id))
        ).all()


def test_a_disputes_refund_held_again_is_one_notification_that_says_both(engine):
    c = build_charged(engine)
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, _open(c))
    kinds = [e.kind for e in _entries(c)]
    assert kinds[-2:] == [EntryKind.REFUND, EntryKind.HOLD]
    _assert_every_movement_told_once(c)
    assert _kinds(c).count("certificate.refund_held") == 1
    assert "certificate.refund" not in _kinds(c)
    with read_session(engine) as s:
        lines = {
            language: next(
                i.line
                for i in list_notifications(s, c.world.parent, language).items
                if i.kind == "certificate.refund_held"
            )
            for language in ("ru", "lt", "en")
        }
    assert "снова зарезервированы" in lines["ru"] and "vėl rezervuota" in lines["lt"]
    assert "held again" in lines["en"] and "Аня" in lines["en"] and "—" not in lines["en"]


def test_a_corrections_refund_held_again_is_one_notification_that_says_both(engine):
    c = build_charged(engine)
    with c.world.tx() as s:
        correct_attendance(
            s,
            c.world.provider_user,
            c.enrollment_id,
            c.lessons[0],
            "absent",
            "marked by mistake",
            today=c.lessons[0] + timedelta(days=1),
        )
    _assert_every_movement_told_once(c)
    assert _kinds(c).count("certificate.refund_held") == 1


def test_a_finished_places_refund_is_told_as_a_refund_alone(engine):
    c = build_charged(engine)
    dispute_id = _open(c)
    with c.world.tx() as s:
        complete_enrollment(s, c.world.provider_user, c.enrollment_id)
    with c.world.tx() as s:
        accept_dispute(s, c.world.provider_user, dispute_id)
    assert _entries(c)[-1].kind == EntryKind.REFUND
    assert "certificate.refund" in _kinds(c) and "certificate.refund_held" not in _kinds(c)
    told = _told_entries(engine, c.world.parent.user_id)
    assert _entries(c)[-1].id in told
