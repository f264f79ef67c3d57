"""Builds the Reflex app and registers its pages; nothing else."""

import reflex as rx

from navigator.pages.index import index

app = rx.App()
app.add_page(index, route="/", title="Navigator")
