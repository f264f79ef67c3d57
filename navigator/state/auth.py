"""The sign-in, registration and password pages: they only show what the URL says.

The forms post to `/auth/...` (navigator.api.session), which set the cookie and answer
with a redirect; an error comes back as a code in the URL. Only codes from the message
table are shown, with their own values, so the URL cannot put words on the page.
"""

from __future__ import annotations

import reflex as rx

from navigator import routes
from navigator.domain.accounts.api import MIN_PASSWORD_LENGTH
from navigator.domain.accounts.signin import ATTEMPT_WINDOW
from navigator.domain.accounts.throttle import WINDOW_MINUTES
from navigator.domain.culture.coordinators import coordinator_invitation
from navigator.domain.municipalities.queries import municipalities
from navigator.domain.providers.models import ProviderKind
from navigator.domain.providers.staff import invitation_for_token
from navigator.domain.shared.db import read_session
from navigator.domain.shared.errors import DomainError
from navigator.i18n import has_message, text, translate, value_label
from navigator.state.app import LABELS_LANG, AppState
from navigator.state.threaded import in_thread_unshed

ERROR_VALUES: dict[str, dict[str, object]] = {
    "too_many_attempts": {"minutes": int(ATTEMPT_WINDOW.total_seconds() // 60)},
    "too_many_requests": {"minutes": WINDOW_MINUTES},
    "password_too_short": {"min": MIN_PASSWORD_LENGTH},
    "field_too_long": {"field": "password", "max_length": 256},
}
NOTICES = ("password_changed", "email_confirmed")


class AuthState(AppState):
    error: str = ""
    notice: str = ""
    email: str = ""
    next_path: str = ""  # empty until the page has read its URL: the server asks the Referer
    token: str = ""
    challenge: str = ""  # the second step of a two-factor sign-in is due
    sent: bool = False

    def _holds_personal_data(self) -> bool:
        return False  # public: nothing to forget when the person changes

    @rx.event
    def load(self) -> None:
        self.page_lang = self.lang  # the labels follow the tab's language
        self._user_id()
        params = self.router.url.query_parameters
        code = params.get("error") or ""
        self.error = (
            translate(code, self.lang, **ERROR_VALUES.get(code, {})) if has_message(code) else ""
        )
        notice = params.get("notice") or ""
        self.notice = text(notice, self.lang) if notice in NOTICES else ""
        self.email = (params.get("email") or "")[:254]
        next_path = params.get("next") or routes.CABINET
        self.next_path = (
            next_path
            if next_path.startswith("/") and not next_path.startswith("//")
            else routes.CABINET
        )
        self.token = (params.get("token") or "")[:200]
        self.challenge = (params.get("challenge") or "")[:200]
        self.sent = params.get("sent") == "1"

    # [id, name] of every municipality, by name: read by the provider registration page's
    # load, not a computed var (one would be computed when the frontend is built, and a list
    # that gained a municipality since would change under a person's choice as the page loads)
    municipality_choices: list[list[str]] = []

    @rx.event
    @in_thread_unshed
    def load_municipalities(self) -> None:
        with read_session() as session:
            self.municipality_choices = [[str(m.id), m.name] for m in municipalities(session)]

    page_lang: str = LABELS_LANG  # its labels' language, set by its page's load

    @rx.var
    def kind_choices(self) -> list[list[str]]:
        return [[k.value, value_label(k.value, self.page_lang)] for k in ProviderKind]


class InviteState(AuthState):
    """/invite?token=...: whom the invitation is from, and whether the address has an account."""

    valid: bool = False
    provider_name: str = ""
    invited_email: str = ""
    role: str = ""
    has_account: bool = False

    @rx.event
    def load_invitation(self) -> None:
        self.load()
        self.valid = False
        try:
            with read_session() as session:
                view = invitation_for_token(session, self.token)
        except DomainError as error:
            self.error = self.error or error.message(self.lang)
            return
        self.valid = True
        self.provider_name, self.invited_email = view.provider_name, view.email
        self.role = value_label(view.role, self.lang)
        self.has_account = view.has_account


class CultureInviteState(AuthState):
    """/culture/invite?token=...: which school the invitation is for, and whether the address
    has an account."""

    valid: bool = False
    school_name: str = ""
    invited_email: str = ""
    has_account: bool = False

    @rx.event
    def load_invitation(self) -> None:
        self.load()
        self.valid = False
        try:
            with read_session() as session:
                view = coordinator_invitation(session, self.token)
        except DomainError as error:
            self.error = self.error or error.message(self.lang)
            return
        self.valid = True
        self.school_name, self.invited_email = view.school_name, view.email
        self.has_account = view.has_account
