"""Letters the app queued, read the way a person reads their inbox: for a link."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from sqlmodel import col, select

from navigator.domain.shared.db import read_session
from navigator.domain.shared.models import OutgoingMail
from navigator.settings import Settings, get_settings


def last_link(engine, recipient: str, path: str, base_url: str = "") -> str:
    """The newest link to `path` mailed to `recipient`; on `base_url` when given (the app a
    test started answers on its own port, not on the configured public address)."""
    with read_session(engine) as s:
        letters = s.exec(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == recipient)
            .order_by(col(OutgoingMail.id).desc())
        ).all()
    for letter in letters:
        for word in letter.body.split():
            if path in word:
                link = urlsplit(word)
                return f"{base_url}{link.path}?{link.query}" if base_url else word
    raise AssertionError(f"no letter to {recipient} links to {path}")


def letters_to(mailbox, recipient: str) -> list:
    """The letters an SMTP server (navigator.mailserver's Mailbox) received for `recipient`,
    oldest first, as parsed messages."""
    return [letter for letter in mailbox.letters() if letter["To"] == recipient]


def smtp_settings(port: int) -> Settings:
    """The app's settings, sending through the tests' SMTP server (plain, no login) at `port`."""
    return replace(get_settings(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
