"""Work the app does on a clock, beside the search relay: culture-pass reservations that were
never confirmed expire when their session begins; confirmed ones nobody recorded attendance
for within 14 days are released; a year whose window ended (plus that grace) closes, and
its schools' unspent money expires.

Each item is its own transaction and re-checks its row under its lock, so the job is safe
to run in every worker at once: an item is done once, whoever gets it first. With several
workers, one of them leads the rounds (`JOBS_LEADER_KEY`) and the others stand by.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from navigator.domain.accounts.access import Actor
from navigator.domain.culture.access import local_day
from navigator.domain.culture.booking import (
    due_reservations,
    expire_reservation,
    release_unrecorded,
    unrecorded_bookings,
)
from navigator.domain.culture.years import close_year, years_to_close
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError
from navigator.domain.shared.models import utcnow

log = logging.getLogger(__name__)
EVERY_SECONDS = 60.0
JOBS_LEADER_KEY = 7_316_003  # the workers' one scheduler (search/relay.py holds the others)


def run_due_jobs(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """One round of every job; what each did."""
    now = now or utcnow()
    with read_session(engine) as session:
        due = due_reservations(session, now=now)
    expired = 0
    for booking_id in due:
        try:
            expired += atomically(lambda s, b=booking_id: expire_reservation(s, b, now=now), engine)
        except DomainError as error:  # busy for every retry: the next round tries again
            log.warning("culture reservation %s not expired yet: %s", booking_id, error.code)
        except Exception:  # one broken item never stops the others from expiring
            log.exception("culture reservation %s could not be expired", booking_id)
    with read_session(engine) as session:
        unrecorded = unrecorded_bookings(session, now=now)
    released = 0
    for booking_id in unrecorded:
        try:
            released += atomically(
                lambda s, b=booking_id: release_unrecorded(s, b, now=now), engine
            )
        except Exception:
            log.exception("culture booking %s could not be released", booking_id)
    closed = 0
    with read_session(engine) as session:
        due_years = years_to_close(session, local_day(now))
    for year_id in due_years:
        try:
            atomically(
                lambda s, y=year_id: close_year(s, Actor.system(), y, local_day(now)), engine
            )
            closed += 1
        except DomainError as error:  # bookings still live: the next round tries again
            log.warning("culture year %s not closed yet: %s", year_id, error.code)
    escalated = _escalate_disputes(engine, now)
    notified = _notifications_and_mail(engine, now)
    return {
        **notified,
        "disputes_escalated": escalated,
        "culture_reservations_expired": expired,
        "culture_unrecorded_released": released,
        "culture_years_closed": closed,
    }


def _escalate_disputes(engine: Engine, now: datetime) -> int:
    """Disputes a provider left unanswered for five working days go to the municipality."""
    from navigator.domain.culture.disputes import (
        escalate_culture_dispute,
        overdue_culture_disputes,
    )
    from navigator.domain.disputes.api import escalate_dispute, overdue_disputes

    escalated = 0
    for overdue, escalate in (
        (overdue_disputes, escalate_dispute),
        (overdue_culture_disputes, escalate_culture_dispute),
    ):
        with read_session(engine) as session:
            due = overdue(session, now=now)
        for dispute_id in due:
            try:
                escalated += atomically(
                    lambda s, d=dispute_id, e=escalate: e(s, d, now=now), engine
                )
            except Exception:  # one broken item never stops the others
                log.exception("dispute %s could not be escalated", dispute_id)
    return escalated


def _notifications_and_mail(engine: Engine, now: datetime) -> dict[str, int]:
    """Expiry warnings, a letter per event, the daily digests; then a mail round, which also
    retries letters an SMTP server refused or could not take."""
    from navigator.domain.notifications.delivery import run_notification_jobs
    from navigator.domain.shared.mail import deliver_now

    try:
        done = run_notification_jobs(engine, now)
    except Exception:  # the next round tries again
        log.exception("notification jobs failed")
        done = {}
    deliver_now(engine)
    return done


@dataclass
class Scheduler:
    engine: Engine
    every_seconds: float = EVERY_SECONDS
    standby_seconds: float = 1.0
    defers: bool = False  # a worker's, which the background process takes back (Leadership)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from search.relay import Leadership

        with Leadership(
            self.engine, JOBS_LEADER_KEY, "scheduled-jobs", defers=self.defers
        ) as leadership:
            try:  # the process started first leads from the start (navigator.background)
                leadership.hold()
            except Exception:
                log.warning("scheduled jobs: the leader lock could not be asked", exc_info=True)
            # the lock is asked every `standby_seconds` (a standby takes over, a worker steps
            # down for the background process, within about that); a round runs every period
            due = time.monotonic() + self.every_seconds
            while not self._stop.wait(min(self.standby_seconds, self.every_seconds)):
                try:
                    if not leadership.hold() or time.monotonic() < due:
                        continue
                    due = time.monotonic() + self.every_seconds
                    run_due_jobs(self.engine)
                except Exception:  # the database away for a moment: the next round tries again
                    log.warning("scheduled jobs: round failed", exc_info=True)

    def stop(self) -> None:
        self._stop.set()


@asynccontextmanager
async def scheduled_jobs() -> AsyncIterator[None]:
    """The app's lifespan task: the scheduler runs in a thread for as long as the app does."""
    from navigator.domain.shared.db import get_engine

    scheduler = Scheduler(get_engine(), defers=True)
    thread = threading.Thread(target=scheduler.run, name="scheduled-jobs", daemon=True)
    thread.start()
    try:
        yield
    finally:
        scheduler.stop()
        thread.join(timeout=10)
