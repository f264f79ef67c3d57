"""A parent's private calendar link (/calendar/<token>.ics) and the iCalendar it serves.

The link is made when the parent asks for it, replaced or turned off by the parent, and is
all a calendar app needs: whoever holds it reads the family's lessons, so the token is 256
random bits and the calendar names each child by the first name only, with no certificate,
money or surname. A token that is malformed, unknown or revoked gets one and the same
answer (None here, 404 over HTTP).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from navigator.domain.accounts.access import Actor, check_parent
from navigator.domain.accounts.models import User
from navigator.domain.enrollment.calendar import FamilyLesson, family_lessons, family_today
from navigator.domain.enrollment.models import CalendarFeed
from navigator.domain.shared.errors import NotFound
from navigator.domain.shared.ical import Event, calendar
from navigator.domain.shared.locks import locked
from navigator.domain.shared.models import utcnow
from navigator.i18n import translate, value_label

TOKEN_BYTES = 32  # 256 bits; token_urlsafe writes them as 43 characters
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
FEED_DAYS_BACK = 28  # the last four weeks, so a lesson just missed is still there
FEED_DAYS_AHEAD = 400  # to the end of the children's groups, and never further
MAX_FEED_EVENTS = 3000
PRODUCT = "-//Navigator//Lessons//EN"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_feed(session: Session, actor: Actor) -> CalendarFeed | None:
    """The parent's link while it works; None before the first one and once turned off."""
    user_id = check_parent(session, actor)
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def open_feed(session: Session, actor: Actor) -> CalendarFeed:
    """The parent's link, made now when there is none."""
    user_id = check_parent(session, actor)
    locked(session, User, user_id)  # two tabs asking at once make one link
    return live_feed(session, actor) or _new_feed(session, user_id)


def renew_feed(session: Session, actor: Actor) -> CalendarFeed:
    """A new link; the old one stops working at once (it was shared by mistake, a phone
    was lost)."""
    user_id = check_parent(session, actor)
    locked(session, User, user_id)
    _revoke(session, actor)
    return _new_feed(session, user_id)


def revoke_feed(session: Session, actor: Actor) -> None:
    """Turns the link off; a calendar subscribed to it keeps only what it already read."""
    user_id = check_parent(session, actor)
    locked(session, User, user_id)
    _revoke(session, actor)


def _revoke(session: Session, actor: Actor) -> None:
    feed = live_feed(session, actor)
    if feed is not None:
        feed.revoked_at = utcnow()
        session.add(feed)
        session.flush()  # before a new live link takes its place (one live link a parent)


def _new_feed(session: Session, user_id: int) -> CalendarFeed:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(user_id=user_id, token_hash=_hash(token), token=token)
    session.add(feed)
    session.flush()
    return feed


def feed_calendar(
    session: Session,
    token: str,
    *,
    uid_domain: str = "navigator",
    now: datetime | None = None,
    today: date | None = None,
) -> str | None:
    """The iCalendar of a live link's family, from four weeks back to the end of their
    groups; None for anything that is not a live link. Today is the family's own date
    unless given."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))).first()
    if feed is None or feed.revoked_at is not None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    actor = Actor.user(feed.user_id)
    now = now or utcnow()
    try:
        today = today or family_today(session, actor)
        lessons = family_lessons(
            session,
            actor,
            today - timedelta(days=FEED_DAYS_BACK),
            today + timedelta(days=FEED_DAYS_AHEAD),
            with_pending=False,
        )
    except NotFound:
        return None  # no longer a parent's account
    language = user.locale
    return calendar(
        (_event(lesson, uid_domain, language) for lesson in lessons[:MAX_FEED_EVENTS]),
        name=translate("calendar_feed_name", language),
        product=PRODUCT,
        stamp=now,
    )


def _event(lesson: FamilyLesson, uid_domain: str, language: str) -> Event:
    """One lesson: "Аня: Робототехника", its place, its group and how it was marked. A
    lesson whose hours the provider has not set yet takes the whole day."""
    timed = lesson.starts_at is not None and lesson.ends_at is not None
    place = lesson.address or (value_label("online", language) if lesson.online else "")
    notes = [lesson.group_name]
    if lesson.mark:
        notes.append(value_label(lesson.mark, language))
    return Event(
        uid=f"lesson-{lesson.enrollment_id}-{lesson.day:%Y%m%d}@{uid_domain}",
        starts=lesson.starts_at if timed else lesson.day,  # type: ignore[arg-type]
        ends=lesson.ends_at if timed else lesson.day + timedelta(days=1),  # type: ignore[arg-type]
        summary=f"{lesson.child_first_name}: {lesson.program_title}",
        location=place,
        description="\n".join(notes),
    )
