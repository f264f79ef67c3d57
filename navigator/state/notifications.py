"""The bell's unread count (every signed-in page) and /notifications: the list, marking
read, the mail preference. Every handler re-reads who is asking; ids are looked up among
that person's own notifications only."""

from __future__ import annotations

from typing import Any

import reflex as rx

from navigator import routes
from navigator.domain.accounts.access import Actor, is_operator
from navigator.domain.accounts.signin import user_for_token
from navigator.domain.certificates.queries import home_municipalities
from navigator.domain.culture.access import VILNIUS, is_culture_operator, schools_of
from navigator.domain.municipalities.queries import municipalities, municipalities_of
from navigator.domain.notifications.centre import (
    get_preference,
    list_notifications,
    mark_all_read,
    mark_read,
    set_preference,
    undelivered_mail,
    unread_count,
)
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import atomically, read_session
from navigator.domain.shared.errors import DomainError, NotFound
from navigator.i18n import text
from navigator.i18n.formatting import format_moment
from navigator.state.app import AppState
from navigator.state.threaded import in_thread_unshed


def _own_timezone(session: Any, actor: Actor) -> str:
    """The clock the person lives by: the municipality they administer, their provider's,
    the one their children live in; the culture pass's for its coordinators and operator;
    UTC for anyone else. The first role in that order decides for a person with several."""
    every = municipalities(session)
    if not is_operator(session, actor):  # the platform's operator is shown every one
        for administered in municipalities_of(session, actor):
            return administered.timezone
    for provider in providers_of(session, actor):
        return next(m.timezone for m in every if m.id == provider.municipality_id)
    for code in home_municipalities(session, actor):
        return next(m.timezone for m in every if m.code == code)
    if schools_of(session, actor) or is_culture_operator(session, actor):
        return VILNIUS.key
    return "UTC"


class BellState(AppState):
    unread: int = 0

    @rx.event
    @in_thread_unshed
    def load_bell(self) -> None:
        """Cheap on purpose (the session and one count): the header asks on every page."""
        with read_session() as session:
            user = user_for_token(session, self._session_token())
            self.unread = unread_count(session, Actor.user(user.id)) if user else 0


class NotificationsState(BellState):
    items: list[dict[str, Any]] = []
    page: int = 0
    has_more: bool = False
    mode: str = "instant"
    digests: bool = True
    error: str = ""
    notice: str = ""
    pref_error: str = ""  # the preference form answers beside its button
    pref_notice: str = ""
    undelivered: str = ""  # letters to the person's address do not arrive: what the server said
    _timezone: str = "UTC"  # the person's own clock (`_own_timezone`), read with the list

    def _refresh(self, actor: Actor) -> None:
        with read_session() as session:
            shown = list_notifications(session, actor, self.lang, self.page)
            self._timezone = _own_timezone(session, actor)
        self.items = [
            {
                "id": item.id,
                "line": item.line,
                "link": item.link,
                "unread": item.unread,
                "when": format_moment(item.created_at, self.lang, self._timezone),
            }
            for item in shown.items
        ]
        self.unread, self.has_more = shown.unread, shown.has_more

    @rx.event
    def load(self):
        self.error = self.notice = ""
        actor = self._actor()
        if actor is None:
            self.items = []
            return rx.redirect(routes.login_then(routes.NOTIFICATIONS))
        self.page = 0
        self._refresh(actor)
        with read_session() as session:
            preference = get_preference(session, actor)
            refused = undelivered_mail(session, actor)
        self.mode, self.digests = preference.mode, preference.digests
        self.undelivered = (
            text(
                "notifications.undelivered",
                self.lang,
                email=refused.email,
                when=format_moment(refused.given_up_at, self.lang, self._timezone),
                answer=refused.answer,
            )
            if refused
            else ""
        )
        return None

    def _act(self, work) -> Actor | None:
        self.error = self.notice = ""
        actor = self._actor()
        if actor is None:
            self.error = self._message(NotFound())
            return None
        try:
            atomically(lambda session: work(session, actor))
        except DomainError as error:
            self.error = self._message(error)
            return None
        return actor

    @rx.event
    def read_one(self, notification_id: int) -> None:
        actor = self._act(lambda s, a: mark_read(s, a, notification_id))
        if actor is not None:
            self._refresh(actor)

    @rx.event
    def read_all(self) -> None:
        actor = self._act(mark_all_read)
        if actor is not None:
            self._refresh(actor)
            self.notice = text("notifications.all_read", self.lang)

    @rx.event
    def show_page(self, page: int) -> None:
        actor = self._actor()
        if actor is None or not isinstance(page, int) or isinstance(page, bool):
            return
        previous, self.page = self.page, max(page, 0)
        try:
            self._refresh(actor)
        except DomainError as error:
            self.page = previous
            self.error = self._message(error)

    @rx.event
    def save_preference(self, form: dict) -> None:
        mode = form.get("mode", self.mode) if isinstance(form, dict) else None
        digests = self.digests  # the checkbox is controlled: its state is the answer
        chosen = mode if isinstance(mode, str) else ""
        actor = self._act(lambda s, a: set_preference(s, a, chosen, digests))
        self.pref_error, self.error = self.error, ""
        self.pref_notice = ""
        if actor is not None:
            self.mode, self.digests = chosen, digests
            self.pref_notice = text("notifications.saved", self.lang)

    @rx.event
    def set_mode(self, value: str) -> None:
        if value in ("instant", "digest", "required"):
            self.mode = value

    @rx.event
    def toggle_digests(self, checked: bool) -> None:
        self.digests = checked is True
