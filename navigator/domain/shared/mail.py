"""Outgoing mail: queued in the transaction that causes it, delivered after the commit.

Delivery goes through SMTP (`NAVIGATOR_SMTP_*`; in development and the tests the local
server of `navigator.mailserver`, whose mailbox is `var/mail/`), or, with no SMTP host
configured, writes each letter as an `.eml` file under `var/mail/` itself.

A sender first *claims* letters in a short transaction of its own (a lease until a time, with
a token; PostgreSQL skips rows another sender is claiming), sends them outside any
transaction, then records them as sent, a few at a time. So two senders never send one
letter. The one window left, a crash after the server accepted letters and before they were
recorded (at most `RECORD_EVERY` of them), ends with the lease: each is sent again with the
Message-ID it was given when it was queued, which the receiving side recognises as the same
letter. A server that refuses or is down leaves the
letter waiting (attempts, next_attempt_at with a growing backoff); nothing is lost.

A server that refuses the address for good (no such mailbox) is not asked again and again:
the letter is given up at once, as one the server kept refusing (a full mailbox) for
`GIVE_UP_AFTER` is, and the person sees on their notifications page that letters to their
address do not arrive. What is ours to mend (a server down, our sender, login or relay
rights refused) never gives a letter up.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from navigator.domain.shared.db import after_commit, atomically, transaction
from navigator.domain.shared.models import OutgoingMail, utcnow
from navigator.settings import Settings, get_settings

log = logging.getLogger(__name__)


SENDER = "Navigator <no-reply@navigator.local>"
# how long a claimed letter belongs to its sender; past it, another sender may send it again
LEASE = timedelta(minutes=5)
BATCH = 50
RECORD_EVERY = 10  # accepted letters recorded in one transaction
RECORD_AFTER = 1.0  # seconds: or sooner, when the server is slow
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=5)  # as mail servers do with a letter they cannot deliver
SMTP_TIMEOUT_SECONDS = 20


def queue_mail(
    session: Session,
    recipient: str,
    subject: str,
    body: str,
    *,
    html: str = "",
    headers: dict[str, str] | None = None,
    dedup_key: str | None = None,
) -> OutgoingMail:
    """Queue a letter in this transaction. `dedup_key` names what the letter is about (a
    notification, a day's digest): a second letter with the same key is refused (Conflict)."""
    # a subject names user text (an organisation's name): a line break there would break
    # the header, so control characters become spaces
    subject = _one_line(subject)[:200]
    letter = OutgoingMail(
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        headers={name: _one_line(value) for name, value in (headers or {}).items()},
        dedup_key=dedup_key,
        message_id=new_message_id(),
    )
    session.add(letter)
    return letter


def new_message_id() -> str:
    domain = parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "navigator.local"
    return make_msgid(idstring=secrets.token_hex(4), domain=domain)


def _one_line(value: str) -> str:
    return "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value)


def deliver_after_commit(session: Session) -> None:
    """Deliver the letters this transaction queued once it has committed."""
    engine = session.get_bind()
    after_commit(session, lambda: deliver_now(engine))  # type: ignore[arg-type]


def deliver_now(engine: Engine, settings: Settings | None = None) -> None:
    """One delivery round, as configured. Never raises: a letter that could not go now waits
    for the scheduler's next round, and the request that queued it has already succeeded."""
    settings = settings or get_settings()
    try:
        if settings.smtp_host:
            send_pending(engine, settings)
        else:
            deliver_pending(engine, settings.var_dir / "mail")
    except Exception:
        log.warning("mail delivery round failed; the letters wait for the next", exc_info=True)


@dataclass(frozen=True)
class Claimed:
    """A letter a sender holds the lease of, detached from any session."""

    id: int
    token: str
    recipient: str
    message: EmailMessage
    attempts: int
    created_at: datetime


@dataclass
class MailRound:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def build_message(letter: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(letter.created_at)
    message["Message-ID"] = letter.message_id
    for name, value in (letter.headers or {}).items():
        message[name] = value
    message.set_content(letter.body)
    if letter.html:
        message.add_alternative(letter.html, subtype="html")
    return message


def claim_letters(
    engine: Engine, *, now: datetime | None = None, limit: int = BATCH, sender: str = SENDER
) -> list[Claimed]:
    """Take the lease of up to `limit` letters due now, in a transaction of their own."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    claimed = []
    with transaction(engine) as session:
        letters = session.exec(
            select(OutgoingMail)
            .where(
                col(OutgoingMail.sent_at).is_(None),
                or_(
                    col(OutgoingMail.next_attempt_at).is_(None),
                    col(OutgoingMail.next_attempt_at) <= now,
                ),
                or_(
                    col(OutgoingMail.claimed_until).is_(None),
                    col(OutgoingMail.claimed_until) <= now,
                ),
                col(OutgoingMail.given_up_at).is_(None),
            )
            .order_by(col(OutgoingMail.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for letter in letters:
            assert letter.id is not None
            letter.claimed_until = now + LEASE
            letter.claim_token = token
            letter.attempts += 1
            if not letter.message_id:  # queued before letters had one
                letter.message_id = new_message_id()
            session.add(letter)
            claimed.append(
                Claimed(
                    letter.id,
                    token,
                    letter.recipient,
                    build_message(letter, sender),
                    letter.attempts,
                    letter.created_at,
                )
            )
    return claimed


def record_sent(engine: Engine, letters: list[Claimed], *, now: datetime | None = None) -> None:
    """The letters the server accepted, as sent: one transaction for them all (run again when
    a deadlock or a lock wait ended it). A letter whose lease another sender has taken since
    (its token changed) is left to that sender."""
    if not letters:
        return
    tokens: dict[str, list[int]] = {}
    for letter in letters:
        tokens.setdefault(letter.token, []).append(letter.id)
    when = now or utcnow()

    def write(session: Session) -> None:
        for token, ids in tokens.items():
            session.exec(  # type: ignore[call-overload]
                update(OutgoingMail)
                .where(
                    col(OutgoingMail.id).in_(ids),
                    col(OutgoingMail.claim_token) == token,
                    col(OutgoingMail.sent_at).is_(None),
                )
                .values(sent_at=when, claimed_until=None, last_error="")
            )

    atomically(write, engine)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … at most an hour: a server that is down is not hammered."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _statuses(error: smtplib.SMTPRecipientsRefused) -> list[tuple[int, str]]:
    """(reply code, enhanced status code or "") for each refused recipient (RFC 3463)."""
    found = []
    for code, message in error.recipients.values():
        first = message.decode(errors="replace").split(" ", 1)[0]
        found.append((code, first if first.count(".") == 2 else ""))
    return found


def refuses_the_address(error: BaseException) -> bool:
    """The server said for good that the mailbox is not there (5.1.x: bad address; 5.2.x:
    mailbox disabled; without an enhanced code, 550/551/553). Not a relay or policy refusal
    (5.7.x: our configuration), not a refusal of our sender or login: those are ours to fix,
    and the letters wait."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(
        500 <= code < 600
        and (status.startswith(("5.1.", "5.2.")) if status else code in (550, 551, 553))
        for code, status in _statuses(error)
    )


def about_the_letter(error: BaseException) -> bool:
    """The server answered about this letter or its address (a full mailbox, a refused
    content), not about the connection, our sender, our login or our relay rights."""
    if isinstance(error, smtplib.SMTPDataError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return not any(status[1:3] == ".7" for _code, status in _statuses(error))
    return False


def server_answer(error: BaseException) -> str:
    """What the server said, as a person can read it: "550 5.1.1 No such mailbox here"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, message = next(iter(error.recipients.values()))
        return f"{code} {message.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPResponseException):
        said: bytes | str = error.smtp_error
        text = said.decode(errors="replace") if isinstance(said, bytes) else said
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def record_failure(
    engine: Engine,
    letter: Claimed,
    error: BaseException,
    *,
    now: datetime | None = None,
    refused: bool = False,
    about_letter: bool = False,
) -> None:
    """Back off and try again later; or give the letter up when the server `refused` its
    address for good, or kept refusing the letter itself (`about_letter`: a full mailbox)
    for `GIVE_UP_AFTER` since it was queued. A server that is down, or refuses our sender,
    login or relay rights, never gives a letter up: it waits until that is mended."""
    now = now or utcnow()
    gives_up = refused or (about_letter and now - letter.created_at >= GIVE_UP_AFTER)
    if gives_up:
        log.warning("mail %s to %s given up: %s", letter.id, letter.recipient, error)
    with transaction(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(OutgoingMail)
            .where(
                col(OutgoingMail.id) == letter.id,
                col(OutgoingMail.claim_token) == letter.token,
                col(OutgoingMail.sent_at).is_(None),
            )
            .values(
                claimed_until=None,
                next_attempt_at=None if gives_up else now + retry_delay(letter.attempts),
                given_up_at=now if gives_up else None,
                last_error=server_answer(error)[:500],
            )
        )


def _deliver(
    engine: Engine,
    claimed: list[Claimed],
    send: Callable[[Claimed], Any],
    now: datetime | None,
) -> MailRound:
    """Send each letter; the accepted ones are recorded a few at a time (`RECORD_EVERY`
    letters or `RECORD_AFTER`), not in a transaction each: a commit per letter was most of a
    round's time. A sender that dies before recording them leaves them to be sent again when
    its lease ends, each with its own Message-ID, so the mailbox can tell the second copy."""
    done = MailRound()
    accepted: list[Claimed] = []
    since = time.monotonic()

    def record() -> None:
        batch = accepted[:]
        accepted.clear()  # written once: a failed write is not tried again on the way out
        record_sent(engine, batch, now=now)
        done.sent.extend(letter.id for letter in batch)

    try:
        for letter in claimed:
            if accepted and time.monotonic() - since >= RECORD_AFTER:
                record()  # a slow server (each refusal can take its timeout) delays no record
            try:
                send(letter)
            except (smtplib.SMTPException, OSError) as error:
                log.warning("mail %s to %s not sent yet: %s", letter.id, letter.recipient, error)
                record_failure(
                    engine,
                    letter,
                    error,
                    now=now,
                    refused=refuses_the_address(error),
                    about_letter=about_the_letter(error),
                )
                done.failed.append(letter.id)
                continue
            if not accepted:
                since = time.monotonic()
            accepted.append(letter)
            if len(accepted) >= RECORD_EVERY or time.monotonic() - since >= RECORD_AFTER:
                record()
    finally:  # a round cut short still records what the server has accepted
        record()
    return done


@contextmanager
def smtp_connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    """A connection to the configured server: plain, STARTTLS or TLS; logged in when a user
    is configured."""
    # the server's certificate is verified, against the system's CAs and the one configured
    context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def transmit(client: smtplib.SMTP, letter: Claimed, settings: Settings) -> None:
    """Hand one letter to the server; it has accepted it when this returns."""
    envelope_from = parseaddr(settings.mail_from)[1] or "no-reply@navigator.local"
    client.send_message(letter.message, from_addr=envelope_from, to_addrs=[letter.recipient])


def send_pending(
    engine: Engine,
    settings: Settings | None = None,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
) -> MailRound:
    """Send the letters due now through SMTP; which were sent and which wait for a retry."""
    settings = settings or get_settings()
    claimed = claim_letters(engine, now=now, limit=limit, sender=settings.mail_from)
    if not claimed:
        return MailRound()
    try:
        with smtp_connection(settings) as client:
            return _deliver(engine, claimed, lambda letter: transmit(client, letter, settings), now)
    # no connection, or our own login refused (a 535 says nothing of the addresses): every
    # letter waits for the next round, none is given up for it
    except (smtplib.SMTPException, OSError) as error:
        log.warning("SMTP server %s unavailable: %s", settings.smtp_host, error)
        done = MailRound()
        for letter in claimed:
            record_failure(engine, letter, error, now=now)
            done.failed.append(letter.id)
        return done


def deliver_pending(engine: Engine, mail_dir: Path, *, now: datetime | None = None) -> list[Path]:
    """Without an SMTP server: write every letter due now to `mail_dir`; the files written."""
    claimed = claim_letters(engine, now=now)
    if claimed:
        mail_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def write(letter: Claimed) -> None:
        path = mail_dir / f"{letter.id:06d}.eml"
        path.write_bytes(bytes(letter.message))
        written.append(path)
        body = letter.message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.warning("mail to %s written to %s:\n%s", letter.recipient, path, text)

    _deliver(engine, claimed, write, now)
    return written
