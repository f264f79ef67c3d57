"""Sign in, register, forgot password, new password: plain forms that post to /auth/..."""

import reflex as rx

from navigator import routes
from navigator.components.forms import input_field
from navigator.components.layout import error_text, native_form, notice_text, page
from navigator.state.auth import AuthState, CultureInviteState, InviteState

T = AuthState.t


def _email(**props) -> rx.Component:
    return input_field(
        T["email"], id="email", name="email", kind="email", wide=True, required=True, **props
    )


def _password(auto_complete: str) -> rx.Component:
    return input_field(
        T["password"],
        id="password",
        name="password",
        kind="password",
        wide=True,
        auto_complete=auto_complete,
        required=True,
    )


def _new_password() -> tuple[rx.Component, ...]:
    """A new password, its rules, and the same again."""
    return (
        _password("new-password"),
        rx.text(T["password_rules"], size="1", color_scheme="gray"),
        input_field(
            T["password_again"],
            id="password_again",
            name="password_again",
            kind="password",
            wide=True,
            auto_complete="new-password",
            required=True,
        ),
    )


def _form(action: str, *fields: rx.Component, submit_key: str) -> rx.Component:
    return native_form(
        rx.vstack(
            *fields,
            rx.button(T[submit_key], type="submit", id="submit"),
            spacing="3",
            align="start",
        ),
        action=action,
        class_name="auth-form",
    )


def login_page() -> rx.Component:
    return page(
        rx.heading(T["sign_in_title"], size="6", as_="h1"),
        notice_text(AuthState.notice, "auth-notice"),
        error_text(AuthState.error, "auth-error"),
        rx.cond(
            AuthState.challenge != "",
            _form(
                routes.AUTH_LOGIN_CODE,
                rx.text(T["two_factor_step"], size="2"),
                input_field(
                    T["two_factor_code"],
                    id="code",
                    name="code",
                    required=True,
                    auto_complete="one-time-code",
                    input_mode="text",
                    max_length=20,
                    auto_focus=True,
                ),
                rx.el.input(type="hidden", name="challenge", value=AuthState.challenge),
                rx.el.input(type="hidden", name="next", value=AuthState.next_path),
                submit_key="nav_sign_in",
            ),
            _form(
                routes.AUTH_LOGIN,
                _email(default_value=AuthState.email, auto_complete="username"),
                _password("current-password"),
                rx.el.input(type="hidden", name="next", value=AuthState.next_path),
                submit_key="nav_sign_in",
            ),
        ),
        rx.link(T["forgot_password"], href=routes.PASSWORD_FORGOT),
        rx.link(T["no_account"], href=routes.REGISTER),
    )


def register_page() -> rx.Component:
    return page(
        rx.heading(T["register_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        _form(
            routes.AUTH_REGISTER,
            _email(default_value=AuthState.email, auto_complete="username"),
            *_new_password(),
            submit_key="create_account",
        ),
        rx.link(T["have_account"], href=routes.LOGIN),
        rx.link(
            T["provider_register_link"], href=routes.PROVIDER_REGISTER, id="provider-register-link"
        ),
    )


def forgot_page() -> rx.Component:
    return page(
        rx.heading(T["forgot_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        rx.cond(
            AuthState.sent,
            rx.callout(T["link_sent"], role="status", id="link-sent", high_contrast=True),
            _form(
                routes.AUTH_PASSWORD_FORGOT,
                _email(default_value=AuthState.email),
                submit_key="send_link",
            ),
        ),
    )


def reset_page() -> rx.Component:
    return page(
        rx.heading(T["new_password_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        _form(
            routes.AUTH_PASSWORD_RESET,
            rx.el.input(type="hidden", name="token", value=AuthState.token),
            *_new_password(),
            submit_key="save_password",
        ),
    )


def invite_page() -> rx.Component:
    s = InviteState
    return page(
        rx.heading(T["invite_title"], size="6", as_="h1"),
        error_text(s.error, "auth-error"),
        rx.cond(
            s.valid,
            rx.vstack(
                rx.text(
                    T["invite_from"],
                    " ",
                    rx.text.strong(s.provider_name, id="invite-provider"),
                    " (",
                    s.role,
                    "), ",
                    rx.text.span(s.invited_email, id="invite-email"),
                ),
                rx.cond(
                    s.has_account,
                    _form(
                        routes.AUTH_INVITE,
                        rx.el.input(type="hidden", name="token", value=s.token),
                        rx.text(T["invite_existing_account"], size="2"),
                        _password("current-password"),
                        submit_key="accept_invitation",
                    ),
                    _form(
                        routes.AUTH_INVITE,
                        rx.el.input(type="hidden", name="token", value=s.token),
                        *_new_password(),
                        submit_key="accept_invitation",
                    ),
                ),
                align="start",
                width="100%",
            ),
        ),
    )


def culture_invite_page() -> rx.Component:
    s = CultureInviteState
    return page(
        rx.heading(T["culture_invite_title"], size="6", as_="h1"),
        error_text(s.error, "auth-error"),
        rx.cond(
            s.valid,
            rx.vstack(
                rx.text(
                    T["culture_invite_from"],
                    " ",
                    rx.text.strong(s.school_name, id="invite-school"),
                    ", ",
                    rx.text.span(s.invited_email, id="invite-email"),
                ),
                rx.cond(
                    s.has_account,
                    _form(
                        routes.AUTH_CULTURE_INVITE,
                        rx.el.input(type="hidden", name="token", value=s.token),
                        rx.text(T["invite_existing_account"], size="2"),
                        _password("current-password"),
                        submit_key="accept_invitation",
                    ),
                    _form(
                        routes.AUTH_CULTURE_INVITE,
                        rx.el.input(type="hidden", name="token", value=s.token),
                        *_new_password(),
                        submit_key="accept_invitation",
                    ),
                ),
                align="start",
                width="100%",
            ),
        ),
    )
