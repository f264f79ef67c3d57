"""A letter carries no child data beyond the first name, so it carries nobody's free text: a
parent's comment, a provider's reason and a decision's reason may name a child or its health.
The letter says the text is in the app; the notification centre shows the words."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from navigator.domain.accounts.models import User
from navigator.domain.culture.booking import decline_booking
from navigator.domain.disputes.api import contest_dispute, decide_dispute, open_dispute
from navigator.domain.notifications.centre import list_notifications, set_preference
from navigator.domain.notifications.delivery import dispatch_instant, send_digests
from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import OutgoingMail
from tests.domain.culture.world import NOW, build_culture
from tests.domain.disputes.world import build_charged, noon

COMMENT = "Аня Иванова болела ангиной, справка есть"
CONTEST = "Иванова Аня была, подпись в журнале"
DECISION = "Подпись Ивановой не совпадает"


def _letters(engine, email):
    with read_session(engine) as s:
        return s.exec(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == email)
            .order_by(col(OutgoingMail.id))
        ).all()


def _email(engine, actor):
    with read_session(engine) as s:
        return s.get(User, actor.user_id).email


def _disputed_and_decided(c):
    with c.world.tx() as s:
        dispute_id = open_dispute(
            s,
            c.world.parent,
            c.entry_id,
            comment=COMMENT,
            now=noon(c.lessons[0] + timedelta(days=1)),
        ).id
    with c.world.tx() as s:
        contest_dispute(s, c.world.provider_user, dispute_id, CONTEST)
    with c.world.tx() as s:
        decide_dispute(s, c.admin, dispute_id, "uphold", DECISION)


def test_instant_letters_say_the_text_is_in_the_app_and_the_centre_shows_it(engine):
    c = build_charged(engine)
    _disputed_and_decided(c)
    assert dispatch_instant(engine) > 0
    parent, provider = _email(engine, c.world.parent), _email(engine, c.world.provider_user)
    told = [m for m in _letters(engine, parent) if "оспор" in m.subject or "спор" in m.subject]
    told += [m for m in _letters(engine, provider) if "спор" in m.subject]
    assert len(told) >= 4  # the parent: opened, contested, upheld; the provider: opened, upheld
    for letter in [*_letters(engine, parent), *_letters(engine, provider)]:
        everything = letter.subject + letter.body + letter.html
        for words in (COMMENT, CONTEST, DECISION, "Иванов", "ангин"):
            assert words not in everything, (words, letter.subject)
    assert any("текст — в уведомлениях на сайте" in m.subject for m in told)
    assert not any("«текст" in m.subject for m in told)  # a pointer, not a quotation
    with read_session(engine) as s:
        centre = [i.line for i in list_notifications(s, c.world.parent, "ru").items]
        desk = [i.line for i in list_notifications(s, c.world.provider_user, "ru").items]
    assert any(CONTEST in line for line in centre) and any(DECISION in line for line in centre)
    assert any(DECISION in line for line in desk)  # the decision reaches the provider too


def test_the_digest_carries_no_free_text_either(engine):
    c = build_charged(engine)
    with c.world.tx() as s:
        set_preference(s, c.world.parent, "digest", True)
    _disputed_and_decided(c)
    assert send_digests(engine, force=True) >= 1
    parent = _email(engine, c.world.parent)
    (digest,) = [m for m in _letters(engine, parent) if m.dedup_key.startswith("digest:")]
    for words in (COMMENT, CONTEST, DECISION, "Иванов"):
        assert words not in digest.body + digest.html
    assert "текст — в уведомлениях на сайте" in digest.body


def test_a_declined_bookings_reason_stays_out_of_the_coordinators_letter(engine):
    world = build_culture(engine)
    booking = world.book(world.classes["5A"])
    reason = "Vardas1 Pavardė1 serga, visa klasė atšaukta"
    with world.tx() as s:
        decline_booking(s, world.provider_user, booking, reason, now=NOW)
    assert dispatch_instant(engine) > 0
    letters = [m for m in _letters(engine, _email(engine, world.coordinator)) if "5A" in m.subject]
    assert letters and all(reason not in m.subject + m.body + m.html for m in letters)
    assert all("tekstas — pranešimuose svetainėje" in m.subject for m in letters)
    with read_session(engine) as s:
        lines = [i.line for i in list_notifications(s, world.coordinator, "lt").items]
    assert any(reason in line for line in lines)
