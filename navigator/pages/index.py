"""The home page: the catalog of programs."""

import reflex as rx


def index() -> rx.Component:
    return rx.container(rx.heading("Navigator"))
