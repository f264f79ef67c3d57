"""The home page: the catalog of certified and free programs."""

import reflex as rx

from navigator.components.program_card import program_card
from navigator.state.catalog import CatalogState


def index() -> rx.Component:
    return rx.container(
        rx.vstack(
            rx.heading("Навигатор дополнительного образования", size="7", as_="h1"),
            rx.text(CatalogState.page_label, id="catalog-total"),
            rx.grid(
                rx.foreach(CatalogState.programs, program_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            rx.hstack(
                rx.button("← Назад", on_click=CatalogState.previous_page, variant="soft"),
                rx.button("Вперёд →", on_click=CatalogState.next_page, variant="soft"),
            ),
            spacing="4",
            padding_y="6",
        ),
        size="4",
    )
