"""How often one address or one e-mail may do something that creates accounts or sends
mail: signing up, registering an organisation, being invited. Past the limit the attempt is
refused for the rest of the window, so nobody can flood an inbox or mint accounts.

Attempts are counted in the `action_attempt` table (a hashed key and a time). A caller
that must count an attempt even when what follows fails spends it in a transaction of its
own first (`spend_attempt` then the work).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import func
from sqlmodel import Session, col, select

from navigator.domain.accounts.models import ActionAttempt
from navigator.domain.accounts.signin import queue_on, token_hash
from navigator.domain.shared.db import chunks
from navigator.domain.shared.errors import InvalidInput, TooManyAttempts
from navigator.domain.shared.models import utcnow
from navigator.domain.shared.validation import MAX_COUNT, check_non_negative

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
    if not isinstance(subject, str):
        _refuse_unknown()
    if not spend_attempts(session, action, counted, {subject: 1}, now=now)[subject]:
        raise TooManyAttempts("too_many_requests", minutes=WINDOW_MINUTES)


def spend_attempts(
    session: Session,
    action: str,
    counted: str,
    wanted: dict[str, int],
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """Count, for each subject, up to its `wanted` attempts at once (a batch of letters to
    several addresses): as many as this hour's allowance leaves; how many were counted.
    Subjects that are one key ("A@x.org", "a@x.org ") share what the hour leaves it, in the
    order given. One statement counts them all (one for each 500 keys), one flush adds them."""
    now = now or utcnow()
    limit = LIMITS.get((action, counted)) if isinstance(action, str) else None
    if limit is None or not isinstance(counted, str):
        _refuse_unknown()
    if not isinstance(wanted, dict) or not all(isinstance(s, str) for s in wanted):
        _refuse_unknown()
    for count in wanted.values():  # a whole number: not 1.5, not True
        check_non_negative(count, "count", maximum=MAX_COUNT)
    if not wanted:
        return {}
    subjects: dict[str, list[str]] = {}  # key → its subjects, in the callers' order
    for subject in wanted:
        key = token_hash(f"{action}:{counted}:{subject.strip().lower()}")
        subjects.setdefault(key, []).append(subject)
    keys = sorted(subjects)
    # The lock order: keys sorted, whatever order a caller gives its subjects in, so two
    # batches sharing addresses never wait for each other in a circle.
    for key in keys:
        queue_on(session, key)
    used: dict[str, int] = {}
    for chunk in chunks(keys):
        used.update(
            session.exec(
                select(ActionAttempt.key, func.count())
                .where(col(ActionAttempt.key).in_(chunk), ActionAttempt.at >= now - HOUR)
                .group_by(col(ActionAttempt.key))
            ).all()
        )
    taken: dict[str, int] = {}
    for key in keys:
        left = max(0, limit - used.get(key, 0))
        for subject in subjects[key]:
            taken[subject] = min(wanted[subject], left)
            left -= taken[subject]
    if any(taken.values()):
        session.add_all(
            ActionAttempt(key=key, at=now)
            for key in keys
            for _ in range(sum(taken[subject] for subject in subjects[key]))
        )
        session.flush()
    return {subject: taken[subject] for subject in wanted}


def _refuse_unknown() -> NoReturn:
    raise InvalidInput(
        "field_not_allowed", field="action", allowed=", ".join(sorted({a for a, _ in LIMITS}))
    )
