"""Mail through the real SMTP server (navigator.mailserver in its own process): senders
racing in real OS processes send each letter once, on SQLite and PostgreSQL, with no raw
database error; a sender killed after the server accepted a letter and before recording it
leads to the same letter (same Message-ID) once more; a server that is down delays mail and
loses none, however long it is down; a mailbox refused for good (550 5.1.1) is given up at
once, one refused for days (452 mailbox full) after five."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections import Counter
from datetime import timedelta

from sqlmodel import col, select

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.notifications.centre import undelivered_mail
from navigator.domain.notifications.delivery import dispatch_instant
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.mail import (
    LEASE,
    claim_letters,
    queue_mail,
    send_pending,
    smtp_connection,
    transmit,
)
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from navigator.mailserver import free_port
from tests.factories import build_world
from tests.support.mail import smtp_settings
from tests.support.parallel import process_engine, race_processes, raw

PROCESSES = 3


def _url(engine):
    return engine.url.render_as_string(hide_password=False)


def _sender(url, barrier, results, job):
    port, dispatch = job
    barrier.wait(timeout=60)  # every sender starts at once: a race, not a queue
    engine = process_engine(url)
    outcomes = Counter()
    try:
        for _round in range(20):
            try:
                if dispatch:
                    dispatch_instant(engine)
                done = send_pending(engine, smtp_settings(port), limit=5)
                outcomes["sent"] += len(done.sent)
                outcomes["failed"] += len(done.failed)
            except DomainError as refusal:
                outcomes[refusal.code] += 1
    except Exception as error:
        outcomes[raw(error)] += 1
        traceback.print_exc()
    engine.dispose()
    results.put(dict(outcomes))


def _race(engine, port, *, dispatch=False):
    answers = race_processes(_sender, _url(engine), [(port, dispatch)] * PROCESSES, timeout=120)
    outcomes = sum(map(Counter, answers), Counter())
    assert not [k for k in outcomes if k.startswith("RAW")], outcomes
    return outcomes


def _ids(letters):
    return Counter(letter["Message-ID"] for letter in letters)


def test_senders_racing_in_processes_send_each_letter_once(engine, smtp_server):
    with transaction(engine) as s:
        for n in range(24):
            queue_mail(s, f"p{n % 5}@example.org", f"Письмо {n}", f"текст {n}", html="<p>x</p>")
    outcomes = _race(engine, smtp_server.port)
    letters = smtp_server.mailbox.letters()
    assert outcomes["sent"] == 24 and len(letters) == 24
    with read_session(engine) as s:
        rows = s.exec(select(OutgoingMail)).all()
    assert all(row.sent_at is not None for row in rows)
    assert _ids(letters) == Counter(row.message_id for row in rows)  # each exactly once
    first = letters[0]
    assert first.get_body(("plain",)) is not None and first.get_body(("html",)) is not None


def test_one_letter_per_event_and_person_when_dispatchers_race(engine, smtp_server):
    build_world(engine)  # crediting the certificate wrote notifications
    with read_session(engine) as s:
        events = s.exec(select(Notification)).all()
    assert events
    _race(engine, smtp_server.port, dispatch=True)
    letters = smtp_server.mailbox.letters()
    with read_session(engine) as s:
        keys = s.exec(select(OutgoingMail.dedup_key)).all()
        pending = s.exec(select(Notification).where(col(Notification.mailed_at).is_(None))).all()
    assert sorted(keys) == sorted(f"notification:{n.id}" for n in events)
    assert len(letters) == len(events) and not pending
    # the parent's letter names the child by first name only
    to_parent = [m for m in letters if m["To"].startswith("parent")]
    assert to_parent
    for letter in to_parent:
        text = letter.get_body(("plain",)).get_content()
        assert "Аня" in text and "Иванова" not in text


def test_a_sender_killed_after_the_server_accepted_resends_with_the_same_message_id(
    engine, smtp_server
):
    with transaction(engine) as s:
        queue_mail(s, "mama@example.org", "Списание", "занятие оплачено")
    context = multiprocessing.get_context("spawn")
    crashed = context.Process(target=_send_then_die, args=(_url(engine), smtp_server.port))
    crashed.start()
    crashed.join(timeout=60)
    assert crashed.exitcode == 9
    (accepted,) = smtp_server.mailbox.letters()
    with read_session(engine) as s:
        (row,) = s.exec(select(OutgoingMail)).all()
    assert row.sent_at is None  # the crash came before the record
    # while the dead sender's lease runs, nobody sends it again
    assert send_pending(engine, smtp_settings(smtp_server.port)).sent == []
    later = utcnow() + LEASE + timedelta(seconds=1)
    assert send_pending(engine, smtp_settings(smtp_server.port), now=later).sent == [row.id]
    first, again = smtp_server.mailbox.letters()
    assert first["Message-ID"] == again["Message-ID"] == accepted["Message-ID"] == row.message_id
    assert send_pending(engine, smtp_settings(smtp_server.port), now=later + LEASE * 2).sent == []
    assert len(smtp_server.mailbox.letters()) == 2


def _send_then_die(url, port):
    engine = process_engine(url)
    settings = smtp_settings(port)
    (letter,) = claim_letters(engine)
    with smtp_connection(settings) as client:
        transmit(client, letter, settings)
    os._exit(9)  # killed between the server's "250 accepted" and recording it


def test_a_server_that_is_down_delays_mail_and_loses_none(engine, smtp_server):
    with transaction(engine) as s:
        for n in range(3):
            queue_mail(s, f"p{n}@example.org", "Тема", f"текст {n}")
    down = smtp_settings(free_port())  # nothing listens there
    now = utcnow()
    first = send_pending(engine, down, now=now)
    assert first.sent == [] and len(first.failed) == 3
    with read_session(engine) as s:
        rows = s.exec(select(OutgoingMail)).all()
    assert all(r.sent_at is None and r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at > now for r in rows)
    # not retried before its time, then retried with a longer wait
    assert send_pending(engine, down, now=now).failed == []
    second = send_pending(engine, down, now=now + timedelta(minutes=1))
    assert len(second.failed) == 3
    with read_session(engine) as s:
        waits = {
            r.next_attempt_at - (now + timedelta(minutes=1)) for r in s.exec(select(OutgoingMail))
        }
    assert waits == {timedelta(minutes=1)}
    # the server is back: everything arrives, once
    back = send_pending(engine, smtp_settings(smtp_server.port), now=now + timedelta(hours=2))
    assert len(back.sent) == 3
    assert len(smtp_server.mailbox.letters()) == 3
    assert (
        send_pending(engine, smtp_settings(smtp_server.port), now=now + timedelta(hours=3)).sent
        == []
    )


def test_a_mailbox_the_server_refuses_for_good_is_given_up_at_once(engine, smtp_server):
    """ "550 no such mailbox" is not asked again every hour forever; the other letters of the
    same round still go, and the person is told on their notifications page."""
    with transaction(engine) as s:
        parent = create_user(
            s, "nobody@school.invalid", "correct horse 42", roles=((Role.PARENT, None, None),)
        )
        actor = Actor.user(parent.id)
        queue_mail(s, "nobody@school.invalid", "Тема", "текст")
        queue_mail(s, "p@example.org", "Тема", "текст")
    settings = smtp_settings(smtp_server.port)
    now = utcnow()
    done = send_pending(engine, settings, now=now)
    assert (len(done.sent), len(done.failed)) == (1, 1)
    with read_session(engine) as s:
        refused = s.exec(
            select(OutgoingMail).where(OutgoingMail.recipient == "nobody@school.invalid")
        ).one()
        undelivered = undelivered_mail(s, actor)
    assert refused.sent_at is None and refused.given_up_at == now
    assert refused.next_attempt_at is None and refused.last_error.startswith("550 5.1.1")
    assert undelivered is not None and undelivered.answer == refused.last_error
    assert send_pending(engine, settings, now=now + timedelta(days=1)).failed == []
    assert [m["To"] for m in smtp_server.mailbox.letters()] == ["p@example.org"]
    # a letter that arrives later (the mailbox was made again) means the address works: no
    # warning (the test server refuses .invalid for good, so the arrival is written here)
    with transaction(engine) as s:
        queue_mail(s, "nobody@school.invalid", "Тема", "ещё")
        later = s.exec(select(OutgoingMail).order_by(col(OutgoingMail.id).desc())).first()
        later.sent_at = now + timedelta(minutes=5)
    with read_session(engine) as s:
        assert undelivered_mail(s, actor) is None


def test_a_mailbox_still_full_after_five_days_is_given_up(engine, smtp_server):
    """A refusal that may pass (452 mailbox full) is retried; after five days of it the
    letter is given up. Other letters of the round go."""
    with transaction(engine) as s:
        queue_mail(s, "kid@full.invalid", "Тема", "текст")
    with read_session(engine) as s:
        queued = s.exec(select(OutgoingMail)).one().created_at
    server = smtp_settings(smtp_server.port)
    assert len(send_pending(engine, server, now=queued + timedelta(days=4)).failed) == 1
    with read_session(engine) as s:
        letter = s.exec(select(OutgoingMail)).one()
    assert letter.given_up_at is None and letter.last_error.startswith("452 4.2.2")
    assert len(send_pending(engine, server, now=queued + timedelta(days=5, hours=1)).failed) == 1
    with read_session(engine) as s:
        letter = s.exec(select(OutgoingMail)).one()
    assert letter.given_up_at == queued + timedelta(days=5, hours=1)
    assert send_pending(engine, server, now=queued + timedelta(days=6)).failed == []


def test_a_server_down_for_a_week_gives_no_letter_up(engine, smtp_server):
    """Nothing is lost while the relay is down, however long: the letters wait for it."""
    with transaction(engine) as s:
        queue_mail(s, "p@example.org", "Тема", "текст")
    with read_session(engine) as s:
        queued = s.exec(select(OutgoingMail)).one().created_at
    down = smtp_settings(free_port())  # nothing listens there
    for day in (1, 4, 6, 7):
        assert len(send_pending(engine, down, now=queued + timedelta(days=day)).failed) == 1
    with read_session(engine) as s:
        assert s.exec(select(OutgoingMail)).one().given_up_at is None
    back = smtp_settings(smtp_server.port)
    assert len(send_pending(engine, back, now=queued + timedelta(days=8)).sent) == 1
    assert [m["To"] for m in smtp_server.mailbox.letters()] == ["p@example.org"]
