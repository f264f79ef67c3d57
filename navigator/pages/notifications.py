"""/notifications: every notification, newest first, unread marked, each linking where it
belongs; mark one or all read; how mail comes (each event, a daily digest, only what the law
requires). Phone first: one column of lines."""

import reflex as rx

from navigator.components.forms import checkbox_field, select_field
from navigator.components.layout import error_text, notice_text, page
from navigator.state.notifications import NotificationsState as S

T = S.t


def _line(item) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    item["unread"],
                    rx.badge(T["notifications.unread"], color_scheme="blue", high_contrast=True),
                ),
                rx.text(item["when"], size="1", color_scheme="gray"),
                align="center",
                wrap="wrap",
            ),
            rx.link(
                rx.text(item["line"], weight=rx.cond(item["unread"], "bold", "regular")),
                href=item["link"],
            ),
            rx.cond(
                item["unread"],
                rx.button(
                    T["notifications.mark_read"],
                    on_click=S.read_one(item["id"]),
                    size="1",
                    variant="soft",
                    class_name="mark-read",
                ),
            ),
            align="start",
            spacing="1",
            width="100%",
        ),
        class_name="notification-line",
        style={
            "overflowWrap": "anywhere",
            "padding": "0.5rem 0",
            "borderBottom": "1px solid var(--gray-5)",
        },
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(T["notifications.title"], size="6", as_="h1"),
            rx.cond(
                S.unread > 0,
                rx.button(
                    T["notifications.mark_all_read"],
                    on_click=S.read_all,
                    id="mark-all-read",
                    size="2",
                ),
            ),
            align="center",
            wrap="wrap",
            justify="between",
            width="100%",
        ),
        notice_text(S.notice, "notifications-notice"),
        error_text(S.error, "notifications-error"),
        rx.cond(
            S.items.length() > 0,
            rx.el.ul(
                rx.foreach(S.items, _line),
                id="notification-list",
                style={"listStyle": "none", "padding": 0, "width": "100%"},
            ),
            rx.text(T["notifications.empty"], id="notifications-empty"),
        ),
        rx.hstack(
            rx.cond(
                S.page > 0,
                rx.button(
                    T["notifications.newer"],
                    on_click=S.show_page(S.page - 1),
                    variant="soft",
                    id="newer",
                ),
            ),
            rx.cond(
                S.has_more,
                rx.button(
                    T["notifications.older"],
                    on_click=S.show_page(S.page + 1),
                    variant="soft",
                    id="older",
                ),
            ),
        ),
        align="start",
        width="100%",
    )


def _preferences() -> rx.Component:
    return rx.el.form(
        rx.vstack(
            rx.heading(T["notifications.prefs_title"], size="4", as_="h2"),
            rx.cond(
                S.undelivered != "",
                rx.callout(
                    S.undelivered,
                    icon="triangle_alert",
                    color_scheme="orange",
                    id="undelivered-mail",
                    role="alert",
                ),
            ),
            select_field(
                T["notifications.mode_label"],
                rx.el.option(T["notifications.mode_instant"], value="instant"),
                rx.el.option(T["notifications.mode_digest"], value="digest"),
                rx.el.option(T["notifications.mode_required"], value="required"),
                id="mail-mode",
                name="mode",
                value=S.mode,
                on_change=S.set_mode,
                style={"width": "100%", "maxWidth": "100%", "minWidth": 0},
            ),
            checkbox_field(
                T["notifications.digests"],
                id="digests",
                name="digests",
                checked=S.digests,
                on_change=S.toggle_digests,
            ),
            rx.text(T["notifications.prefs_note"], size="2"),
            error_text(S.pref_error, "preference-error"),
            notice_text(S.pref_notice, "preference-notice"),
            rx.button(T["notifications.save"], type="submit", id="save-preference"),
            align="stretch",  # the select as wide as the screen, never wider
            width="100%",
        ),
        on_submit=S.save_preference,
        id="notification-preferences",
        width="100%",
    )


def notifications_page() -> rx.Component:
    return page(_list(), rx.divider(), _preferences())
