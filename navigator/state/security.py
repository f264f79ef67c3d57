"""/security: two-factor sign-in for staff who move money or rules.

Every handler re-reads the signed-in person; the secret being set up and the recovery codes
live in backend-only vars until shown, and the codes are shown once."""

from __future__ import annotations

import reflex as rx

from navigator import routes
from navigator.domain.accounts.signin import token_hash
from navigator.domain.accounts.two_factor import finish_setup, start_setup, status, turn_off
from navigator.domain.shared.db import read_session, transaction
from navigator.domain.shared.errors import DomainError, NotFound
from navigator.domain.shared.mail import deliver_after_commit
from navigator.i18n import text
from navigator.state.app import AppState


class SecurityState(AppState):
    offered: bool = False
    enabled: bool = False
    codes_left: int = 0
    setup_secret: str = ""  # grouped by four, for typing into an app by hand
    setup_uri: str = ""
    recovery_codes: list[str] = []  # shown once, right after turning it on
    error: str = ""
    notice: str = ""

    def _load_status(self) -> bool:
        actor = self._actor()
        if actor is None:
            self.offered = self.enabled = False
            return False
        with read_session() as session:
            now = status(session, actor)
        self.offered, self.enabled = now.offered, now.enabled
        self.codes_left = now.recovery_codes_left if now.enabled else 0
        return True

    @rx.event
    def load(self):
        self.error = self.notice = ""
        self.recovery_codes = []
        if not self._load_status():
            return rx.redirect(routes.login_then(routes.SECURITY))
        return None

    @rx.event
    def start(self) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        if actor is None:
            self.error = self._message(NotFound())
            return
        try:
            with transaction() as session:
                setup = start_setup(session, actor)
        except DomainError as error:
            self.error = self._message(error)
            return
        secret = setup.secret
        self.setup_secret = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        self.setup_uri = setup.uri

    @rx.event
    def finish(self, form: dict) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        code = form.get("code") if isinstance(form, dict) else None
        if actor is None:
            self.error = self._message(NotFound())
            return
        token = self._session_token() or ""
        password = form.get("password") if isinstance(form, dict) else None
        try:
            with transaction() as session:
                codes = finish_setup(
                    session, actor, code if isinstance(code, str) else "",
                    password=password if isinstance(password, str) else "",
                    keep_token_hash=token_hash(token),
                )  # fmt: skip
                deliver_after_commit(session)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.setup_secret = self.setup_uri = ""
        self.recovery_codes = [f"{c[:5]}-{c[5:]}" for c in codes]
        self.notice = text("two_factor_on", self.lang)
        self._load_status()

    @rx.event
    def disable(self, form: dict) -> None:
        self.error = self.notice = ""
        actor = self._actor()
        code = form.get("code") if isinstance(form, dict) else None
        if actor is None:
            self.error = self._message(NotFound())
            return
        password = form.get("password") if isinstance(form, dict) else None
        try:
            with transaction() as session:
                turn_off(
                    session,
                    actor,
                    code if isinstance(code, str) else "",
                    password=password if isinstance(password, str) else "",
                )
                deliver_after_commit(session)
        except DomainError as error:
            self.error = self._message(error)
            return
        self.recovery_codes = []
        self.notice = text("two_factor_off", self.lang)
        self._load_status()
