"""/cabinet/week: the family's lessons week by week, and the private calendar link.

Every handler re-reads the signed-in person and gives them to the domain as the actor: an
account that is not a parent's (a provider's, a municipality's) has no family here and is
answered "not found". The week on screen is kept on the server (`_monday`); the browser only
asks for the one before or after, within two years of today.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import reflex as rx

from navigator import routes
from navigator.domain.enrollment.calendar import FamilyLesson, family_week
from navigator.domain.enrollment.feeds import live_feed, open_feed, renew_feed, revoke_feed
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError, NotFound
from navigator.i18n import text, value_label
from navigator.i18n.formatting import format_day_range, format_weekday_day
from navigator.settings import get_settings
from navigator.state.app import AppState
from navigator.state.formatting import day

MAX_WEEKS_AWAY = 104  # from this week, either way


@dataclasses.dataclass
class LessonCard:
    id: str  # enrollment and date: unique on the page
    time: str  # "16:00–17:30", or that the hours are still to be agreed
    child: str  # the first name
    program: str
    program_id: str
    group: str
    place: str
    pending: bool  # the application waits for the provider
    mark: str  # how the register marked it, in words; "" while it is not marked
    mark_kind: str  # "present", "absent", "excused" or ""


@dataclasses.dataclass
class DayCard:
    date: str  # ISO
    title: str  # "Monday, September 7"
    today: bool
    lessons: list[LessonCard]


class WeekState(AppState):
    is_family: bool = False  # a parent's account: only then is there a week to show
    week_title: str = ""
    days: list[DayCard] = []
    lesson_count: int = 0
    is_this_week: bool = True
    feed_url: str = ""  # https://…/calendar/<token>.ics while the parent has a link
    feed_webcal: str = ""  # the same as webcal://, which opens the calendar app
    feed_since: str = ""  # the day the link was made
    confirming: str = ""  # "renew" or "revoke" while the parent is asked to confirm
    error: str = ""
    notice: str = ""
    _monday: str = ""  # ISO date of the week shown
    _this_monday: str = ""

    # ---------------------------------------------------------------- the week

    def _show_week(self, wanted: date | None) -> bool:
        """Read the week holding `wanted` (this week for None); False when refused."""
        actor = self._actor()
        if actor is None:
            self._clear()
            return False
        lang = self.lang
        try:
            with read_session() as session:
                week = family_week(session, actor, wanted)
                feed = live_feed(session, actor)
        except DomainError as error:
            self._clear()
            self.error = self._message(error)
            return False
        self.is_family = True
        this_monday = week.today - timedelta(days=week.today.weekday())
        self._monday, self._this_monday = week.monday.isoformat(), this_monday.isoformat()
        self.is_this_week = week.monday == this_monday
        self.week_title = format_day_range(week.monday, week.days[-1], lang)
        by_day: dict[date, list[LessonCard]] = {}
        for lesson in week.lessons:
            by_day.setdefault(lesson.day, []).append(_card(lesson, lang))
        self.days = [
            DayCard(d.isoformat(), format_weekday_day(d, lang), d == week.today, by_day.get(d, []))
            for d in week.days
            if d in by_day or d == week.today
        ]
        self.lesson_count = len(week.lessons)
        self._show_feed(feed.token if feed else "", feed.created_at if feed else None)
        return True

    def _show_feed(self, token: str, made: datetime | None) -> None:
        if not token:
            self.feed_url = self.feed_webcal = self.feed_since = ""
            return
        url = get_settings().app_url.rstrip("/") + routes.CALENDAR_FEED + token + ".ics"
        self.feed_url = url
        self.feed_webcal = "webcal://" + url.split("://", 1)[-1]
        self.feed_since = text("calendar_link_since", self.lang, date=day(made, self.lang))

    def _clear(self) -> None:
        self.is_family = False
        self.days, self.lesson_count, self.week_title = [], 0, ""
        self.confirming = ""
        self._show_feed("", None)

    @rx.event
    def load(self):
        self.error = self.notice = self.confirming = ""
        if self._actor() is None:
            self._clear()
            return rx.redirect(routes.login_then(routes.CABINET_WEEK))
        self._show_week(None)
        return None

    def _move(self, weeks: int) -> None:
        self.error = self.notice = ""
        try:
            shown = date.fromisoformat(self._monday)
            this_monday = date.fromisoformat(self._this_monday)
        except ValueError:
            self._show_week(None)
            return
        wanted = shown + timedelta(weeks=weeks)
        if abs((wanted - this_monday).days) > MAX_WEEKS_AWAY * 7:
            return
        self._show_week(wanted)

    @rx.event
    def previous_week(self) -> None:
        self._move(-1)

    @rx.event
    def next_week(self) -> None:
        self._move(1)

    @rx.event
    def this_week(self) -> None:
        self.error = self.notice = ""
        self._show_week(None)

    # ---------------------------------------------------------------- the calendar link

    def _change_feed(self, change, notice: str) -> None:
        self.error = self.notice = ""
        self.confirming = ""
        actor = self._actor()
        if actor is None:
            self._clear()
            self.error = self._message(NotFound())
            return
        try:
            feed = atomically(lambda session: change(session, actor))
        except DomainError as error:
            self.error = self._message(error)
            return
        self._show_feed(feed.token if feed else "", feed.created_at if feed else None)
        self.notice = text(notice, self.lang)

    @rx.event
    def make_feed(self) -> None:
        """The link, made now if the parent has none."""
        self._change_feed(open_feed, "calendar_link_ready")

    @rx.event
    def ask_renew_feed(self) -> None:
        self.notice = ""
        self.confirming = "renew" if self._actor() is not None and self.feed_url else ""

    @rx.event
    def ask_revoke_feed(self) -> None:
        self.notice = ""
        self.confirming = "revoke" if self._actor() is not None and self.feed_url else ""

    @rx.event
    def keep_feed(self) -> None:
        self.confirming = ""

    @rx.event
    def confirm_feed_change(self) -> None:
        """Revoke the link, and make a new one unless the parent turned it off."""
        if self.confirming == "renew":
            self._change_feed(renew_feed, "calendar_link_renewed")
        elif self.confirming == "revoke":
            self._change_feed(revoke_feed, "calendar_link_revoked")

    @rx.event
    def copied(self) -> None:
        """Says the link is on the clipboard (the browser copied it; nothing is read here)."""
        self.error = ""
        self.notice = text("calendar_link_copied", self.lang) if self.feed_url else ""


def _card(lesson: FamilyLesson, lang: str) -> LessonCard:
    if lesson.starts_at is not None and lesson.ends_at is not None:
        hours = f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"
    else:
        hours = text("time_to_be_agreed", lang)
    place = lesson.address or (value_label("online", lang) if lesson.online else "")
    return LessonCard(
        id=f"{lesson.enrollment_id}-{lesson.day.isoformat()}",
        time=hours,
        child=lesson.child_first_name,
        program=lesson.program_title,
        program_id=str(lesson.program_id),
        group=lesson.group_name,
        place=place,
        pending=lesson.pending,
        mark=value_label(lesson.mark, lang) if lesson.mark else "",
        mark_kind=lesson.mark,
    )
