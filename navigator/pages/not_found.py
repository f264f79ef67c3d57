"""An address the app does not have: said in the reader's language, with the way back."""

import reflex as rx

from navigator import routes
from navigator.components.layout import page
from navigator.state.app import AppState

T = AppState.t


def not_found_page() -> rx.Component:
    return page(
        rx.heading(T["not_found_title"], size="6", as_="h1", id="not-found"),
        rx.text(T["not_found_text"]),
        rx.link(T["nav_catalog"], href=routes.HOME, underline="always"),
    )
