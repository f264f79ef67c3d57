"""Builds the Reflex app and registers its pages; nothing else."""

import reflex as rx

from navigator.pages.index import index
from navigator.state.catalog import CatalogState

app = rx.App(theme=rx.theme(accent_color="indigo"))
app.add_page(index, route="/", title="Навигатор", on_load=CatalogState.load)
