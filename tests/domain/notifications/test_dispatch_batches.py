"""Notifications become letters a batch per transaction, through the real SMTP server of the
test: a batch is mailed once; an address the server refuses in the middle of a batch is
given up alone while the others arrive once; a notification whose letter cannot be queued
in the middle of a batch sends the batch one by one, and nothing twice; dispatchers and
senders racing in real OS processes on both databases mail each notification exactly once,
with no raw database error; a notification mailed alone and a batch claiming it lock its row
and its address in one order."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections import Counter

from sqlalchemy import text
from sqlmodel import col, select

from navigator.domain.accounts.api import create_user
from navigator.domain.accounts.models import Role
from navigator.domain.accounts.signin import queue_on, token_hash
from navigator.domain.notifications.delivery import (
    LETTERS_PER_TRANSACTION,
    _mail_batch,
    _mail_one,
    dispatch_instant,
)
from navigator.domain.notifications.fanout import notify
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.mail import queue_mail, send_pending
from navigator.domain.shared.models import Notification, OutgoingMail, utcnow
from tests.support.mail import smtp_settings
from tests.support.parallel import process_engine, race_processes, raw


def _people(engine, emails):
    with transaction(engine) as s:
        return [
            create_user(s, email, "correct horse 42", roles=((Role.PARENT, None, None),)).id
            for email in emails
        ]


def _tell(engine, user_ids, per_person):
    """`per_person` events for each person, interleaved as a rush writes them."""
    with transaction(engine) as s:
        for n in range(per_person):
            for user_id in user_ids:
                notify(s, user_id, "enrollment.accepted", {"n": n})
    with read_session(engine) as s:
        return s.exec(select(Notification.id).order_by(col(Notification.id))).all()


def _send_all(engine, port):
    sent, failed = 0, 0
    while True:
        done = send_pending(engine, smtp_settings(port), limit=50)
        sent, failed = sent + len(done.sent), failed + len(done.failed)
        if not done.sent and not done.failed:
            return sent, failed


def _keys(engine):
    with read_session(engine) as s:
        return Counter(s.exec(select(OutgoingMail.dedup_key)).all())


def test_a_batch_is_mailed_once_and_every_letter_arrives_once(engine, smtp_server):
    people = _people(engine, [f"batch{n}@example.org" for n in range(6)])
    events = _tell(engine, people, 15)  # 90 events: two transactions' worth, under the limit
    assert len(events) > LETTERS_PER_TRANSACTION
    assert dispatch_instant(engine) == 90
    assert dispatch_instant(engine) == 0  # never twice
    assert _keys(engine) == Counter(f"notification:{n}" for n in events)
    assert _send_all(engine, smtp_server.port) == (90, 0)
    letters = smtp_server.mailbox.letters()
    assert len(letters) == 90 and len({m["Message-ID"] for m in letters}) == 90
    assert Counter(m["To"] for m in letters) == Counter(
        {f"batch{n}@example.org": 15 for n in range(6)}
    )
    with read_session(engine) as s:
        assert not s.exec(select(Notification).where(col(Notification.mailed_at).is_(None))).all()


def test_an_address_refused_in_the_middle_of_a_batch_holds_back_no_other_letter(
    engine, smtp_server
):
    emails = ["first@example.org", "nobody@school.invalid", "last@example.org"]
    people = _people(engine, emails)
    _tell(engine, people, 5)
    assert dispatch_instant(engine) == 15  # one batch, the bad address in its middle
    assert _send_all(engine, smtp_server.port) == (10, 5)
    assert dispatch_instant(engine) == 0 and _send_all(engine, smtp_server.port) == (0, 0)
    letters = smtp_server.mailbox.letters()
    assert Counter(m["To"] for m in letters) == Counter(
        {"first@example.org": 5, "last@example.org": 5}
    )
    assert len({m["Message-ID"] for m in letters}) == 10  # none twice
    with read_session(engine) as s:
        refused = s.exec(
            select(OutgoingMail).where(OutgoingMail.recipient == "nobody@school.invalid")
        ).all()
    assert len(refused) == 5
    assert all(r.given_up_at is not None and r.last_error.startswith("550") for r in refused)


def test_a_notification_that_cannot_be_queued_mid_batch_stops_no_other_and_none_goes_twice(
    engine, smtp_server
):
    people = _people(engine, ["one@example.org", "two@example.org"])
    events = _tell(engine, people, 6)
    middle = events[len(events) // 2]
    with transaction(engine) as s:  # its letter is already queued (a restored backup, say)
        queue_mail(s, "two@example.org", "Письмо", "текст", dedup_key=f"notification:{middle}")
    # the batch's insert of that letter fails; the batch goes again one by one
    assert dispatch_instant(engine) == len(events) - 1
    assert dispatch_instant(engine) == 0
    assert _keys(engine) == Counter(f"notification:{n}" for n in events)  # each once
    with read_session(engine) as s:
        assert not s.exec(select(Notification).where(col(Notification.mailed_at).is_(None))).all()
    assert _send_all(engine, smtp_server.port) == (len(events), 0)
    assert len(smtp_server.mailbox.letters()) == len(events)


def _dispatcher(url, barrier, results, port):
    engine = process_engine(url)
    outcomes = Counter()
    try:
        barrier.wait(timeout=60)
        for _round in range(6):
            try:
                outcomes["queued"] += dispatch_instant(engine)
                done = send_pending(engine, smtp_settings(port), limit=20)
                outcomes["sent"] += len(done.sent)
                outcomes["failed"] += len(done.failed)
            except DomainError as refusal:
                outcomes[refusal.code] += 1
    except Exception as error:
        outcomes[raw(error)] += 1
        traceback.print_exc()
    engine.dispose()
    results.put(dict(outcomes))


def test_dispatchers_racing_in_processes_mail_each_notification_once(engine, smtp_server):
    people = _people(engine, [f"rush{n}@example.org" for n in range(20)])
    events = _tell(engine, people, 12)  # 240 events: pages and batches of them
    url = engine.url.render_as_string(hide_password=False)
    answers = race_processes(_dispatcher, url, [smtp_server.port] * 3, timeout=300)
    outcomes = sum(map(Counter, answers), Counter())
    assert not [k for k in outcomes if k.startswith("RAW")], outcomes
    assert outcomes["queued"] == len(events), outcomes  # each notification taken once
    assert _send_all(engine, smtp_server.port)[1] == 0  # what the rounds left, sent now
    assert _keys(engine) == Counter(f"notification:{n}" for n in events)
    letters = smtp_server.mailbox.letters()
    assert len(letters) == len(events)
    assert len({m["Message-ID"] for m in letters}) == len(events)
    with read_session(engine) as s:
        assert not s.exec(select(Notification).where(col(Notification.mailed_at).is_(None))).all()


def _mail_in_process(url, which, notification_id, now, ready, go, results):
    """One notification mailed alone (`_mail_one`, a failed batch's fallback) or in a batch,
    in a transaction that is not retried: a deadlock would end it as Busy."""
    engine = process_engine(url)
    try:
        ready.set()
        go.wait(timeout=60)
        with transaction(engine) as s:
            if which == "one":
                results.put((which, _mail_one(s, notification_id, now)))
            else:
                results.put((which, _mail_batch(s, [notification_id], now)))
    except Exception as error:
        traceback.print_exc()
        results.put((which, f"{type(error).__name__}: {str(error)[:200]}"))
    finally:
        engine.dispose()


def _waiting_for_addresses(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        ).scalar_one()


def _until(condition):
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the processes never got there"
        time.sleep(0.05)


def test_a_letter_mailed_alone_and_a_batch_take_the_row_then_the_address_never_a_circle(
    postgres_engine,
):
    """The one-by-one fallback waiting for an address while a batch claims its notification:
    both lock the notification's row before the address, so neither waits for the other in a
    circle (PostgreSQL; SQLite's single writer has no such locks)."""
    engine = postgres_engine
    (person,) = _people(engine, ["circle@example.org"])
    (event,) = _tell(engine, [person], 1)
    now = utcnow()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    url = engine.url.render_as_string(hide_password=False)
    ready = {which: context.Event() for which in ("one", "batch")}
    go = {which: context.Event() for which in ("one", "batch")}
    processes = [
        context.Process(
            target=_mail_in_process,
            args=(url, which, event, now, ready[which], go[which], results),
        )
        for which in ("one", "batch")
    ]
    for process in processes:
        process.start()
    for flag in ready.values():
        assert flag.wait(timeout=120)
    outcomes = {}
    with transaction(engine) as s:  # another dispatcher counting the address holds it
        queue_on(s, token_hash("notification_mail:email:circle@example.org"))
        go["one"].set()  # alone: the row, then waits for the address
        _until(lambda: _waiting_for_addresses(engine) == 1)
        go["batch"].set()  # skips the row the other holds, or waits for the address too
        _until(lambda: _waiting_for_addresses(engine) == 2 or not results.empty())
    for _ in processes:
        which, outcome = results.get(timeout=120)
        outcomes[which] = outcome
    for process in processes:
        process.join(timeout=30)
    # the batch left the row to the one that held it: one letter, and no error
    assert outcomes == {"one": 1, "batch": 0}
    assert _keys(engine) == Counter([f"notification:{event}"])
