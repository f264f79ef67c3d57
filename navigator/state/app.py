"""The state every page shares: the language and who is signed in.

Who is signed in is decided on the server from the HttpOnly session cookie that the
browser sends with the websocket handshake; the browser never sees the token or the
user's id. Each protected handler asks `_user_id()` again, so signing out in another
tab or an expired session takes effect at once.
"""

from __future__ import annotations

import reflex as rx
from starlette.requests import cookie_parser

from navigator.domain.accounts.access import Actor
from navigator.domain.accounts.signin import user_for_token
from navigator.domain.municipalities.queries import municipalities_of
from navigator.domain.providers.queries import providers_of
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from navigator.i18n import ui_strings
from navigator.locale import LOCALE_COOKIE, SESSION_COOKIE, choose_locale
from navigator.settings import SUPPORTED_LOCALES

YEAR_SECONDS = 365 * 24 * 3600


class AppState(rx.State):
    locale_choice: str = rx.Cookie("", name=LOCALE_COOKIE, max_age=YEAR_SECONDS, same_site="lax")
    signed_in: bool = False
    user_email: str = ""
    is_provider: bool = False
    is_admin: bool = False

    @rx.var
    def lang(self) -> str:
        return choose_locale(self.locale_choice, self.router.headers.accept_language)

    @rx.var
    def t(self) -> dict[str, str]:
        return ui_strings(self.lang)

    @rx.event
    def set_language(self, code: str) -> None:
        if code in SUPPORTED_LOCALES:
            self.locale_choice = code

    def _session_token(self) -> str | None:
        # the same lenient parser as the HTTP side: one malformed cookie must not hide ours
        return cookie_parser(self.router.headers.cookie or "").get(SESSION_COOKIE)

    def _user_id(self) -> int | None:
        """The signed-in user, checked against the session table now; None when signed out."""
        with read_session() as session:
            user = user_for_token(session, self._session_token())
            self.signed_in = user is not None
            self.user_email = user.email if user else ""
            self.is_provider = user is not None and bool(providers_of(session, Actor.user(user.id)))
            self.is_admin = user is not None and bool(
                municipalities_of(session, Actor.user(user.id))
            )
            return user.id if user else None

    def _actor(self) -> Actor | None:
        user_id = self._user_id()
        return Actor.user(user_id) if user_id is not None else None

    def _message(self, error: DomainError) -> str:
        return error.message(self.lang)
