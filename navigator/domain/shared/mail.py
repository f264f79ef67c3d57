"""Outgoing mail: queued in the transaction that causes it, delivered after the commit.

Delivery writes each letter as an `.eml` file under `var/mail/` and logs where it went;
production puts an SMTP relay behind the same `deliver_pending` (see the README).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from navigator.domain.shared.db import after_commit, transaction
from navigator.domain.shared.models import OutgoingMail, utcnow
from navigator.settings import get_settings

log = logging.getLogger(__name__)


SENDER = "Navigator <no-reply@navigator.local>"


def queue_mail(session: Session, recipient: str, subject: str, body: str) -> None:
    # a subject names user text (an organisation's name): a line break there would break
    # the header, so control characters become spaces
    subject = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in subject)[:200]
    session.add(OutgoingMail(recipient=recipient, subject=subject, body=body))


def deliver_after_commit(session: Session) -> None:
    """Deliver the letters this transaction queued once it has committed."""
    engine = session.get_bind()
    after_commit(session, lambda: deliver_pending(engine, get_settings().var_dir / "mail"))  # type: ignore[arg-type]


def deliver_pending(engine: Engine, mail_dir: Path) -> list[Path]:
    """Write every unsent letter to `mail_dir` and mark it sent; the files written."""
    written = []
    with transaction(engine) as session:
        letters = session.exec(
            select(OutgoingMail)
            .where(col(OutgoingMail.sent_at).is_(None))
            .order_by(col(OutgoingMail.id))
            .with_for_update(skip_locked=True)
        ).all()
        if letters:
            mail_dir.mkdir(parents=True, exist_ok=True)
        for letter in letters:
            message = EmailMessage()
            message["From"] = SENDER
            message["To"] = letter.recipient
            message["Subject"] = letter.subject
            message.set_content(letter.body)
            path = mail_dir / f"{letter.id:06d}.eml"
            path.write_bytes(bytes(message))
            letter.sent_at = utcnow()
            session.add(letter)
            written.append(path)
            log.warning("mail to %s written to %s:\n%s", letter.recipient, path, letter.body)
    return written
