"""Letters the server accepted are recorded a few at a time, through the real SMTP server: a
round of 25 is recorded in three transactions, not 25; a refused address in the middle
changes nothing for the others; a sender cut short records what the server had accepted, and
a crash before the record sends those letters again with their own Message-IDs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from navigator.domain.shared import mail
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.mail import (
    LEASE,
    RECORD_EVERY,
    _deliver,
    claim_letters,
    queue_mail,
    send_pending,
    smtp_connection,
    transmit,
)
from navigator.domain.shared.models import OutgoingMail, utcnow
from tests.support.mail import smtp_settings


def _queue(engine, recipients):
    with transaction(engine) as s:
        for n, recipient in enumerate(recipients):
            queue_mail(s, recipient, f"Письмо {n}", f"текст {n}")


def _records(engine):
    """The UPDATEs that mark letters sent, counted as they reach the database."""
    seen = []

    def count(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.lstrip().upper().startswith("UPDATE OUTGOING") and "sent_at" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen, lambda: event.remove(engine, "before_cursor_execute", count)


def test_a_round_of_25_is_recorded_in_three_transactions(engine, smtp_server, monkeypatch):
    monkeypatch.setattr(mail, "RECORD_AFTER", 3600.0)  # by count alone, however slow the machine
    _queue(engine, [f"p{n}@example.org" for n in range(25)])
    seen, stop = _records(engine)
    try:
        done = send_pending(engine, smtp_settings(smtp_server.port))
    finally:
        stop()
    assert len(done.sent) == 25 and done.failed == []
    assert len(seen) == -(-25 // RECORD_EVERY) == 3
    with read_session(engine) as s:
        rows = s.exec(select(OutgoingMail)).all()
    assert all(r.sent_at is not None and r.claimed_until is None for r in rows)
    assert Counter(m["Message-ID"] for m in smtp_server.mailbox.letters()) == Counter(
        r.message_id for r in rows
    )


def test_a_refused_address_among_them_leaves_the_others_sent(engine, smtp_server):
    recipients = [f"p{n}@example.org" for n in range(6)]
    recipients.insert(3, "nobody@school.invalid")  # the test server refuses it for good
    _queue(engine, recipients)
    now = utcnow()
    done = send_pending(engine, smtp_settings(smtp_server.port), now=now)
    assert (len(done.sent), len(done.failed)) == (6, 1)
    with read_session(engine) as s:
        rows = {r.recipient: r for r in s.exec(select(OutgoingMail)).all()}
    assert rows["nobody@school.invalid"].sent_at is None
    assert rows["nobody@school.invalid"].given_up_at == now
    assert all(rows[r].sent_at == now for r in recipients if r != "nobody@school.invalid")


class _CutShort(Exception):
    pass


def test_a_sender_cut_short_records_what_the_server_accepted(engine, smtp_server):
    """Anything but an SMTP answer (a bug, a signal turned into an exception) ends the round;
    the letters already accepted are recorded on the way out, the rest wait for the lease."""
    _queue(engine, [f"p{n}@example.org" for n in range(8)])
    settings = smtp_settings(smtp_server.port)
    claimed = claim_letters(engine)
    handed = []

    def send(letter):
        if len(handed) == 4:
            raise _CutShort()
        with smtp_connection(settings) as client:
            transmit(client, letter, settings)
        handed.append(letter.id)

    with pytest.raises(_CutShort):
        _deliver(engine, claimed, send, None)
    with read_session(engine) as s:
        sent = s.exec(select(OutgoingMail.id).where(col(OutgoingMail.sent_at).is_not(None))).all()
    assert sorted(sent) == sorted(handed) and len(smtp_server.mailbox.letters()) == 4
    later = utcnow() + LEASE + timedelta(seconds=1)
    assert len(send_pending(engine, settings, now=later).sent) == 4  # the other four
    assert len(smtp_server.mailbox.letters()) == 8  # and none of the first four again


def test_a_lease_taken_over_is_not_recorded_by_the_old_sender(engine, smtp_server):
    """A sender slower than its lease: another one claimed the letters meanwhile; the first
    one's record changes nothing of theirs."""
    _queue(engine, ["p@example.org"])
    settings = smtp_settings(smtp_server.port)
    (stale,) = claim_letters(engine)
    later = utcnow() + LEASE + timedelta(seconds=1)
    (fresh,) = claim_letters(engine, now=later)
    assert fresh.token != stale.token
    with smtp_connection(settings) as client:
        _deliver(engine, [stale], lambda letter: transmit(client, letter, settings), None)
    with read_session(engine) as s:
        row = s.exec(select(OutgoingMail)).one()
    assert row.sent_at is None and row.claim_token == fresh.token


class _Clock:
    """The sender's clock, moved by the test: a refusal that took its whole timeout."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def test_a_slow_server_delays_no_record(engine, smtp_server, monkeypatch):
    """A letter accepted, then a server that takes its time to refuse the next ones (each
    refusal can take the whole SMTP timeout): the accepted letter is recorded once
    `RECORD_AFTER` has passed, before the next send, not after all the slow ones (it could
    outlive its lease unrecorded, and be sent twice)."""
    clock = _Clock()
    monkeypatch.setattr(mail, "time", clock)
    _queue(engine, ["first@example.org", "slow1@example.org", "slow2@example.org"])
    settings = smtp_settings(smtp_server.port)
    claimed = claim_letters(engine)
    seen_sent = []

    def send(letter):
        if letter.recipient == "first@example.org":
            with smtp_connection(settings) as client:
                transmit(client, letter, settings)
            return
        with read_session(engine) as s:  # what a crash now would leave
            sent = select(OutgoingMail.recipient).where(col(OutgoingMail.sent_at).is_not(None))
            seen_sent.append(set(s.exec(sent).all()))
        clock.now += 30  # the server took its time to say no
        raise OSError("the server went quiet")

    done = _deliver(engine, claimed, send, None)
    assert seen_sent == [set(), {"first@example.org"}]  # recorded before the second slow one
    assert len(done.sent) == 1 and len(done.failed) == 2
