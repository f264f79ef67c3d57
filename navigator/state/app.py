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
from navigator.domain.accounts.confirmation import send_confirmation
from navigator.domain.culture.access import HeaderRoles, header_person
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError, NotFound
from navigator.domain.shared.mail import deliver_after_commit
from navigator.i18n import text, ui_strings
from navigator.locale import LOCALE_COOKIE, SESSION_COOKIE, choose_locale
from navigator.settings import SUPPORTED_LOCALES, get_settings

YEAR_SECONDS = 365 * 24 * 3600
REFUSALS_KEPT = 20  # the refusals whose boxes keep their place (AppState.refused)
# A page state's translated labels (choice lists, "12 programs found") are computed from its own
# `page_lang`, which its page's load sets from `lang`, never from `lang` itself: Reflex loads
# a state with every event of any state whose vars its computed vars read, so ten page states'
# labels reading AppState.lang made every event of every page read and write those ten states
# through Redis (13 states an event instead of 3). A language switch reloads the page, so the
# load sets the new one. Until a page's first load has run (a moment after it shows), its
# labels are in the default language.
LABELS_LANG = get_settings().default_locale


def session_token_in(cookie_header: str | None) -> str | None:
    """The session token of a request's Cookie header, with the same lenient parser as the
    HTTP side: one malformed cookie must not hide ours."""
    return cookie_parser(cookie_header or "").get(SESSION_COOKIE)


class AppState(rx.State):
    locale_choice: str = rx.Cookie("", name=LOCALE_COOKIE, max_age=YEAR_SECONDS, same_site="lax")
    signed_in: bool = False
    user_email: str = ""
    is_provider: bool = False
    is_admin: bool = False
    is_coordinator: bool = False  # books culture-pass services for a school
    is_culture_operator: bool = False  # runs the culture pass programme
    # the field the last refusal named (`InvalidInput(field=...)`), its message (shown under
    # that field, components/forms.field), and for each refusal's message the count of the
    # refusal that last said it: a refusal box is drawn anew when its own message is refused
    # again, so the page moves the focus to it (components/layout.error_text), and a box
    # showing another message stays as it is
    error_field: str = ""
    field_error: str = ""
    feedback_serial: int = 0
    refused: dict[str, int] = {}
    # whose data each screen (a substate, by its full name) holds; backend only
    _shown_for: dict[str, int | None] = {}

    # only the language choice and the request's headers: not the URL, so a page that
    # rewrites its URL (the catalog, on every keystroke) does not resend every translation
    @rx.var(deps=["locale_choice", "rx_router_headers"], auto_deps=False)
    def lang(self) -> str:
        return choose_locale(self.locale_choice, self.router.headers.accept_language)

    @rx.var
    def t(self) -> dict[str, str]:
        return ui_strings(self.lang)

    def __getstate__(self):
        """The tab's state as stored between events, without the translations `t` keeps
        (47 KB in the state's 48): every event of every page reads this state from Redis, and
        unpickling them was a tenth of the workers' time in a rush. A stored state worked out
        again reads them from `ui_strings`' cache when it needs them, and still sends them
        only when the language changed."""
        fields = dict(super().__getstate__())  # the instance's own dict: not to be changed
        fields.pop(_TRANSLATIONS_CACHE, None)
        return fields

    @rx.event
    def set_language(self, code: str):
        """The chosen language, remembered in a cookie; the page is read again in it, so
        nothing it already showed (search results, facet values, figures) stays in the old
        one."""
        if code in SUPPORTED_LOCALES and code != self.locale_choice:
            self.locale_choice = code
            return rx.call_script("window.location.reload()")
        return None

    def _session_token(self) -> str | None:
        return session_token_in(self.router.headers.cookie)

    def _user_id(self) -> int | None:
        """The signed-in user, checked against the session table now; None when signed out.

        When it is not the person this screen's data was loaded for (signed out, signed in as
        someone else in another tab, the session expired or was ended by a password reset),
        the screen forgets everything it held before anything else happens.
        """
        with read_session() as session:
            user = header_person(session, self._session_token())
        roles = user.roles if user else HeaderRoles()
        self.signed_in = user is not None
        self.user_email = user.email if user else ""
        self.is_provider = roles.provider
        self.is_admin = roles.admin
        self.is_coordinator = roles.coordinator
        self.is_culture_operator = roles.culture_operator
        person = user.user_id if user else None
        self._forget_other_person(person)
        return person

    def _holds_personal_data(self) -> bool:
        """A screen that shows only public things (the catalog, the sign-in forms) says no."""
        return self.get_full_name() != AppState.get_full_name()

    def _forget_other_person(self, person: int | None) -> None:
        screen = self.get_full_name()  # self may be a background task's proxy of the state
        if not self._holds_personal_data() or self._shown_for.get(screen, person) == person:
            self._shown_for = {**self._shown_for, screen: person}
            return
        self.reset()  # this screen's own vars back to their defaults
        self._shown_for = {**self._shown_for, screen: person}

    def _actor(self) -> Actor | None:
        user_id = self._user_id()
        return Actor.user(user_id) if user_id is not None else None

    def _text(self, error: DomainError) -> str:
        """A domain error's message in the reader's language, as a line or a word among others
        (an import's rejected line, an offer's problem, a card's answer, a notice): the page's
        refusal, and the field it names, stay as they are."""
        return error.message(self.lang)

    def _message(self, error: DomainError) -> str:
        """The refusal of what the person just did, in the reader's language: the page shows
        it anew, under the field it names, which gets the focus (components/layout.error_text).
        Only for the answer to the person's own action: anything else takes `_text`."""
        field = error.params.get("field")
        self.error_field = field if isinstance(field, str) else ""
        self.feedback_serial += 1
        message = self._text(error)
        self.field_error = message if self.error_field else ""
        # the latest refusals only: a box still showing an older one keeps its count
        kept = [(m, n) for m, n in self.refused.items() if m != message][-(REFUSALS_KEPT - 1) :]
        self.refused = {**dict(kept), message: self.feedback_serial}
        return message

    def _resend_confirmation(self) -> tuple[str, str]:
        """Another link confirming the signed-in person's address (a few an hour at most: the
        inbox is never flooded); (error, notice) for the screen that asked."""
        actor = self._actor()
        if actor is None or actor.user_id is None:
            return self._message(NotFound()), ""
        user_id = actor.user_id
        try:
            with transaction() as session:
                send_confirmation(
                    session, user_id, app_url=get_settings().app_url, locale=self.lang
                )
                deliver_after_commit(session)
        except DomainError as error:
            return self._message(error), ""
        return "", text("confirmation_sent", self.lang)


_TRANSLATIONS_CACHE = AppState.computed_vars["t"]._cache_attr
