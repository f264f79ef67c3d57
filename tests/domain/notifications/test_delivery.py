"""Notifications into letters: each event at once for those who want it (within the hourly
limit per address), a daily digest for the others with one-click unsubscribe, only money
movements for those who asked for what the law requires, and the warning that unspent
certificate money expires before its period closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select

from navigator.domain.notifications.centre import set_preference, unsubscribe_from_digests
from navigator.domain.notifications.delivery import (
    dispatch_instant,
    send_digests,
    warn_expiring,
)
from navigator.domain.notifications.fanout import notify
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import Notification, OutgoingMail
from tests.factories import build_world


def _letters(engine, email=None):
    with read_session(engine) as s:
        query = select(OutgoingMail).order_by(col(OutgoingMail.id))
        if email:
            query = query.where(OutgoingMail.recipient == email)
        return s.exec(query).all()


def _email(world, actor):
    from navigator.domain.accounts.models import User

    with read_session(world.engine) as s:
        return s.get(User, actor.user_id).email


def test_each_event_is_mailed_once_in_the_persons_language(engine):
    world = build_world(engine)
    email = _email(world, world.parent)
    assert dispatch_instant(engine) > 0
    assert dispatch_instant(engine) == 0  # never twice
    letters = _letters(engine, email)
    assert letters and all(letter.dedup_key.startswith("notification:") for letter in letters)
    assert any("зачислено" in letter.subject for letter in letters)
    assert all(letter.html.startswith("<!doctype html>") for letter in letters)
    assert all("Иванова" not in letter.body + letter.html for letter in letters)


def test_past_the_hourly_limit_events_wait_for_the_digest(engine):
    world = build_world(engine)
    email = _email(world, world.parent)
    with world.tx() as s:
        for n in range(25):
            notify(s, world.parent.user_id, "enrollment.accepted", {"n": n})
    dispatch_instant(engine)
    instant = [m for m in _letters(engine, email) if m.dedup_key.startswith("notification:")]
    assert len(instant) == 20  # the limit per address and hour
    assert send_digests(engine, force=True) == 1
    (digest,) = [m for m in _letters(engine, email) if m.dedup_key.startswith("digest:")]
    with read_session(engine) as s:
        assert not s.exec(select(Notification).where(col(Notification.mailed_at).is_(None))).all()
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        digest.headers["List-Unsubscribe"].startswith("<")
        and "token=" in digest.headers["List-Unsubscribe"]
    )
    assert send_digests(engine, force=True) == 0  # one a day


def test_a_digest_person_gets_one_letter_a_day_and_unsubscribing_stops_it(engine):
    world = build_world(engine)
    email = _email(world, world.parent)
    with world.tx() as s:
        set_preference(s, world.parent, "digest", True)
    dispatch_instant(engine)
    assert _letters(engine, email) == []  # the staff's own letters went; none to the parent
    early = datetime.combine(date(2026, 12, 1), time(1), tzinfo=UTC)
    assert send_digests(engine, early) == 0  # before the digest hour
    assert send_digests(engine, early.replace(hour=9)) == 1
    (digest,) = _letters(engine, email)
    token = digest.headers["List-Unsubscribe"].split("token=")[1].rstrip(">")
    with world.tx() as s:
        unsubscribe_from_digests(s, token)
    with world.tx() as s:
        notify(s, world.parent.user_id, "certificate.capture", {"amount_minor": 100})
    assert send_digests(engine, early + timedelta(days=1, hours=8)) == 0
    assert len(_letters(engine, email)) == 1
    with read_session(engine) as s:  # still in the centre
        assert s.exec(select(Notification).where(Notification.kind == "certificate.capture")).all()


def test_only_what_the_law_requires_mails_money_movements_in_the_digest(engine):
    world = build_world(engine)
    email = _email(world, world.parent)
    with world.tx() as s:
        set_preference(s, world.parent, "required", True)
        notify(s, world.parent.user_id, "enrollment.accepted", {})
    dispatch_instant(engine)
    assert _letters(engine, email) == []
    assert send_digests(engine, force=True) == 1
    (digest,) = _letters(engine, email)
    assert "зачислено" in digest.body and "принята" not in digest.body


def test_unspent_money_is_warned_about_once_before_the_period_closes(engine):
    world = build_world(engine)
    from navigator.domain.funding.models import FundingPeriod

    with read_session(engine) as s:
        ends = s.get(FundingPeriod, world.period_id).ends_on
    far = datetime.combine(ends - timedelta(days=30), time(9), tzinfo=UTC)
    assert warn_expiring(engine, far, days=14) == 0
    near = datetime.combine(ends - timedelta(days=10), time(9), tzinfo=UTC)
    assert warn_expiring(engine, near, days=14) == 1
    assert warn_expiring(engine, near + timedelta(days=1), days=14) == 0
    with read_session(engine) as s:
        (warning,) = s.exec(
            select(Notification).where(Notification.kind == "certificate.expiry_warning")
        ).all()
    assert warning.user_id == world.parent.user_id
    assert warning.payload["amount_minor"] == 1_000_000
    from navigator.domain.notifications.centre import list_notifications

    with read_session(engine) as s:
        line = list_notifications(s, world.parent, "en").items[0].line
    assert line.startswith("Аня: the certificate's unspent") and "expires on" in line


def test_providers_hear_of_applications_and_decisions_and_municipalities_of_queue_items(engine):
    from tests.domain.cabinet import _admin

    world = build_world(engine)
    admin = _admin(world)
    enrollment_id = world.apply()
    world.add_group()  # a new group: submitted again, certified again

    def kinds(actor):
        with read_session(engine) as s:
            return [
                n.kind
                for n in s.exec(select(Notification).where(Notification.user_id == actor.user_id))
            ]

    assert "application.new" in kinds(world.provider_user)
    assert "certification.certified" in kinds(world.provider_user)
    assert "queue.program" in kinds(admin)
    assert enrollment_id


def test_a_flood_for_one_person_never_starves_anothers_letters(engine):
    world = build_world(engine)
    other, *_ = world.add_parent_with_child()
    dispatch_instant(engine)  # what building the world told everyone
    with world.tx() as s:
        for n in range(230):  # past the hourly limit and past a page of the dispatcher
            notify(s, world.parent.user_id, "enrollment.accepted", {"n": n})
        notify(s, other.user_id, "enrollment.accepted", {})
    dispatch_instant(engine)
    with read_session(engine) as s:
        (last,) = s.exec(
            select(Notification)
            .where(Notification.user_id == other.user_id)
            .order_by(col(Notification.id).desc())
            .limit(1)
        ).all()
    assert last.mailed_at is not None
    assert any(m.dedup_key == f"notification:{last.id}" for m in _letters(engine))
