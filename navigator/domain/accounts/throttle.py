"""How often one address or one e-mail may do something that creates accounts or sends
mail: signing up, registering an organisation, being invited. Past the limit the attempt is
refused for the rest of the window, so nobody can flood an inbox or mint accounts.

Attempts are counted in the `action_attempt` table (a hashed key and a time). A caller
that must count an attempt even when what follows fails spends it in a transaction of its
own first (`spend_attempt` then the work).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from navigator.domain.accounts.models import ActionAttempt
from navigator.domain.accounts.signin import queue_on, token_hash
from navigator.domain.shared.errors import InvalidInput, TooManyAttempts
from navigator.domain.shared.models import utcnow

HOUR = timedelta(hours=1)
WINDOW_MINUTES = int(HOUR.total_seconds() // 60)
# (action, what is counted) → attempts allowed per hour
LIMITS = {
    ("register", "address"): 10,
    ("register", "email"): 3,
    ("register_provider", "address"): 5,
    ("invited", "email"): 3,  # one inbox, whoever invites it
    ("invites", "user"): 30,  # one inviting owner, to any addresses
    ("notification_mail", "email"): 20,  # letters at once; past it, the daily digest
}


def spend_attempt(
    session: Session, action: str, counted: str, subject: str, *, now: datetime | None = None
) -> None:
    """Count one attempt of `action` by `subject` (an address, an e-mail, a user id); refuse
    it with TooManyAttempts once this hour's allowance is used."""
    now = now or utcnow()
    limit = LIMITS.get((action, counted)) if isinstance(action, str) else None
    if limit is None or not isinstance(subject, str) or not isinstance(counted, str):
        raise InvalidInput(
            "field_not_allowed", field="action", allowed=", ".join(sorted({a for a, _ in LIMITS}))
        )
    key = token_hash(f"{action}:{counted}:{str(subject).strip().lower()}")
    queue_on(session, key)
    used = session.exec(
        select(func.count()).where(ActionAttempt.key == key, ActionAttempt.at >= now - HOUR)
    ).one()
    if used >= limit:
        raise TooManyAttempts("too_many_requests", minutes=WINDOW_MINUTES)
    session.add(ActionAttempt(key=key, at=now))
    session.flush()
