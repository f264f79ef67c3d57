"""Builds the Reflex app and registers its pages; nothing else."""

import reflex as rx

from navigator.api.catalog import api as catalog_api
from navigator.pages.index import index
from navigator.state.catalog import CatalogState
from search.relay import catalog_sync

app = rx.App(theme=rx.theme(accent_color="indigo"), api_transformer=catalog_api)
app.register_lifespan_task(catalog_sync)  # the search relay runs beside the app
app.add_page(index, route="/", title="Навигатор", on_load=CatalogState.load)
