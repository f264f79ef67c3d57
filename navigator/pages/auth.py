"""Sign in, register, forgot password, new password: plain forms that post to /auth/..."""

import reflex as rx

from navigator.components.layout import error_text, native_form, notice_text, page
from navigator.state.auth import AuthState, InviteState

T = AuthState.t


def _field(label_key: str, name: str, kind: str = "text", **props) -> rx.Component:
    return rx.el.div(
        rx.el.label(T[label_key], html_for=name),
        rx.el.input(id=name, name=name, type=kind, class_name="native-input wide", **props),
        class_name="field",
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
        _form(
            "/auth/login",
            _field(
                "email",
                "email",
                "email",
                default_value=AuthState.email,
                auto_complete="username",
                required=True,
            ),
            _field(
                "password", "password", "password", auto_complete="current-password", required=True
            ),
            rx.el.input(type="hidden", name="next", value=AuthState.next_path),
            submit_key="nav_sign_in",
        ),
        rx.link(T["forgot_password"], href="/password/forgot"),
        rx.link(T["no_account"], href="/register"),
    )


def register_page() -> rx.Component:
    return page(
        rx.heading(T["register_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        _form(
            "/auth/register",
            _field(
                "email",
                "email",
                "email",
                default_value=AuthState.email,
                auto_complete="username",
                required=True,
            ),
            _field("password", "password", "password", auto_complete="new-password", required=True),
            rx.text(T["password_rules"], size="1", color_scheme="gray"),
            _field(
                "password_again",
                "password_again",
                "password",
                auto_complete="new-password",
                required=True,
            ),
            submit_key="create_account",
        ),
        rx.link(T["have_account"], href="/login"),
        rx.link(
            T["provider_register_link"], href="/provider/register", id="provider-register-link"
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
                "/auth/password/forgot",
                _field("email", "email", "email", default_value=AuthState.email, required=True),
                submit_key="send_link",
            ),
        ),
    )


def reset_page() -> rx.Component:
    return page(
        rx.heading(T["new_password_title"], size="6", as_="h1"),
        error_text(AuthState.error, "auth-error"),
        _form(
            "/auth/password/reset",
            rx.el.input(type="hidden", name="token", value=AuthState.token),
            _field("password", "password", "password", auto_complete="new-password", required=True),
            rx.text(T["password_rules"], size="1", color_scheme="gray"),
            _field(
                "password_again",
                "password_again",
                "password",
                auto_complete="new-password",
                required=True,
            ),
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
                        "/auth/invite",
                        rx.el.input(type="hidden", name="token", value=s.token),
                        rx.text(T["invite_existing_account"], size="2"),
                        _field(
                            "password",
                            "password",
                            "password",
                            auto_complete="current-password",
                            required=True,
                        ),
                        submit_key="accept_invitation",
                    ),
                    _form(
                        "/auth/invite",
                        rx.el.input(type="hidden", name="token", value=s.token),
                        _field(
                            "password",
                            "password",
                            "password",
                            auto_complete="new-password",
                            required=True,
                        ),
                        rx.text(T["password_rules"], size="1", color_scheme="gray"),
                        _field(
                            "password_again",
                            "password_again",
                            "password",
                            auto_complete="new-password",
                            required=True,
                        ),
                        submit_key="accept_invitation",
                    ),
                ),
                align="start",
                width="100%",
            ),
        ),
    )
