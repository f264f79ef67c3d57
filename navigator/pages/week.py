"""The family's week: each day's lessons as cards (a phone first), and the calendar link."""

import reflex as rx

from navigator import routes
from navigator.components.layout import error_text, notice_text, page
from navigator.state.week import WeekState as S

T = S.t

WRAP_ANYWHERE = {"overflow_wrap": "anywhere", "min_width": "0"}


def _lesson(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.text(item.time, weight="bold", size="3", class_name="lesson-time"),
            rx.text(
                rx.text.span(item.child, weight="bold", class_name="lesson-child"),
                ": ",
                rx.link(item.program, href=routes.PROGRAM + item.program_id),
                size="3",
                style=WRAP_ANYWHERE,
            ),
            rx.text(item.group, size="2", color_scheme="gray", style=WRAP_ANYWHERE),
            rx.cond(
                item.place != "",
                rx.text(item.place, size="2", style=WRAP_ANYWHERE, class_name="lesson-place"),
            ),
            rx.hstack(
                rx.cond(
                    item.pending,
                    rx.badge(T["week_pending"], color_scheme="amber", class_name="lesson-pending"),
                ),
                rx.cond(
                    item.mark != "",
                    rx.badge(
                        item.mark,
                        color_scheme=rx.match(
                            item.mark_kind, ("present", "green"), ("absent", "red"), "gray"
                        ),
                        high_contrast=True,
                        class_name="lesson-mark",
                    ),
                ),
                wrap="wrap",
            ),
            spacing="1",
            align="start",
            width="100%",
        ),
        padding_y="2",
        border_top="1px solid var(--gray-a5)",
        width="100%",
        class_name="week-lesson",
        id="lesson-" + item.id,
    )


def _day(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(item.title, size="4", as_="h2"),
                rx.cond(item.today, rx.badge(T["week_today"], high_contrast=True)),
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                item.lessons.length() == 0,
                rx.text(T["week_no_lessons_today"], size="2", color_scheme="gray"),
                rx.foreach(item.lessons, _lesson),
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        outline=rx.cond(item.today, "2px solid var(--accent-9)", "none"),
        aria_current=rx.cond(item.today, "date", "false"),
        class_name=rx.cond(item.today, "week-day week-today", "week-day"),
    )


def _week_nav() -> rx.Component:
    return rx.vstack(
        rx.text(S.week_title, size="4", weight="bold", id="week-title", role="status"),
        rx.hstack(
            rx.button(
                T["week_previous"], variant="soft", on_click=S.previous_week, id="week-previous"
            ),
            rx.button(T["week_next"], variant="soft", on_click=S.next_week, id="week-next"),
            rx.cond(
                ~S.is_this_week,
                rx.button(T["week_this"], variant="outline", on_click=S.this_week, id="week-this"),
            ),
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _feed_confirmation() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text(
                rx.cond(
                    S.confirming == "renew",
                    T["calendar_renew_confirm"],
                    T["calendar_revoke_confirm"],
                ),
                weight="bold",
            ),
            rx.hstack(
                rx.button(
                    rx.cond(S.confirming == "renew", T["calendar_renew"], T["calendar_revoke"]),
                    color_scheme="red",
                    on_click=S.confirm_feed_change,
                    id="confirm-feed-change",
                ),
                rx.button(T["keep"], variant="soft", on_click=S.keep_feed),
                wrap="wrap",
            ),
            align="start",
        ),
        role="alertdialog",
        color_scheme="amber",
        high_contrast=True,
        width="100%",
    )


def _feed() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["calendar_title"], size="4", as_="h2"),
            rx.text(T["calendar_explain"], size="2"),
            rx.cond(
                S.feed_url != "",
                rx.vstack(
                    rx.text(T["calendar_link"], size="2", weight="bold"),
                    rx.code(S.feed_url, id="feed-url", style=WRAP_ANYWHERE),
                    rx.text(S.feed_since, size="1", color_scheme="gray"),
                    rx.hstack(
                        rx.button(
                            T["calendar_copy"],
                            on_click=[rx.set_clipboard(S.feed_url), S.copied],
                            id="feed-copy",
                        ),
                        rx.link(T["calendar_subscribe"], href=S.feed_webcal, id="feed-subscribe"),
                        wrap="wrap",
                    ),
                    rx.text(T["calendar_private"], size="1", color_scheme="gray"),
                    rx.cond(
                        S.confirming != "",
                        _feed_confirmation(),
                        rx.hstack(
                            rx.button(
                                T["calendar_renew"],
                                variant="outline",
                                color_scheme="red",
                                size="1",
                                on_click=S.ask_renew_feed,
                                id="feed-renew",
                            ),
                            rx.button(
                                T["calendar_revoke"],
                                variant="ghost",
                                color_scheme="red",
                                size="1",
                                on_click=S.ask_revoke_feed,
                                id="feed-revoke",
                            ),
                            wrap="wrap",
                        ),
                    ),
                    align="start",
                    width="100%",
                ),
                rx.button(T["calendar_make"], on_click=S.make_feed, id="feed-make"),
            ),
            align="start",
            width="100%",
        ),
        width="100%",
        id="calendar-feed",
    )


def week_page() -> rx.Component:
    return page(
        rx.link(T["back_to_cabinet"], href=routes.CABINET),
        rx.heading(T["week_heading"], size="6", as_="h1"),
        error_text(S.error, "week-error"),
        notice_text(S.notice, "week-notice"),
        rx.cond(
            S.is_family,
            rx.vstack(
                _week_nav(),
                rx.cond(
                    S.lesson_count == 0,
                    rx.callout(
                        rx.vstack(
                            rx.text(T["week_empty"]),
                            rx.link(T["nav_catalog"], href=routes.HOME, underline="always"),
                            align="start",
                        ),
                        icon="calendar",
                        id="week-empty",
                        width="100%",
                    ),
                ),
                rx.foreach(S.days, _day),
                _feed(),
                spacing="4",
                width="100%",
            ),
        ),
    )
