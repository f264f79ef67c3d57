"""Two-factor sign-in: turn it on with a code from an authenticator app, keep the recovery
codes, turn it off with a code."""

import reflex as rx

from navigator.components.forms import input_field
from navigator.components.layout import error_text, notice_text, page
from navigator.state.security import SecurityState as S

T = S.t


def _code_form(handler, submit_key: str, form_id: str) -> rx.Component:
    return rx.el.form(
        rx.vstack(
            input_field(
                T["password"],
                id=form_id + "-password",
                name="password",
                kind="password",
                required=True,
                auto_complete="current-password",
            ),
            input_field(
                T["two_factor_code"],
                id=form_id + "-code",
                name="code",
                required=True,
                auto_complete="one-time-code",
                max_length=20,
            ),
            error_text(S.error, form_id + "-error"),  # the answer next to the field
            rx.button(T[submit_key], type="submit", id=form_id + "-submit"),
            align="start",
        ),
        on_submit=handler,
        reset_on_submit=True,
        id=form_id,
    )


def _setup() -> rx.Component:
    return rx.cond(
        S.setup_secret != "",
        rx.vstack(
            rx.text(T["two_factor_scan"], size="2"),
            rx.link(T["two_factor_open_app"], href=S.setup_uri, id="otpauth-link"),
            rx.code(S.setup_secret, id="totp-secret", size="4"),
            _code_form(S.finish, "two_factor_turn_on", "finish-setup"),
            align="start",
        ),
        rx.vstack(
            error_text(S.error, "security-error"),
            rx.button(T["two_factor_start"], on_click=S.start, id="start-setup"),
            align="start",
        ),
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        S.recovery_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(T["two_factor_recovery_once"], weight="bold"),
                rx.el.ul(
                    rx.foreach(S.recovery_codes, lambda c: rx.el.li(rx.code(c))),
                    id="recovery-codes",
                ),
                align="start",
            ),
            color_scheme="amber",
            high_contrast=True,
            icon="key-round",
        ),
    )


def security_page() -> rx.Component:
    return page(
        rx.heading(T["two_factor_title"], size="6", as_="h1"),
        notice_text(S.notice, "security-notice"),
        _recovery_codes(),
        rx.cond(
            ~S.offered,
            rx.text(T["two_factor_not_offered"], id="two-factor-not-offered"),
            rx.cond(
                S.enabled,
                rx.vstack(
                    rx.text(
                        T["two_factor_is_on"],
                        " ",
                        T["two_factor_codes_left"],
                        " ",
                        S.codes_left,
                        id="two-factor-on",
                    ),
                    rx.heading(T["two_factor_turn_off"], size="4", as_="h2"),
                    _code_form(S.disable, "two_factor_turn_off", "turn-off"),
                    align="start",
                ),
                rx.vstack(
                    rx.text(T["two_factor_explain"], size="2"),
                    _setup(),
                    align="start",
                ),
            ),
        ),
    )
