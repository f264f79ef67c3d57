"""The page shell: a skip link, the header (catalog, account, language) and the content."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from navigator import routes
from navigator.components.notification_bell import notification_bell
from navigator.state.app import AppState

LANGUAGES = (("ru", "Русский"), ("lt", "Lietuvių"), ("en", "English"))


class NativeForm(BaseHTML):
    """A form the browser itself posts: the way to the cookie-setting /auth endpoints.

    Reflex's own form always stops the browser's submission to run its handler; this
    plain <form> has no handler, so it posts even before the page's script has loaded.
    """

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


def native_form(*children: rx.Component, action: str, **props) -> rx.Component:
    return NativeForm.create(*children, action=action, method="post", **props)


def sign_out_button() -> rx.Component:
    """Posts to /auth/logout. With script on, it first drops the tab's Reflex token, so the
    next page starts from a fresh state and nothing of this family's stays in the tab."""
    return native_form(
        rx.button(
            AppState.t["nav_sign_out"],
            type="submit",
            variant="ghost",
            id="sign-out",
            on_click=[
                rx.prevent_default,
                rx.call_script(
                    "window.sessionStorage.removeItem('token');"
                    " document.getElementById('sign-out-form').submit()"
                ),
            ],
        ),
        action=routes.AUTH_LOGOUT,
        id="sign-out-form",
        style={"display": "inline"},
    )


def language_switcher() -> rx.Component:
    return rx.hstack(
        rx.el.label(AppState.t["language"], html_for="language", class_name="visually-hidden"),
        rx.el.select(
            *[rx.el.option(name, value=code) for code, name in LANGUAGES],
            id="language",
            value=AppState.lang,
            on_change=AppState.set_language,
            class_name="native-select",
        ),
        align="center",
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.text(AppState.t["brand"], size="5", weight="bold"),
                href=routes.HOME,
                underline="none",
            ),
            rx.spacer(),
            rx.el.nav(
                rx.hstack(
                    rx.link(AppState.t["nav_catalog"], href=routes.HOME),
                    rx.link(
                        AppState.t["nav_culture_services"],
                        href=routes.CULTURE_SERVICES,
                        id="nav-culture-services",
                    ),
                    rx.cond(
                        AppState.signed_in,
                        rx.hstack(
                            rx.cond(
                                AppState.is_admin,
                                rx.link(
                                    AppState.t["nav_municipality"],
                                    href=routes.MUNICIPALITY,
                                    id="nav-municipality",
                                ),
                            ),
                            rx.cond(
                                AppState.is_culture_operator,
                                rx.link(
                                    AppState.t["nav_culture_operator"],
                                    href=routes.CULTURE_OPERATOR,
                                    id="nav-culture-operator",
                                ),
                            ),
                            rx.cond(
                                AppState.is_coordinator,
                                rx.link(
                                    AppState.t["nav_culture"],
                                    href=routes.CULTURE,
                                    id="nav-culture",
                                ),
                            ),
                            rx.cond(
                                AppState.is_provider,
                                rx.link(
                                    AppState.t["nav_provider"],
                                    href=routes.PROVIDER,
                                    id="nav-provider",
                                ),
                                rx.link(
                                    AppState.t["nav_cabinet"], href=routes.CABINET, id="nav-cabinet"
                                ),
                            ),
                            rx.cond(  # two-factor sign-in, for staff who move money or rules
                                AppState.is_admin | AppState.is_provider,
                                rx.link(
                                    AppState.t["nav_security"],
                                    href=routes.SECURITY,
                                    id="nav-security",
                                ),
                            ),
                            notification_bell(),
                            sign_out_button(),
                            align="center",
                            wrap="wrap",  # a phone: the links go on two lines, never sideways
                        ),
                        rx.hstack(
                            rx.link(AppState.t["nav_sign_in"], href=routes.LOGIN, id="nav-sign-in"),
                            rx.link(AppState.t["nav_register"], href=routes.REGISTER),
                            align="center",
                        ),
                    ),
                    language_switcher(),
                    align="center",
                    spacing="4",
                    wrap="wrap",
                ),
                aria_label=AppState.t["brand"],
            ),
            align="center",
            wrap="wrap",
            width="100%",
            padding_y="3",
        ),
        class_name="site-header",
    )


