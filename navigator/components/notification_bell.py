"""The bell in the header: the signed-in person's unread notifications, counted when the
header appears (one cheap query), linking to /notifications."""

import reflex as rx

from navigator import routes
from navigator.state.notifications import BellState


def notification_bell() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("bell", size=18),
            rx.cond(
                BellState.unread > 0,
                rx.badge(BellState.unread, color_scheme="red", id="bell-count"),
            ),
            spacing="1",
            align="center",
        ),
        href=routes.NOTIFICATIONS,
        id="nav-notifications",
        aria_label=BellState.t["notifications.title"],
        on_mount=BellState.load_bell,
    )