def page(*children: rx.Component, title: rx.Var | str = "") -> rx.Component:
    return rx.fragment(
        rx.el.a(
            AppState.t["skip_to_content"],
            href="#content",
            class_name="skip-link",
            # the router handles the click itself, so move the focus as the browser would
            on_click=rx.call_script("document.getElementById('content').focus()"),
        ),
        rx.container(
            header(),
            rx.el.main(
                rx.vstack(*children, spacing="4", width="100%"),
                id="content",
                tab_index=-1,
            ),
            size="4",
            padding_x="3",
            padding_bottom="8",
        ),
    )


WITH_SCRIPT_A_NOTE = rx.Var(
    _js_expr="(typeof window !== 'undefined' && window.navigatorFeedback) ? 'note' : 'alert'",
    _var_type=str,
)


def error_text(message: rx.Var, id: str = "") -> rx.Component:
    """A refusal, shown anew for each one. When it names a field that has its own place for
    a refusal (components/forms.field) in the form the person used, it is shown there, under
    the field, which gets the focus (assets/feedback.js), and this box steps aside; otherwise
    it stays here, kept in view while the person scrolls, the focus on the field it names if
    there is one. Either way it is read out once: with the field it names as that takes the
    focus, or as an alert. Without the script the box shows it all the same."""
    # the field only when this message is the refusal that named it
    names_field = message == AppState.field_error
    callout = rx.callout(
        message,
        color_scheme="red",
        high_contrast=True,
        # a note when it names a field and the script is there to read it out with that
        # field; an alert otherwise (no script: the box is all there is)
        role=rx.cond(names_field, WITH_SCRIPT_A_NOTE, "alert") if id else "alert",
        id=id or None,
        tab_index=-1 if id else None,
        width="100%",
        class_name="feedback",
        custom_attrs={"data-field": rx.cond(names_field, AppState.error_field, "")},
        # steps aside only while its message is under its field, and only while it is the
        # refusal naming that field (a later refusal brings it back here); the message under
        # the field is looked for, not remembered: when React draws that field anew, the
        # message there is gone and this box says it again (a browser without :has() shows
        # both, never neither)
        style=(
            {
                f"body:has(.field-error[data-placed='{id}']) &[data-placement='field']"
                "[data-field]:not([data-field=''])": {"display": "none"}
            }
            if id
            else {}
        ),
        **(
            {
                # the script may have failed to load: the box then says it all the same
                "on_mount": rx.call_script(
                    f"window.navigatorFeedback && window.navigatorFeedback({id!r})"
                ),
                "on_unmount": rx.call_script(
                    f"window.navigatorFeedbackDone && window.navigatorFeedbackDone({id!r})"
                ),
            }
            if id
            else {}
        ),
    )
    # drawn anew (its mount hook runs again) when its message changes or is refused again,
    # never for another box's refusal (AppState.refused); keyed outside the callout: its
    # mount hook lives in the callout's own component, which a key on the callout itself
    # would not mount again
    refused = cast(rx.vars.ObjectVar, AppState.refused)
    again = message.to(str) + ":" + refused[message].to_string()
    return rx.cond(message != "", rx.fragment(callout, key=again))


def notice_text(message: rx.Var, id: str = "") -> rx.Component:
    """What was done, kept in view while the person scrolls (a toast that stays until the
    next action), announced politely."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            color_scheme="green",
            high_contrast=True,
            role="status",
            id=id or None,
            width="100%",
            class_name="feedback",
        ),
    )


def data_table(label: rx.Var, headers: list[rx.Var], body: rx.Component, **props) -> rx.Component:
    """A plain table in a keyboard-scrollable region (narrow screens scroll it sideways)."""
    return rx.el.div(
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, scope="col") for h in headers])),
            rx.el.tbody(body),
            class_name="data-table",
            **props,
        ),
        role="region",
        aria_label=label,
        tab_index=0,
        class_name="table-scroll",
    )


def confirmation_callout(message: rx.Var, resend: rx.EventHandler) -> rx.Component:
    """While the person's address waits for its link: what to do, and another link."""
    return rx.cond(
        message != "",
        rx.callout(
            rx.vstack(
                rx.text(message),
                rx.button(
                    AppState.t["resend_link"],
                    size="1",
                    variant="solid",
                    on_click=resend,
                    id="resend-confirmation",
                ),
                align="start",
            ),
            icon="mail",
            color_scheme="amber",
            high_contrast=True,
            id="confirm-banner",
        ),
    )
